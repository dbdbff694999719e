"""Invitations to the stage, on a clock the test turns: expiry, answers, a second invitation."""

from __future__ import annotations

from dataclasses import dataclass

from hostdesk.show import rules
from hostdesk.show.invitations import Answer, Invitations


@dataclass
class Clock:
    now: float = 1_000.0

    def __call__(self) -> float:
        return self.now


def store() -> tuple[Invitations, Clock, list[str]]:
    clock = Clock()
    invitations = Invitations(clock)
    changes: list[str] = []
    invitations.changed.connect(changes.append)
    return invitations, clock, changes


def test_an_invitation_is_pending_until_its_timeout_from_the_rules() -> None:
    invitations, clock, changes = store()

    invitation = invitations.open("ann", sent_at_ms=5_000)

    assert invitation.deadline == clock.now + rules.INVITE_TIMEOUT_S
    assert "ann" in invitations and invitations.next_deadline() == invitation.deadline
    assert changes == ["ann"]
    clock.now += rules.INVITE_TIMEOUT_S - 0.001
    assert invitations.lapse_due() == []
    clock.now += 0.001
    assert invitations.lapse_due() == [invitation]
    assert "ann" not in invitations and invitations.next_deadline() is None
    assert changes == ["ann", "ann"]


def test_accepting_and_declining_close_the_invitation_once() -> None:
    invitations, _clock, _ = store()
    invitations.open("ann", 1)
    invitations.open("bob", 2)

    assert invitations.answer("ann", accepted=True) is Answer.ACCEPTED
    assert invitations.answer("bob", accepted=False) is Answer.DECLINED
    # A second answer (a retried packet, a troll) finds nothing pending.
    assert invitations.answer("ann", accepted=True) is Answer.NOT_PENDING
    assert invitations.answer("cat", accepted=True) is Answer.NOT_PENDING
    assert len(invitations) == 0


def test_an_answer_after_the_deadline_is_too_late_even_before_anyone_asked() -> None:
    invitations, clock, _ = store()
    invitations.open("ann", 1)
    clock.now += rules.INVITE_TIMEOUT_S

    assert invitations.answer("ann", accepted=True) is Answer.NOT_PENDING
    assert invitations.lapse_due() == []


def test_a_second_invitation_while_the_first_is_pending() -> None:
    invitations, clock, changes = store()
    first = invitations.open("ann", 1)
    clock.now += 10

    # The same viewer again: the pending invitation stays as it was (no second deadline).
    assert invitations.open("ann", 2) == first
    # Another viewer: both are pending, each with its own deadline.
    second = invitations.open("bob", 3)
    assert second.deadline == first.deadline + 10
    assert invitations.next_deadline() == first.deadline
    assert changes == ["ann", "bob"]

    clock.now = first.deadline
    assert [i.identity for i in invitations.lapse_due()] == ["ann"]
    assert invitations.answer("bob", accepted=True) is Answer.ACCEPTED


def test_withdrawing_when_the_viewer_leaves() -> None:
    invitations, _clock, changes = store()
    invitations.open("ann", 1)

    assert invitations.withdraw("ann") is True
    assert invitations.withdraw("ann") is False
    assert changes == ["ann", "ann"]
