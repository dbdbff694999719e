"""In-memory stand-ins for LiveKit's room service and token minting, for unit tests of the
rules (`ShowService`) and of the host's controller: no network, no server."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from dataclasses import replace

from hostdesk.show.errors import NotFound
from hostdesk.show.messages import DataMessage, MessageType
from hostdesk.show.participants import Participant, RoomSummary
from hostdesk.show.roles import PERMISSIONS, Metadata, Permissions, Role

ROOM = "my-show"


class FakeRooms:
    """LiveKit's room service in memory (implements show.gateways.RoomGateway)."""

    def __init__(self) -> None:
        self.rooms: dict[str, dict[str, Participant]] = {}
        self.permissions: dict[tuple[str, str], Permissions] = {}
        self.metadata: dict[str, str] = {}
        self.sent: list[tuple[str, DataMessage, list[str] | None]] = []

    async def _network(self) -> None:
        await asyncio.sleep(0)

    def _room(self, room: str, missing: str = "Room not found") -> dict[str, Participant]:
        if room not in self.rooms:
            raise NotFound(missing)
        return self.rooms[room]

    async def reachable(self) -> bool:
        return True

    async def list_rooms(self, names: list[str] | None = None) -> list[RoomSummary]:
        await self._network()
        return [
            RoomSummary(name, f"RM_{name}", len(people), 1704067200, self.metadata.get(name, ""))
            for name, people in self.rooms.items()
            if names is None or name in names
        ]

    async def create_room(self, name: str) -> None:
        await self._network()
        self.rooms.setdefault(name, {})

    async def delete_room(self, name: str) -> None:
        await self._network()
        self._room(name)
        del self.rooms[name]
        self.metadata.pop(name, None)

    async def update_room_metadata(self, room: str, metadata: str) -> None:
        await self._network()
        self._room(room)
        self.metadata[room] = metadata

    async def list_participants(self, room: str) -> list[Participant]:
        await self._network()
        return list(self._room(room).values())

    async def get_participant(self, room: str, identity: str) -> Participant:
        await self._network()
        people = self._room(room, missing="Participant not found")
        if identity not in people:
            raise NotFound("Participant not found")
        return people[identity]

    async def remove_participant(self, room: str, identity: str) -> None:
        await self._network()
        people = self._room(room, missing="Participant not found")
        if people.pop(identity, None) is None:
            raise NotFound("Participant not found")

    async def update_participant(
        self,
        room: str,
        identity: str,
        *,
        metadata: Metadata | None = None,
        permissions: Permissions | None = None,
        attributes: Mapping[str, str] | None = None,
    ) -> Participant:
        await self._network()
        current = await self.get_participant(room, identity)
        merged = dict(current.attributes)
        for key, value in (attributes or {}).items():
            if value:
                merged[key] = value
            else:
                merged.pop(key, None)  # LiveKit: an empty value deletes the attribute
        updated = replace(
            current,
            metadata=metadata.encode() if metadata else current.metadata,
            attributes=merged,
        )
        self.rooms[room][identity] = updated
        if permissions is not None:
            self.permissions[(room, identity)] = permissions
        return updated

    async def send_data(
        self, room: str, message: DataMessage, destinations: list[str] | None = None
    ) -> None:
        await self._network()
        self.sent.append((room, message, destinations))

    # -- test helpers (what a client connecting to LiveKit would do) --

    def connect(self, identity: str, role: Role, name: str = "", room: str = ROOM) -> None:
        name = name or identity.title()
        self.rooms.setdefault(room, {})[identity] = Participant(
            identity, name, sid=f"PA_{identity}", metadata=Metadata(role, name).encode()
        )
        self.permissions[(room, identity)] = PERMISSIONS[role]

    def person(self, identity: str, room: str = ROOM) -> Participant:
        return self.rooms[room][identity]

    def forget_everything(self) -> None:
        """What a restarted livekit-server knows: no rooms, so no metadata either."""
        self.rooms.clear()
        self.metadata.clear()

    def types_sent(self) -> list[MessageType]:
        return [message.type for _, message, _ in self.sent]


class FakeTokens:
    ws_url = "ws://livekit.test"

    def __init__(self) -> None:
        self.minted: list[tuple[str, str, str, Role]] = []

    def mint(self, room: str, identity: str, display_name: str, role: Role) -> str:
        self.minted.append((room, identity, display_name, role))
        return f"token:{room}:{identity}:{role.value}"


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now
