"""Roles, what each may do in LiveKit, and the participant metadata that carries the role."""

from __future__ import annotations

import json
from dataclasses import dataclass
from enum import StrEnum


class Role(StrEnum):
    HOST = "host"
    GUEST = "guest"
    VIEWER = "viewer"


#: Roles a client may ask for when joining; a guest is only ever made by an invitation.
JOINABLE_ROLES = frozenset({Role.HOST, Role.VIEWER})


class Source(StrEnum):
    CAMERA = "camera"
    MICROPHONE = "microphone"
    SCREEN_SHARE = "screen_share"
    SCREEN_SHARE_AUDIO = "screen_share_audio"


@dataclass(frozen=True)
class Permissions:
    """The complete set of LiveKit permissions of a role (always sent whole: LiveKit replaces)."""

    can_publish: bool
    can_subscribe: bool
    can_publish_data: bool
    can_update_metadata: bool
    room_admin: bool
    publish_sources: tuple[Source, ...] = ()


PERMISSIONS: dict[Role, Permissions] = {
    Role.HOST: Permissions(
        can_publish=True,
        can_subscribe=True,
        can_publish_data=True,
        can_update_metadata=False,
        room_admin=True,
    ),
    Role.GUEST: Permissions(
        can_publish=True,
        can_subscribe=True,
        can_publish_data=True,
        can_update_metadata=False,
        room_admin=False,
        publish_sources=(
            Source.CAMERA,
            Source.MICROPHONE,
            Source.SCREEN_SHARE,
            Source.SCREEN_SHARE_AUDIO,
        ),
    ),
    Role.VIEWER: Permissions(
        can_publish=False,
        can_subscribe=True,
        can_publish_data=True,
        can_update_metadata=False,
        room_admin=False,
    ),
}


@dataclass(frozen=True)
class Metadata:
    """Participant metadata as documented: `{"role": ..., "displayName": ...}`."""

    role: Role | None
    display_name: str

    def encode(self) -> str:
        role = self.role.value if self.role else None
        return json.dumps({"role": role, "displayName": self.display_name}, separators=(",", ":"))

    @classmethod
    def decode(cls, raw: str, fallback_name: str = "") -> Metadata:
        """Reads metadata written by HostDesk; anything else gives no role, never an error."""
        try:
            data = json.loads(raw) if raw else {}
        except (ValueError, RecursionError):
            data = {}
        if not isinstance(data, dict):
            data = {}
        try:
            role: Role | None = Role(str(data.get("role")))
        except ValueError:
            role = None
        name = data.get("displayName")
        return cls(role=role, display_name=name if isinstance(name, str) else fallback_name)
