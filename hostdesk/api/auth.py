"""Who is calling: the host API key, a LiveKit token, or nobody (DESIGN.md "Trust").

In production mode (the default) a viewer proves who they are with the LiveKit token the join
call gave them; host-only calls need the host's token for that room or the API key. With auth
off every check passes, which is the contract's documented MVP behaviour.
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass
from typing import Protocol

from aiohttp import web

from hostdesk.show.errors import Forbidden, NotAuthenticated


class TokenClaimsLike(Protocol):
    @property
    def identity(self) -> str: ...
    @property
    def room(self) -> str: ...
    @property
    def room_admin(self) -> bool: ...
    @property
    def name(self) -> str: ...


class TokenVerifier(Protocol):
    def verify(self, token: str) -> TokenClaimsLike: ...


AUTH_REQUIRED = "Authentication required"
INVALID_API_KEY = "Invalid API key"
INVALID_TOKEN = "Invalid or expired token"
WRONG_ROOM = "Token is not for this room"
HOST_ONLY = "Only the host can do this"


@dataclass(frozen=True)
class Caller:
    """A verified caller: the API key holder (admin) or a token's holder."""

    admin: bool
    identity: str = ""
    room: str = ""
    room_admin: bool = False
    name: str = ""

    def is_host_of(self, room: str) -> bool:
        return self.admin or (self.room_admin and self.room == room)


@dataclass(frozen=True)
class Auth:
    enabled: bool
    api_key: str
    verifier: TokenVerifier

    def caller(self, request: web.Request) -> Caller | None:
        """The verified caller, None when no credentials came; 403 for wrong ones."""
        key = request.headers.get("X-API-Key")
        if key is not None:
            if not hmac.compare_digest(key.encode(), self.api_key.encode()):
                raise Forbidden(INVALID_API_KEY)
            return Caller(admin=True)
        return self._token_holder(request)

    def _token_holder(self, request: web.Request) -> Caller | None:
        """The holder of the bearer token, None without one; 403 for a wrong one."""
        header = request.headers.get("Authorization", "")
        if not header:
            return None
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise Forbidden(INVALID_TOKEN)
        try:
            claims = self.verifier.verify(token.strip())
        except ValueError:
            raise Forbidden(INVALID_TOKEN) from None
        return Caller(False, claims.identity, claims.room, claims.room_admin, claims.name)

    def participant(self, request: web.Request, room: str) -> Caller:
        """The holder of a valid LiveKit token for this room, in every mode: only a token says
        which participant is asking (the API key names nobody, so it is not read here)."""
        caller = self._token_holder(request)
        if caller is None:
            raise NotAuthenticated(AUTH_REQUIRED)
        if caller.room != room:
            raise Forbidden(WRONG_ROOM)
        return caller

    def _required(self, request: web.Request) -> Caller:
        caller = self.caller(request)
        if caller is None:
            raise NotAuthenticated(AUTH_REQUIRED)
        return caller

    def require_api_key(self, request: web.Request, denial: str = HOST_ONLY) -> None:
        if not self.enabled:
            return
        if not self._required(request).admin:
            raise Forbidden(denial)

    def _token_holder_in(self, request: web.Request, room: str) -> Caller | None:
        """The token's holder, checked to be in this room; None when no check is needed
        (auth off, or the API key)."""
        if not self.enabled:
            return None
        caller = self._required(request)
        if caller.admin:
            return None
        if caller.room != room:
            raise Forbidden(WRONG_ROOM)
        return caller

    def require_host(
        self, request: web.Request, room: str, host_identity: str | None = None, denial: str = ""
    ) -> None:
        """The API key, or the host's token for this room (naming `host_identity` if given)."""
        caller = self._token_holder_in(request, room)
        if caller is None:
            return
        if not caller.room_admin or (
            host_identity is not None and caller.identity != host_identity
        ):
            raise Forbidden(denial or HOST_ONLY)

    def require_self_or_host(
        self, request: web.Request, room: str, identity: str, denial: str
    ) -> None:
        """The participant's own token, the room's host token, or the API key."""
        caller = self._token_holder_in(request, room)
        if caller is not None and not (caller.room_admin or caller.identity == identity):
            raise Forbidden(denial)
