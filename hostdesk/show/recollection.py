"""What the host remembers of its show, to give back what a restarted LiveKit server forgot.

A single livekit-server that restarts forgets its rooms: the participants come back into a new
room as whatever their tokens say (a guest as a viewer, since guests are made live by the
server, not by their token), with their hands down and their stage clocks gone. The host's
window is then the surviving copy. While its connection is down, and until everyone remembered
is back as they were (or `remember_for` has passed), what LiveKit reports is compared with what
was remembered rather than taken as the truth, and what was lost is handed back, each hand with
its original time so the queue keeps its order, and each guest with the time they went on stage
so their clock goes on, and whoever was backstage is sent there again.

Pure: time comes from an injected monotonic clock (seconds); the caller re-applies what
`returned` answers for each participant in the room, and calls `settle` after.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace

from hostdesk.show.mirror import Member
from hostdesk.show.roles import Role

#: How long a participant who dropped out is remembered, to restore their role and hand.
REMEMBER_FOR = 180.0


@dataclass(frozen=True)
class Remembered:
    role: Role | None
    hand_raised_at: int | None
    seen: float
    question: str = ""
    chat_muted: bool = False
    #: When the guest went on stage (ms since the epoch, the server's clock).
    on_stage_since: int | None = None
    #: The host had sent this viewer backstage (a server-written attribute LiveKit forgets).
    backstage: bool = False

    def lost_in(self, member: Member) -> bool:
        """Whether `member`, as LiveKit reports them now, lacks what was remembered."""
        lost_guest = self.role is Role.GUEST and member.role is Role.VIEWER
        lost_clock = (
            self.role is Role.GUEST
            and bool(self.on_stage_since)
            and member.role is Role.GUEST
            and not member.on_stage_since
        )
        lost_hand = (
            self.role is Role.VIEWER and bool(self.hand_raised_at) and not member.hand_raised_at
        )
        lost_mute = self.chat_muted and not member.chat_muted
        lost_backstage = self.backstage and member.role is Role.VIEWER and not member.backstage
        return lost_guest or lost_clock or lost_hand or lost_mute or lost_backstage


class Recollection:
    def __init__(
        self, clock: Callable[[], float] = time.monotonic, remember_for: float = REMEMBER_FOR
    ) -> None:
        self.clock = clock
        self.remember_for = remember_for
        self._remembered: dict[str, Remembered] = {}
        self._restoring_until: float | None = None

    @property
    def restoring(self) -> bool:
        return self._restoring_until is not None and self.clock() < self._restoring_until

    def of(self, identity: str) -> Remembered | None:
        old = self._remembered.get(identity)
        if old is None or self.clock() - old.seen > self.remember_for:
            return None
        return old

    # -- what the mirror says ----------------------------------------------------------------

    def changed(self, member: Member) -> None:
        """A member as LiveKit now says they are; believed unless a restore is under way."""
        if member.role in (Role.GUEST, Role.VIEWER) and not self.restoring:
            self._remembered[member.identity] = Remembered(
                member.role,
                member.hand_raised_at,
                self.clock(),
                member.question,
                member.chat_muted,
                member.on_stage_since,
                member.backstage,
            )

    def arrived(self, member: Member) -> None:
        """Someone coming back keeps what was known of them until `returned` has compared it
        with what LiveKit says now."""
        if self.of(member.identity) is None:
            self.changed(member)

    def left(self, identity: str) -> None:
        """Gone from the room: remembered from now, for `remember_for`."""
        old = self._remembered.get(identity)
        if old is not None:
            self._remembered[identity] = replace(old, seen=self.clock())

    def forget(self, identity: str) -> None:
        """The host removed them: nothing of them is to be given back."""
        self._remembered.pop(identity, None)

    # -- the connection ----------------------------------------------------------------------

    def connection_lost(self) -> None:
        if not self.restoring:
            self._restoring_until = self.clock() + self.remember_for

    def returned(self, member: Member) -> Remembered | None:
        """`member` is in the room (again): what to re-apply to them, or None."""
        old = self.of(member.identity)
        if old is None:
            return None
        if old.lost_in(member):
            return old
        if not self.restoring:
            self.changed(member)
        return None

    def settle(self, members: Mapping[str, Member]) -> None:
        """Ends the restore once everyone remembered is back as they were."""
        if not self.restoring:
            return
        for identity, old in self._remembered.items():
            member = members.get(identity)
            if member is None or old.lost_in(member):
                return
        self._restoring_until = None
