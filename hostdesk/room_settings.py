"""The host's settings of a show that live in the room's metadata, one key each (`chat`, written
by `hostdesk.chat_moderation`; `stage`, the stage clock's limit): read, changed and written whole
under the room's lock, so no writer drops another's key.

What the service last wrote is remembered per room. A change starts from it rather than from
what LiveKit lists: LiveKit's room list can lag a write by a moment, and a change read from it
then would drop the write before it (one hide of 201 in a row was lost that way, under load).
And a livekit-server that restarted (and forgot its rooms) gets every key back when the room is
made again (`restore`).
"""

from __future__ import annotations

import logging
from collections import OrderedDict
from collections.abc import Callable
from contextlib import AbstractAsyncContextManager
from typing import Protocol, Self, TypeVar

from hostdesk.moderation import ROOM_NOT_FOUND
from hostdesk.show.errors import NotFound
from hostdesk.show.gateways import RoomGateway
from hostdesk.show.participants import RoomSummary

log = logging.getLogger("hostdesk.service")

#: Rooms whose last written settings are remembered for `restore`, the most recently written kept.
REMEMBERED_ROOMS = 1000

RoomLock = Callable[[str], AbstractAsyncContextManager[object]]


class Section(Protocol):
    """One key of the room's metadata: read from the whole metadata (anything unreadable or
    absent is the default, `type(section)()`), and written into it keeping the other keys."""

    @classmethod
    def from_room_metadata(cls, metadata: str) -> Self: ...
    def to_room_metadata(self, existing: str = "") -> str: ...


S = TypeVar("S", bound=Section)


class RoomSettings:
    """`lock(room)`: the service's per-room lock."""

    def __init__(self, rooms: RoomGateway, lock: RoomLock) -> None:
        self.rooms = rooms
        self._lock = lock
        self._written: OrderedDict[str, dict[type[Section], Section]] = OrderedDict()

    async def read(self, room: str, kind: type[S]) -> S:
        """The room's section of `kind` as LiveKit holds it now (404 for an unknown room)."""
        return kind.from_room_metadata((await self._summary(room)).metadata)

    async def change(self, room: str, kind: type[S], change: Callable[[S], S]) -> S:
        """Changes the room's section of `kind` (written only when it changes) and remembers it."""
        async with self._lock(room):
            summary = await self._summary(room)
            written = self._written.get(room, {})
            base = summary.metadata
            for section in written.values():  # ours as written, whatever LiveKit lists yet
                base = section.to_room_metadata(base)
            current = kind.from_room_metadata(base)
            wanted = change(current)
            if wanted != current or base != summary.metadata:
                await self.rooms.update_room_metadata(room, wanted.to_room_metadata(base))
            self._remember(room, wanted)
        return wanted

    async def restore(self, room: str) -> bool:
        """Writes back every section this service last wrote for `room` that LiveKit holds no
        longer (a restarted livekit-server forgot the room); a section LiveKit holds is never
        overwritten. Returns whether it wrote anything."""
        remembered = [s for s in self._written.get(room, {}).values() if s != type(s)()]
        if not remembered:
            return False
        async with self._lock(room):
            found = await self.rooms.list_rooms([room])
            if not found:
                return False
            metadata = found[0].metadata
            for section in remembered:
                if type(section).from_room_metadata(metadata) == type(section)():
                    metadata = section.to_room_metadata(metadata)
            if metadata == found[0].metadata:
                return False
            await self.rooms.update_room_metadata(room, metadata)
        log.info("restored the settings of %s", room)
        return True

    def forget(self, room: str) -> None:
        """The show ended: a new show of the same name starts with clean settings."""
        self._written.pop(room, None)

    def _remember(self, room: str, section: Section) -> None:
        self._written.setdefault(room, {})[type(section)] = section
        self._written.move_to_end(room)
        while len(self._written) > REMEMBERED_ROOMS:
            self._written.popitem(last=False)

    async def _summary(self, room: str) -> RoomSummary:
        found = await self.rooms.list_rooms([room])
        if not found:
            raise NotFound(ROOM_NOT_FOUND)
        return found[0]
