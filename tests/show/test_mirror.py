"""The show mirror: the audience in arrival order, the hands in the order they were raised, and
events that say what changed row by row.

The mirror changes a list first and then emits, so an event's index is read against the list
as it is *after* the change for an insertion, and as it *was* before it for a removal. The
`Shadow` below replays the events on its own lists, as the Qt models do, and checks at every
event that the index fits; the tests then compare its lists with the mirror's.
"""

from __future__ import annotations

import itertools
import logging
import random
from dataclasses import dataclass, field

import pytest

from hostdesk.show.mirror import (
    ChatLine,
    Entered,
    Left,
    Member,
    MicrophoneChanged,
    QualityChanged,
    Seen,
    ShowMirror,
    VideoChanged,
)
from hostdesk.show.roles import Role
from tests.support.people import guest, person, viewer

HOST = "host-1"


@dataclass
class Shadow:
    """A copy of `audience` and `hands` kept in step by the events alone."""

    mirror: ShowMirror
    audience: list[str] = field(default_factory=list)
    hands: list[str] = field(default_factory=list)
    log: list[tuple[object, ...]] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.audience = list(self.mirror.audience)
        self.hands = list(self.mirror.hands)
        m = self.mirror
        m.member_added.connect(lambda i, member: self._added("member_added", i, member))
        m.member_changed.connect(self._changed)
        m.member_removed.connect(lambda i, member: self._removed("member_removed", i, member))
        m.hand_added.connect(lambda i, member: self._added("hand_added", i, member))
        m.hand_removed.connect(lambda i, member: self._removed("hand_removed", i, member))
        m.stage_changed.connect(lambda: self.log.append(("stage_changed",)))
        m.chat_added.connect(lambda line: self.log.append(("chat_added", line.text)))

    def _lists(self, event: str) -> tuple[list[str], list[str]]:
        if event.startswith("member"):
            return self.audience, self.mirror.audience
        return self.hands, self.mirror.hands

    def _added(self, event: str, index: int, member: Member) -> None:
        mine, theirs = self._lists(event)
        # Already in the mirror's list, at that index; not yet in ours (Qt's begin comes here).
        assert theirs[index] == member.identity
        assert member.identity not in mine
        assert 0 <= index <= len(mine)
        mine.insert(index, member.identity)
        self.log.append((event, index, member.identity))

    def _removed(self, event: str, index: int, member: Member) -> None:
        mine, theirs = self._lists(event)
        # Gone from the mirror's list; still in ours, at the index it had.
        assert member.identity not in theirs
        assert mine[index] == member.identity
        del mine[index]
        self.log.append((event, index, member.identity))

    def _changed(self, index: int, member: Member) -> None:
        assert self.audience[index] == member.identity
        assert self.mirror.audience[index] == member.identity
        assert self.mirror.members[member.identity] == member
        self.log.append(("member_changed", index, member.identity))

    def in_step(self) -> bool:
        return self.audience == self.mirror.audience and self.hands == self.mirror.hands

    def take(self) -> list[tuple[object, ...]]:
        taken, self.log = self.log, []
        return taken


@pytest.fixture
def mirror() -> ShowMirror:
    return ShowMirror(local_identity=HOST)


@pytest.fixture
def shadow(mirror: ShowMirror) -> Shadow:
    return Shadow(mirror)


# -- the audience -----------------------------------------------------------------------------


def test_a_newcomer_is_appended_to_the_audience_and_announced_with_its_index(
    mirror: ShowMirror, shadow: Shadow
) -> None:
    for name in ("ann", "bob", "cat"):
        mirror.seen(viewer(name))

    assert mirror.audience == ["ann", "bob", "cat"]
    assert shadow.take() == [
        ("member_added", 0, "ann"),
        ("member_added", 1, "bob"),
        ("member_added", 2, "cat"),
    ]
    assert shadow.in_step()


def test_the_local_host_is_a_member_but_not_in_the_audience(
    mirror: ShowMirror, shadow: Shadow
) -> None:
    mirror.seen(person(HOST, "Host", Role.HOST))
    mirror.seen(viewer("ann"))
    mirror.set_microphone(HOST, False)

    assert mirror.get(HOST) is not None
    assert mirror.audience == ["ann"]
    assert shadow.take() == [("member_added", 0, "ann")]


def test_a_change_is_announced_with_the_members_index(mirror: ShowMirror, shadow: Shadow) -> None:
    for name in ("ann", "bob", "cat"):
        mirror.seen(viewer(name))
    shadow.take()

    mirror.set_quality("bob", "good")
    mirror.seen(person("cat", "Catherine", Role.VIEWER))

    assert shadow.take() == [("member_changed", 1, "bob"), ("member_changed", 2, "cat")]
    assert mirror.members["cat"].name == "Catherine"


def test_an_update_that_changes_nothing_is_silent(mirror: ShowMirror, shadow: Shadow) -> None:
    mirror.seen(viewer("ann"))
    shadow.take()

    mirror.seen(viewer("ann"))
    mirror.set_microphone("ann", True)

    assert shadow.take() == []


def test_remove_announces_the_index_the_member_had(mirror: ShowMirror, shadow: Shadow) -> None:
    for name in ("ann", "bob", "cat"):
        mirror.seen(viewer(name))
    shadow.take()

    removed = mirror.left("bob")

    assert removed == Member.of(viewer("bob"))
    assert mirror.audience == ["ann", "cat"]
    assert "bob" not in mirror.members
    assert shadow.take() == [("member_removed", 1, "bob")]
    assert shadow.in_step()


def test_removing_or_updating_someone_unknown_does_nothing(
    mirror: ShowMirror, shadow: Shadow
) -> None:
    assert mirror.left("nobody") is None
    assert mirror.set_quality("nobody", "good") is None
    assert shadow.take() == []


# -- the hand queue ---------------------------------------------------------------------------


@pytest.mark.parametrize("order", list(itertools.permutations(range(4))))
def test_hands_are_queued_by_when_they_were_raised_whatever_order_they_arrive_in(
    mirror: ShowMirror, shadow: Shadow, order: tuple[int, ...]
) -> None:
    for name in ("ann", "bob", "cat", "dan"):
        mirror.seen(viewer(name))
    raised_at = {"ann": 1_000, "bob": 2_000, "cat": 3_000, "dan": 4_000}
    names = list(raised_at)
    shadow.take()

    for i in order:
        mirror.hand_seen(names[i], raised_at[names[i]])
        assert shadow.in_step()

    assert mirror.hands == ["ann", "bob", "cat", "dan"]
    assert [m.identity for m in mirror.hand_queue()] == mirror.hands
    added = [entry for entry in shadow.take() if entry[0] == "hand_added"]
    assert len(added) == 4


def test_a_hand_raised_earlier_is_inserted_at_its_place(mirror: ShowMirror, shadow: Shadow) -> None:
    mirror.seen(viewer("ann", hand=3_000))
    mirror.seen(viewer("bob", hand=1_000))
    mirror.seen(viewer("cat", hand=2_000))

    hands = [entry for entry in shadow.take() if entry[0] == "hand_added"]
    assert hands == [("hand_added", 0, "ann"), ("hand_added", 0, "bob"), ("hand_added", 1, "cat")]
    assert mirror.hands == ["bob", "cat", "ann"]


def test_hands_raised_at_the_same_moment_are_ordered_by_identity(mirror: ShowMirror) -> None:
    mirror.seen(viewer("zoe", hand=5_000))
    mirror.seen(viewer("amy", hand=5_000))

    assert mirror.hands == ["amy", "zoe"]


def test_lowering_a_hand_announces_the_index_it_had(mirror: ShowMirror, shadow: Shadow) -> None:
    for i, name in enumerate(("ann", "bob", "cat")):
        mirror.seen(viewer(name, hand=1_000 + i))
    shadow.take()

    mirror.hand_seen("bob", None)

    assert shadow.take() == [("member_changed", 1, "bob"), ("hand_removed", 1, "bob")]
    assert mirror.hands == ["ann", "cat"]
    assert shadow.in_step()


def test_a_new_time_for_a_raised_hand_moves_it(mirror: ShowMirror, shadow: Shadow) -> None:
    for i, name in enumerate(("ann", "bob", "cat")):
        mirror.seen(viewer(name, hand=1_000 + i))
    shadow.take()

    mirror.hand_seen("ann", 9_000)  # the server's time replaces the instant one

    assert mirror.hands == ["bob", "cat", "ann"]
    assert shadow.take() == [
        ("member_changed", 0, "ann"),
        ("hand_removed", 0, "ann"),
        ("hand_added", 2, "ann"),
    ]


def test_a_member_who_leaves_with_a_raised_hand_leaves_the_queue(
    mirror: ShowMirror, shadow: Shadow
) -> None:
    mirror.seen(viewer("ann", hand=1_000))
    mirror.seen(viewer("bob", hand=2_000))
    shadow.take()

    mirror.left("ann")

    assert shadow.take() == [("hand_removed", 0, "ann"), ("member_removed", 0, "ann")]
    assert shadow.in_step()


def test_only_viewers_have_a_place_in_the_hand_queue(mirror: ShowMirror) -> None:
    mirror.seen(person("odd", "Odd", None, 1_000))
    mirror.seen(person("star", "Star", Role.GUEST, 1_000))

    assert mirror.hands == []


# -- the stage --------------------------------------------------------------------------------


def test_a_viewer_promoted_to_guest_leaves_the_hand_queue_and_the_stage_changes(
    mirror: ShowMirror, shadow: Shadow
) -> None:
    mirror.seen(viewer("ann", hand=1_000))
    mirror.seen(viewer("bob", hand=2_000))
    shadow.take()

    mirror.seen(guest("ann"))

    assert mirror.hands == ["bob"]
    assert [m.identity for m in mirror.guests] == ["ann"]
    assert shadow.take() == [
        ("member_changed", 0, "ann"),
        ("hand_removed", 0, "ann"),
        ("stage_changed",),
    ]


def test_the_stage_changes_when_the_guest_is_demoted_or_leaves(
    mirror: ShowMirror, shadow: Shadow
) -> None:
    mirror.seen(guest("ann"))
    mirror.seen(guest("bob"))
    shadow.take()

    mirror.seen(viewer("ann"))
    assert ("stage_changed",) in shadow.take()

    mirror.left("bob")
    assert shadow.take() == [("member_removed", 1, "bob"), ("stage_changed",)]
    assert mirror.guests == []


def test_the_stage_does_not_change_for_viewers(mirror: ShowMirror, shadow: Shadow) -> None:
    mirror.seen(guest("star"))
    shadow.take()

    mirror.seen(viewer("ann"))
    mirror.hand_seen("ann", 1_000)
    mirror.set_microphone("star", False)
    mirror.left("ann")

    assert ("stage_changed",) not in shadow.take()


# -- updates and invitations ------------------------------------------------------------------


def test_media_facts_change_their_field_and_keep_the_others(mirror: ShowMirror) -> None:
    mirror.seen(viewer("ann", hand=1_000, joined_at=42))

    mirror.set_quality("ann", "good")
    mirror.set_microphone("ann", False)
    mirror.set_video("ann", True)

    expected = Member(
        "ann", "Ann", Role.VIEWER, 1_000, 42, mic_muted=False, has_video=True, quality="good"
    )
    assert mirror.get("ann") == expected
    assert mirror.hands == ["ann"]


def test_what_livekit_says_again_keeps_the_media_state(mirror: ShowMirror) -> None:
    mirror.seen(viewer("ann"))
    mirror.set_video("ann", True)

    mirror.seen(person("ann", "Ann Renamed", Role.VIEWER))

    member = mirror.get("ann")
    assert member is not None
    assert (member.name, member.has_video) == ("Ann Renamed", True)


def test_an_early_hand_is_only_a_viewers(mirror: ShowMirror, shadow: Shadow) -> None:
    mirror.seen(guest("star"))
    mirror.seen(person("odd", "Odd", None))
    shadow.take()

    mirror.hand_seen("star", 1_000)
    mirror.hand_seen("odd", 1_000)

    assert mirror.hands == []
    assert shadow.take() == []


def test_entering_the_room_drops_who_left_meanwhile_and_adds_who_is_there(
    mirror: ShowMirror, shadow: Shadow
) -> None:
    mirror.seen(viewer("ann", hand=1_000))
    mirror.seen(viewer("bob"))
    shadow.take()

    mirror.apply(Entered(HOST, (viewer("bob"), viewer("cat", hand=2_000))))

    assert mirror.audience == ["bob", "cat"]
    assert mirror.hands == ["cat"]
    assert shadow.in_step()


def test_facts_are_applied_to_the_member_they_name(mirror: ShowMirror) -> None:
    mirror.apply(Seen(viewer("ann"), arrived=True))
    mirror.apply(MicrophoneChanged("ann", False))
    mirror.apply(VideoChanged("ann", True))
    mirror.apply(QualityChanged("ann", "poor"))
    member = mirror.get("ann")
    assert member is not None
    assert (member.mic_muted, member.has_video, member.quality) == (False, True, "poor")

    mirror.apply(Left("ann"))
    assert mirror.get("ann") is None


def test_a_new_show_empties_the_invitations(mirror: ShowMirror) -> None:
    mirror.seen(viewer("ann"))
    mirror.invitations.open("ann", 5_000)

    mirror.reset(HOST)

    assert "ann" not in mirror.invitations


# -- clearing, chat, listeners ----------------------------------------------------------------


def test_clear_empties_everything_and_announces_each_removal(
    mirror: ShowMirror, shadow: Shadow
) -> None:
    mirror.seen(person(HOST, "Host", Role.HOST))
    mirror.seen(viewer("ann", hand=1_000))
    mirror.seen(guest("star"))
    mirror.seen(viewer("bob", hand=2_000))
    shadow.take()

    mirror.reset(HOST)

    assert (mirror.members, mirror.audience, mirror.hands) == ({}, [], [])
    assert shadow.in_step()
    log = shadow.take()
    assert sorted(e[2] for e in log if e[0] == "member_removed") == ["ann", "bob", "star"]
    assert sorted(e[2] for e in log if e[0] == "hand_removed") == ["ann", "bob"]
    assert ("stage_changed",) in log


def test_clear_leaves_no_hand_of_a_member_outside_the_audience(mirror: ShowMirror) -> None:
    # A member upserted as the local identity (not in the audience) with a raised hand.
    mirror.seen(person(HOST, "Host", Role.VIEWER, 1_000))

    mirror.reset(HOST)
    mirror.seen(viewer("ann", hand=2_000))  # bisects over the queue's members

    assert mirror.hands == ["ann"]


def test_chat_lines_are_kept_in_order_and_announced(mirror: ShowMirror, shadow: Shadow) -> None:
    mirror.add_chat(ChatLine("ann", "Ann", "hello", 1))
    mirror.add_chat(ChatLine(HOST, "Host", "welcome", 2, own=True))

    assert [line.text for line in mirror.chat] == ["hello", "welcome"]
    assert shadow.take() == [("chat_added", "hello"), ("chat_added", "welcome")]


def test_a_listener_that_raises_does_not_stop_the_others(
    mirror: ShowMirror, caplog: pytest.LogCaptureFixture
) -> None:
    heard: list[str] = []

    def broken(_index: int, _member: Member) -> None:
        raise RuntimeError("broken listener")

    mirror.member_added.connect(broken)
    mirror.member_added.connect(lambda _i, member: heard.append(member.identity))

    with caplog.at_level(logging.ERROR, logger="hostdesk.show"):
        mirror.seen(viewer("ann"))

    assert heard == ["ann"]
    assert mirror.audience == ["ann"]
    assert any(record.exc_info for record in caplog.records)


# -- everything at once -----------------------------------------------------------------------


def test_events_replayed_in_order_rebuild_the_audience_and_the_queue(
    mirror: ShowMirror, shadow: Shadow
) -> None:
    rng = random.Random(20240517)
    names = [f"p{i:02d}" for i in range(30)]
    for _ in range(2_000):
        name = rng.choice(names)
        action = rng.randrange(6)
        if action == 0:
            mirror.left(name)
        elif action == 1:
            mirror.seen(person(name, name, rng.choice(list(Role)), rng.choice([None, 7, 9])))
        elif action == 2:
            mirror.hand_seen(name, rng.choice([None, rng.randrange(1, 100)]))
        elif action == 3:
            mirror.set_quality(name, rng.choice(["good", "poor"]))
        elif action == 4:
            mirror.seen(viewer(name, hand=rng.choice([None, rng.randrange(1, 100)])))
        else:
            mirror.seen(person(name, name, rng.choice([Role.VIEWER, Role.GUEST])))
        assert shadow.in_step()
        keys = [(mirror.members[i].hand_raised_at or 0, i) for i in mirror.hands]
        assert keys == sorted(keys)
        assert all(mirror.members[i].role is Role.VIEWER for i in mirror.hands)
        assert HOST not in mirror.audience
