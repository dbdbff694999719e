"""Invitations to the stage, as the host's side keeps them: pending, answered, lapsed.

LiveKit knows nothing of invitations (a `guest_invite` is a data message), so the host keeps
them here, apart from what LiveKit says about the members. Pure: time comes from an injected
clock (seconds, monotonic), and lapsing is a question the caller asks (`lapse_due`) when the
deadline it was told (`next_deadline`) comes, so there are no timers to test.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum

from hostdesk.show import rules
from hostdesk.show.events import Event


@dataclass(frozen=True)
class Invitation:
    identity: str
    #: When it was sent (ms since the epoch, as in the `guest_invite` message).
    sent_at_ms: int
    #: When it lapses, on the store's clock.
    deadline: float


class Answer(Enum):
    ACCEPTED = "accepted"
    DECLINED = "declined"
    #: No invitation is pending for this sender (never sent, answered already, or lapsed).
    NOT_PENDING = "not pending"


class Invitations:
    """Events: `changed(identity)` whenever an identity's invitation opens or closes."""

    def __init__(
        self,
        clock: Callable[[], float] = time.monotonic,
        timeout: float = rules.INVITE_TIMEOUT_S,
    ) -> None:
        self.clock = clock
        self.timeout = timeout
        self._pending: dict[str, Invitation] = {}
        self.changed: Event[[str]] = Event()

    # -- reading ------------------------------------------------------------------------------

    def __contains__(self, identity: object) -> bool:
        return identity in self._pending

    def __len__(self) -> int:
        return len(self._pending)

    def pending(self, identity: str) -> Invitation | None:
        return self._pending.get(identity)

    def next_deadline(self) -> float | None:
        """When the next pending invitation lapses, or None when none is pending."""
        return min((i.deadline for i in self._pending.values()), default=None)

    # -- writing ------------------------------------------------------------------------------

    def open(self, identity: str, sent_at_ms: int) -> Invitation:
        """Records an invitation just sent. One per identity: a pending one is kept as it is
        (the caller checks `in` first and does not send twice)."""
        existing = self._pending.get(identity)
        if existing is not None:
            return existing
        invitation = Invitation(identity, sent_at_ms, self.clock() + self.timeout)
        self._pending[identity] = invitation
        self.changed.emit(identity)
        return invitation

    def answer(self, identity: str, accepted: bool) -> Answer:
        """Closes a pending invitation with the viewer's answer. An answer after the deadline
        is too late, even if `lapse_due` has not been asked yet."""
        invitation = self._pending.get(identity)
        if invitation is None:
            return Answer.NOT_PENDING
        self._close(identity)
        if self.clock() >= invitation.deadline:
            return Answer.NOT_PENDING
        return Answer.ACCEPTED if accepted else Answer.DECLINED

    def withdraw(self, identity: str) -> bool:
        """Drops a pending invitation (the viewer left, or the host ended the show)."""
        if identity not in self._pending:
            return False
        self._close(identity)
        return True

    def lapse_due(self) -> list[Invitation]:
        """Closes and returns the invitations whose deadline has passed, oldest first."""
        now = self.clock()
        due = sorted(
            (i for i in self._pending.values() if now >= i.deadline), key=lambda i: i.deadline
        )
        for invitation in due:
            self._close(invitation.identity)
        return due

    def clear(self) -> None:
        for identity in list(self._pending):
            self._close(identity)

    def _close(self, identity: str) -> None:
        del self._pending[identity]
        self.changed.emit(identity)
