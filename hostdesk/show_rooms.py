"""What every use case of the show shares: LiveKit's rooms (through the `RoomGateway`), one lock
per room, the look-ups that answer the contract's 404s, who acts as a room's host, and the
broadcast of a change already made.

The service owns one `ShowRooms` (`ShowService.show_rooms`) and hands it to its use cases (the
stage's, the hands', the restoring of what LiveKit forgot).
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, replace

from hostdesk.moderation import ROOM_NOT_FOUND
from hostdesk.show import stage
from hostdesk.show.chat import ChatSettings
from hostdesk.show.errors import NotFound
from hostdesk.show.gateways import RoomGateway
from hostdesk.show.messages import DataMessage
from hostdesk.show.participants import Participant, RoomSummary, with_role
from hostdesk.show.reservations import Reservations
from hostdesk.show.roles import Role
from hostdesk.show.stage_clock import StageSettings

log = logging.getLogger("hostdesk.service")


@dataclass(frozen=True)
class RoomState:
    summary: RoomSummary
    participants: list[Participant]

    @property
    def has_host(self) -> bool:
        return bool(with_role(self.participants, Role.HOST))

    @property
    def has_guest(self) -> bool:
        return bool(with_role(self.participants, Role.GUEST))

    @property
    def guests(self) -> list[Participant]:
        """Who is on stage, longest on stage first (a guest without a clock last)."""
        on_stage = with_role(self.participants, Role.GUEST)
        return sorted(on_stage, key=lambda p: (p.on_stage_since is None, p.on_stage_since or 0))

    @property
    def chat(self) -> ChatSettings:
        return ChatSettings.from_room_metadata(self.summary.metadata)

    @property
    def stage(self) -> StageSettings:
        return StageSettings.from_room_metadata(self.summary.metadata)


class ShowRooms:
    """`reservations`: the host tokens issued but not yet connected (such a host acts as the
    room's host already)."""

    def __init__(self, rooms: RoomGateway, reservations: Reservations) -> None:
        self.rooms = rooms
        self.reservations = reservations
        self._locks: dict[str, asyncio.Lock] = {}

    def lock(self, room: str) -> asyncio.Lock:
        """Serialises the checks-then-changes of one room (a lock is a few bytes; kept)."""
        return self._locks.setdefault(room, asyncio.Lock())

    async def state(self, room: str) -> RoomState:
        found = await self.rooms.list_rooms([room])
        if not found:
            raise NotFound(ROOM_NOT_FOUND)
        participants = await self.rooms.list_participants(room)
        return RoomState(replace(found[0], num_participants=len(participants)), participants)

    async def participants(self, room: str) -> list[Participant]:
        return (await self.state(room)).participants

    async def participants_or_none(self, room: str) -> list[Participant]:
        try:
            return await self.rooms.list_participants(room)
        except NotFound:
            return []

    async def require_room(self, room: str) -> None:
        if not await self.rooms.list_rooms([room]):
            raise NotFound(ROOM_NOT_FOUND)

    async def require_participant(self, room: str, identity: str) -> Participant:
        try:
            return await self.rooms.get_participant(room, identity)
        except NotFound:
            await self.require_room(room)  # say which of the two is missing
            raise

    def acting_host(self, room: str, participants: list[Participant], identity: str) -> bool:
        return stage.is_host(participants, identity, self.reservations.host(room))

    async def announce(self, room: str, message: DataMessage) -> None:
        """Broadcasts a message; the change it announces is already made, so a failure is
        logged rather than undoing it (clients also see the change in LiveKit's own events)."""
        try:
            await self.rooms.send_data(room, message)
        except Exception:
            log.exception("could not broadcast %s in %s", message.type.value, room)
