"""What the service needs of LiveKit, as protocols: its room service and its token minting.

`hostdesk.livekit` implements them (`rooms.LiveKitRooms`, `tokens.Tokens`); the tests have
in-memory ones (`tests/support/fakes.py`). The service knows nothing else of LiveKit.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Protocol

from hostdesk.show.messages import DataMessage
from hostdesk.show.participants import Participant, RoomSummary
from hostdesk.show.roles import Metadata, Permissions, Role


class RoomGateway(Protocol):
    """What the service needs of LiveKit's room service (implemented in hostdesk.livekit)."""

    async def reachable(self) -> bool: ...
    async def list_rooms(self, names: list[str] | None = None) -> list[RoomSummary]: ...
    async def create_room(self, name: str) -> None: ...
    async def delete_room(self, name: str) -> None: ...
    async def update_room_metadata(self, room: str, metadata: str) -> None: ...
    async def list_participants(self, room: str) -> list[Participant]: ...
    async def get_participant(self, room: str, identity: str) -> Participant: ...
    async def remove_participant(self, room: str, identity: str) -> None: ...
    async def update_participant(
        self,
        room: str,
        identity: str,
        *,
        metadata: Metadata | None = None,
        permissions: Permissions | None = None,
        attributes: Mapping[str, str] | None = None,
    ) -> Participant: ...
    async def send_data(
        self, room: str, message: DataMessage, destinations: list[str] | None = None
    ) -> None: ...
    async def mute_microphone(self, room: str, identity: str, muted: bool) -> bool: ...
    async def stop_screen_share(self, room: str, identity: str) -> bool: ...


class TokenMinter(Protocol):
    ws_url: str

    def mint(self, room: str, identity: str, display_name: str, role: Role) -> str: ...
