"""What the host gives back after a LiveKit restart, on a clock the test turns."""

from __future__ import annotations

from dataclasses import dataclass

from hostdesk.show.mirror import Member
from hostdesk.show.recollection import REMEMBER_FOR, Recollection
from hostdesk.show.roles import Role


@dataclass
class Clock:
    now: float = 50.0

    def __call__(self) -> float:
        return self.now


def viewer(identity: str, hand: int | None = None) -> Member:
    return Member(identity, identity.title(), Role.VIEWER, hand_raised_at=hand)


def guest(identity: str, since: int | None = None) -> Member:
    return Member(identity, identity.title(), Role.GUEST, on_stage_since=since)


def test_after_a_server_restart_the_guest_and_the_hands_come_back_in_their_order() -> None:
    clock = Clock()
    memory = Recollection(clock)
    before = {
        "star": guest("star"),
        "ann": viewer("ann", hand=1_000),
        "bob": viewer("bob", hand=3_000),
        "cat": viewer("cat", hand=2_000),
        "dan": viewer("dan"),
    }
    for member in before.values():
        memory.arrived(member)

    memory.connection_lost()
    clock.now += 5
    for identity in before:
        memory.left(identity)
    # The new room: everyone is a viewer with the hand down, as their tokens say.
    after = {identity: viewer(identity) for identity in before}
    given_back = {i: memory.returned(m) for i, m in after.items()}

    assert given_back["star"] is not None and given_back["star"].role is Role.GUEST
    hands = {i: r.hand_raised_at for i, r in given_back.items() if r and r.hand_raised_at}
    assert sorted(hands, key=hands.__getitem__) == ["ann", "cat", "bob"]
    assert hands == {"ann": 1_000, "cat": 2_000, "bob": 3_000}
    assert given_back["dan"] is None
    assert memory.restoring

    # What the server re-applied arrives; the restore ends once everyone is whole.
    restored = dict(after, star=guest("star"), ann=viewer("ann", 1_000), bob=viewer("bob", 3_000))
    memory.settle(restored)
    assert memory.restoring  # cat is still without her hand
    restored["cat"] = viewer("cat", 2_000)
    memory.settle(restored)
    assert not memory.restoring


def test_while_restoring_what_livekit_reports_is_not_believed() -> None:
    clock = Clock()
    memory = Recollection(clock)
    memory.arrived(guest("star"))
    memory.connection_lost()

    memory.changed(viewer("star"))  # the restarted server's view, not the truth

    old = memory.returned(viewer("star"))
    assert old is not None and old.role is Role.GUEST


def test_outside_a_restore_a_change_is_the_truth() -> None:
    clock = Clock()
    memory = Recollection(clock)
    memory.arrived(guest("star"))

    memory.changed(viewer("star"))  # the host demoted them

    assert memory.returned(viewer("star")) is None


def test_a_guest_who_rejoins_with_their_viewer_token_is_put_back_on_stage() -> None:
    clock = Clock()
    memory = Recollection(clock)
    memory.arrived(guest("star"))
    memory.left("star")
    clock.now += 30

    old = memory.returned(viewer("star"))

    assert old is not None and old.role is Role.GUEST


def test_nothing_is_given_back_after_the_memory_lapses_or_when_removed() -> None:
    clock = Clock()
    memory = Recollection(clock)
    memory.arrived(guest("star"))
    memory.arrived(viewer("ann", hand=1_000))
    memory.left("star")
    memory.left("ann")
    memory.forget("ann")  # the host removed her
    clock.now += REMEMBER_FOR + 1

    assert memory.returned(viewer("star")) is None
    assert memory.returned(viewer("ann")) is None


def test_the_restore_ends_by_itself_after_the_memory_lapses() -> None:
    clock = Clock()
    memory = Recollection(clock)
    memory.arrived(guest("star"))
    memory.connection_lost()
    assert memory.restoring
    clock.now += REMEMBER_FOR
    assert not memory.restoring


def test_a_guest_comes_back_with_the_time_they_went_on_stage() -> None:
    clock = Clock()
    memory = Recollection(clock)
    memory.arrived(guest("star", since=1_704_067_200_000))
    memory.connection_lost()
    clock.now += 5
    memory.left("star")

    old = memory.returned(viewer("star"))

    assert old is not None and old.role is Role.GUEST
    assert old.on_stage_since == 1_704_067_200_000
    memory.settle({"star": guest("star", since=1_704_067_200_000)})
    assert not memory.restoring


def test_a_guest_back_on_stage_without_their_clock_has_lost_it() -> None:
    clock = Clock()
    memory = Recollection(clock)
    memory.arrived(guest("star", since=1_704_067_200_000))
    memory.connection_lost()

    old = memory.returned(guest("star"))  # a guest again, as their guest token says

    assert old is not None and old.on_stage_since == 1_704_067_200_000
    memory.settle({"star": guest("star")})
    assert memory.restoring  # not whole until the clock is back
    assert memory.returned(guest("star", since=1_704_067_200_000)) is None


def test_a_guest_whose_clock_was_never_written_is_whole_without_one() -> None:
    clock = Clock()
    memory = Recollection(clock)
    memory.arrived(guest("star"))  # on stage from before the clock existed
    memory.connection_lost()
    assert memory.returned(guest("star")) is None
