"""Minting and verifying LiveKit access tokens for the show's roles."""

from __future__ import annotations

import base64
import datetime
import hashlib
import hmac
import json
import time
from dataclasses import dataclass
from json.encoder import encode_basestring_ascii as _json_string

import jwt
from livekit import api

from hostdesk.show.roles import PERMISSIONS, Metadata, Role

#: Short, so that a token a removed or blocked participant still holds soon stops working (LiveKit
#: cannot revoke one); a page asks for a fresh one before it expires (`ShowService.renew`), and
#: LiveKit refreshes the token of a connected client by itself.
TOKEN_TTL = datetime.timedelta(minutes=10)
_TTL_S = int(TOKEN_TTL.total_seconds())
#: A character no validated name holds (controls are refused), JSON-escaped as `\u0000`: where
#: it lands in a template's JSON is where the per-token text goes.
_MARK = "\x00"
_MARK_JSON = json.dumps(_MARK)[1:-1]


@dataclass(frozen=True)
class TokenClaims:
    """What a verified token says about its holder."""

    identity: str
    room: str
    room_admin: bool
    name: str = ""


class InvalidToken(ValueError):
    """The token is not one this server's key signed, has expired, or lacks an identity."""


def _b64url(data: bytes) -> bytes:
    return base64.urlsafe_b64encode(data).rstrip(b"=")


def _split_at_mark(text: str) -> tuple[str, str]:
    before, found, after = text.partition(_MARK_JSON)
    if not found or _MARK_JSON in after:
        raise RuntimeError(f"template without exactly one place for the token's text: {text}")
    return before, after


@dataclass(frozen=True)
class _RoleTemplate:
    """A role's token as JSON text around the places where room and display name go."""

    video_before: str
    video_after: str
    metadata_before: str
    metadata_after: str

    @classmethod
    def of(cls, grants: api.VideoGrants, role: Role) -> _RoleTemplate:
        video = api.access_token.Claims(video=grants).asdict()["video"]
        video_json = json.dumps({**video, "room": _MARK}, separators=(",", ":"))
        # The mark sits inside a JSON string in the metadata; so does the name that replaces it.
        metadata = Metadata(role, _MARK).encode()
        return cls(*_split_at_mark(video_json), *_split_at_mark(metadata))


class Tokens:
    def __init__(self, api_key: str, api_secret: str, ws_url: str) -> None:
        self._key = api_key
        self._key_json = json.dumps(api_key)
        self._secret = api_secret
        # The key's HMAC state made once; each token copies it (a third of a fresh hmac's cost).
        self._signer = hmac.new(api_secret.encode(), digestmod=hashlib.sha256)
        self._verifier = api.TokenVerifier(api_key, api_secret)
        self.ws_url = ws_url
        self._templates = {role: _RoleTemplate.of(self.grants(_MARK, role), role) for role in Role}
        # What PyJWT writes for HS256 (sorted keys), which is what the SDK's to_jwt gives.
        header = json.dumps({"alg": "HS256", "typ": "JWT"}, separators=(",", ":"), sort_keys=True)
        self._header = _b64url(header.encode()) + b"."

    def grants(self, room: str, role: Role) -> api.VideoGrants:
        permissions = PERMISSIONS[role]
        return api.VideoGrants(
            room_join=True,
            room=room,
            room_admin=permissions.room_admin or None,
            can_publish=permissions.can_publish,
            can_subscribe=permissions.can_subscribe,
            can_publish_data=permissions.can_publish_data,
            can_publish_sources=[s.value for s in permissions.publish_sources] or None,
            can_update_own_metadata=permissions.can_update_metadata,
        )

    def reference_token(self, room: str, identity: str, display_name: str, role: Role) -> str:
        """The same token built the slow way, through the SDK's AccessToken (for tests)."""
        return (
            api.AccessToken(self._key, self._secret)
            .with_identity(identity)
            .with_name(display_name)
            .with_metadata(Metadata(role, display_name).encode())
            .with_grants(self.grants(room, role))
            .with_ttl(TOKEN_TTL)
            .to_jwt()
        )

    def mint(self, room: str, identity: str, display_name: str, role: Role) -> str:
        # The SDK's AccessToken spends ~50 us per token in dataclasses.asdict and deepcopy, and
        # PyJWT another ~10 us in generic checks. A join mints a token on every call, so the
        # claims are written as JSON text from per-role templates taken from the SDK itself
        # (claim order and all), signed with one HMAC call; tests/livekit/test_tokens.py proves
        # the result equals the SDK's own token.
        t = self._templates[role]
        name_json = _json_string(display_name)
        metadata = t.metadata_before + name_json[1:-1] + t.metadata_after
        now = int(time.time())
        claims = (
            f'{{"name":{name_json},"metadata":{_json_string(metadata)},'
            f'"video":{t.video_before}{_json_string(room)[1:-1]}{t.video_after},'
            f'"sub":{_json_string(identity)},"iss":{self._key_json},'
            f'"nbf":{now},"exp":{now + _TTL_S}}}'
        )
        signed = self._header + _b64url(claims.encode())
        signer = self._signer.copy()
        signer.update(signed)
        return (signed + b"." + _b64url(signer.digest())).decode()

    def verify(self, token: str) -> TokenClaims:
        try:
            claims = self._verifier.verify(token)
        except (jwt.PyJWTError, ValueError) as exc:
            raise InvalidToken(str(exc)) from None
        video = claims.video
        if not claims.identity or video is None or not video.room:
            raise InvalidToken("token has no identity or room")
        return TokenClaims(claims.identity, video.room, bool(video.room_admin), claims.name or "")
