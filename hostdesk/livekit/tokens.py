"""Minting and verifying LiveKit access tokens for the show's roles."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

import jwt
from livekit import api

from hostdesk.show.roles import PERMISSIONS, Metadata, Role

TOKEN_TTL = datetime.timedelta(hours=6)


@dataclass(frozen=True)
class TokenClaims:
    """What a verified token says about its holder."""

    identity: str
    room: str
    room_admin: bool


class InvalidToken(ValueError):
    """The token is not one this server's key signed, has expired, or lacks an identity."""


class Tokens:
    def __init__(self, api_key: str, api_secret: str, ws_url: str) -> None:
        self._key = api_key
        self._secret = api_secret
        self._verifier = api.TokenVerifier(api_key, api_secret)
        self.ws_url = ws_url

    def mint(self, room: str, identity: str, display_name: str, role: Role) -> str:
        permissions = PERMISSIONS[role]
        grants = api.VideoGrants(
            room_join=True,
            room=room,
            room_admin=permissions.room_admin or None,
            can_publish=permissions.can_publish,
            can_subscribe=permissions.can_subscribe,
            can_publish_data=permissions.can_publish_data,
            can_publish_sources=[s.value for s in permissions.publish_sources] or None,
            can_update_own_metadata=permissions.can_update_metadata,
        )
        return (
            api.AccessToken(self._key, self._secret)
            .with_identity(identity)
            .with_name(display_name)
            .with_metadata(Metadata(role, display_name).encode())
            .with_grants(grants)
            .with_ttl(TOKEN_TTL)
            .to_jwt()
        )

    def verify(self, token: str) -> TokenClaims:
        try:
            claims = self._verifier.verify(token)
        except (jwt.PyJWTError, ValueError) as exc:
            raise InvalidToken(str(exc)) from None
        video = claims.video
        if not claims.identity or video is None or not video.room:
            raise InvalidToken("token has no identity or room")
        return TokenClaims(claims.identity, video.room, bool(video.room_admin))
