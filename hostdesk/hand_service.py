"""The hands' use cases: a viewer raises or lowers their hand (with a question), the host takes a
question away.

The service owns one `HandService` (`ShowService.hands`); its methods of the same names call it.
A hand is the server-written attribute `handRaisedAt`, so the queue's order survives a restart
and no client can forge it.
"""

from __future__ import annotations

from collections.abc import Callable

from hostdesk.show import messages, rules, stage
from hostdesk.show.errors import Forbidden, InvalidInput
from hostdesk.show.participants import (
    hand_attributes,
    hand_down_attributes,
    question_attributes,
)
from hostdesk.show.roles import Role
from hostdesk.show_rooms import ShowRooms


class HandService:
    def __init__(self, show_rooms: ShowRooms, clock_ms: Callable[[], int]) -> None:
        self._show_rooms = show_rooms
        self.rooms = show_rooms.rooms
        self._clock_ms = clock_ms

    async def set_hand(
        self, room: str, identity: str, raised: bool, question: str | None = None
    ) -> bool:
        """Raises or lowers a hand; a hand raised again keeps its place in the queue. A raise
        sets the hand's `question` (trimmed, "" for none; None keeps it, for callers that do
        not speak of questions); lowering takes the question with it."""
        if question is not None:
            if problem := rules.question_problem(question):
                raise InvalidInput(problem)
            question = question.strip()
        async with self._show_rooms.lock(room):  # a raise cannot interleave with a promotion
            participant = await self._show_rooms.require_participant(room, identity)
            if raised and participant.role is not Role.VIEWER:
                raise Forbidden(stage.ONLY_VIEWERS_RAISE)
            if raised and participant.hand_raised_at:
                if question not in (None, participant.hand_question):
                    changed = question_attributes(question or "")
                    await self.rooms.update_participant(room, identity, attributes=changed)
                return True
            if not raised and participant.hand_raised_at is None:
                return False
            stamp = self._clock_ms()
            up = {**hand_attributes(stamp), **question_attributes(question or "")}
            changes = up if raised else hand_down_attributes()
            await self.rooms.update_participant(room, identity, attributes=changes)
            await self._show_rooms.announce(
                room, messages.hand(identity, participant.display_name, raised, stamp)
            )
        return raised

    async def clear_question(self, room: str, identity: str) -> None:
        """The host takes a hand's question away (a troll's words, or one answered): the hand
        stays up, in its place."""
        async with self._show_rooms.lock(room):
            participant = await self._show_rooms.require_participant(room, identity)
            if participant.hand_question:
                cleared = question_attributes("")
                await self.rooms.update_participant(room, identity, attributes=cleared)
