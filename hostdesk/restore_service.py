"""Restoring what LiveKit forgot: a restarted livekit-server forgets its rooms, and the host's
window (`hostdesk.show.recollection`) asks for each guest role and raised hand it remembers to be
re-applied as the participants come back, with their original times.

The service owns one `RestoreService` (`ShowService.restorer`); `ShowService.restore` calls it.
"""

from __future__ import annotations

from collections.abc import Callable

from hostdesk.show import stage
from hostdesk.show.participants import (
    find,
    hand_attributes,
    question_attributes,
    with_role,
)
from hostdesk.show.roles import PERMISSIONS, Metadata, Role
from hostdesk.show.stage_clock import on_stage_attributes
from hostdesk.show_rooms import ShowRooms


class RestoreService:
    """`stage_size()`: how many guests the stage holds now; a full stage takes nobody back."""

    def __init__(
        self,
        show_rooms: ShowRooms,
        *,
        stage_size: Callable[[], int],
        clock_ms: Callable[[], int],
    ) -> None:
        self._show_rooms = show_rooms
        self.rooms = show_rooms.rooms
        self._stage_size = stage_size
        self._clock_ms = clock_ms

    async def restore(
        self,
        room: str,
        identity: str,
        role: Role | None,
        hand_raised_at: int | None,
        question: str = "",
        on_stage_since: int | None = None,
    ) -> bool:
        """Re-applies a guest role (with the time they went on stage) or a raised hand (with
        its question) that LiveKit forgot, keeping the original times so the queue's order and
        the stage clock survive. A guest whose time was not remembered starts their clock now.
        Returns whether anything was re-applied."""
        async with self._show_rooms.lock(room):
            participants = await self._show_rooms.participants_or_none(room)
            current = find(participants, identity)
            if current is None:
                return False
            if role is Role.GUEST and current.role is Role.VIEWER:
                guests = len(with_role(participants, Role.GUEST))
                if stage.stage_full(guests, self._stage_size()):
                    return False
                await self.rooms.update_participant(
                    room,
                    identity,
                    metadata=Metadata(Role.GUEST, current.display_name),
                    permissions=PERMISSIONS[Role.GUEST],
                    attributes=on_stage_attributes(on_stage_since or self._clock_ms()),
                )
                return True
            if role is Role.GUEST and on_stage_since and current.role is Role.GUEST:
                if current.on_stage_since is None:  # back as the guest, without their clock
                    attributes = on_stage_attributes(on_stage_since)
                    await self.rooms.update_participant(room, identity, attributes=attributes)
                    return True
                return False
            if role is Role.VIEWER and hand_raised_at and current.hand_raised_at is None:
                attributes = hand_attributes(hand_raised_at)
                if question:
                    attributes.update(question_attributes(question))
                await self.rooms.update_participant(room, identity, attributes=attributes)
                return True
        return False
