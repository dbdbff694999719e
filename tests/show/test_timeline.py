"""A recording's timeline (hostdesk/show/timeline.py): what the mirror reports becomes events at
the right times since the recording started, chapters follow who is on stage, and the sidecar
reads back whole (JSON, and CSV through csv.reader with awkward names)."""

from __future__ import annotations

import csv
import io
import json

from hostdesk.show.backstage import backstage_attributes
from hostdesk.show.invitations import Invitations
from hostdesk.show.mirror import ShowMirror
from hostdesk.show.participants import QUESTION_ATTRIBUTE, Participant, hand_attributes
from hostdesk.show.timeline import (
    CSV_HEADER,
    Chapter,
    Kind,
    Timeline,
    TimelineFeed,
    stage_title,
)
from tests.support.people import guest, viewer

HOST = "host-1"
EPOCH_MS = 1_800_000_000_000


class Clock:
    """A monotonic clock the test moves; the wall clock follows it from EPOCH_MS."""

    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now

    def wall_ms(self) -> int:
        return EPOCH_MS + round(self.now * 1000)


def recording(
    clock: Clock, mirror: ShowMirror | None = None
) -> tuple[Timeline, TimelineFeed, ShowMirror]:
    mirror = mirror or ShowMirror(local_identity=HOST, invitations=Invitations(clock))
    timeline = Timeline(HOST, "Jane Host", clock, clock.wall_ms)
    feed = TimelineFeed(timeline, mirror)
    feed.attach()
    return timeline, feed, mirror


def asking(identity: str, name: str, question: str, hand: int = 1_000) -> Participant:
    participant = viewer(identity, name, hand=hand)
    return Participant(
        participant.identity,
        participant.name,
        metadata=participant.metadata,
        attributes={**hand_attributes(hand), QUESTION_ATTRIBUTE: question},
    )


def kinds(timeline: Timeline) -> list[tuple[float, Kind, str, str]]:
    return [(e.at_s, e.kind, e.identity, e.detail) for e in timeline.events]


def test_a_guest_coming_and_going_makes_chapters_at_the_right_times() -> None:
    clock = Clock()
    timeline, _, mirror = recording(clock)
    mirror.seen(viewer("ann", "Ann"))
    clock.now += 12.5
    mirror.seen(guest("ann", "Ann"))
    clock.now += 30.0
    mirror.seen(guest("bob", "Bob"))
    clock.now += 20.0
    mirror.seen(viewer("ann", "Ann"))  # demoted
    clock.now += 7.25
    mirror.left("bob")
    clock.now += 1.0
    timeline.stop()

    assert timeline.chapters() == [
        Chapter(0.0, "Jane Host"),
        Chapter(12.5, "Jane Host with Ann"),
        Chapter(42.5, "Jane Host with Ann and Bob"),
        Chapter(62.5, "Jane Host with Bob"),
        Chapter(69.75, "Jane Host"),
    ]
    assert kinds(timeline)[-1] == (70.75, Kind.RECORDING_STOPPED, HOST, "")
    assert timeline.events[1].wall_ms == EPOCH_MS + 112_500


def test_chapter_titles_name_everyone_on_stage_in_order() -> None:
    assert stage_title("Jane Host", []) == "Jane Host"
    assert stage_title("Jane Host", ["Ann", "Bob", "Cy"]) == "Jane Host with Ann, Bob and Cy"


def test_guests_on_stage_when_the_recording_starts_are_in_its_first_chapter() -> None:
    clock = Clock()
    mirror = ShowMirror(local_identity=HOST, invitations=Invitations(clock))
    mirror.seen(guest("ann", "Ann"))
    mirror.seen(viewer("bob", "Bob", hand=5))
    timeline, _, _ = recording(clock, mirror)

    assert timeline.chapters() == [Chapter(0.0, "Jane Host with Ann")]
    assert [(e.kind, e.identity) for e in timeline.events] == [
        (Kind.RECORDING_STARTED, HOST),
        (Kind.ON_STAGE, "ann"),
        (Kind.HAND_RAISED, "bob"),
    ]


def test_a_change_back_to_the_same_stage_at_the_same_moment_makes_no_chapter() -> None:
    clock = Clock()
    timeline, _, mirror = recording(clock)
    clock.now += 5
    mirror.seen(guest("ann", "Ann"))
    mirror.left("ann")

    assert timeline.chapters() == [Chapter(0.0, "Jane Host")]


def test_hands_and_questions_are_recorded_and_a_guest_comes_on_with_their_question() -> None:
    clock = Clock()
    timeline, _, mirror = recording(clock)
    mirror.seen(viewer("ann", "Ann"))
    clock.now += 1
    mirror.seen(asking("ann", "Ann", "What about latency?"))
    clock.now += 1
    mirror.seen(asking("ann", "Ann", "What about jitter?"))
    clock.now += 1
    mirror.seen(guest("ann", "Ann"))  # the promotion lowers the hand in the same update

    assert kinds(timeline)[1:] == [
        (1.0, Kind.HAND_RAISED, "ann", "What about latency?"),
        (2.0, Kind.QUESTION_CHANGED, "ann", "What about jitter?"),
        (3.0, Kind.HAND_LOWERED, "ann", ""),
        (3.0, Kind.ON_STAGE, "ann", "What about jitter?"),
    ]

    mirror.seen(viewer("ann", "Ann"))
    mirror.seen(guest("ann", "Ann"))
    assert kinds(timeline)[-2:] == [
        (3.0, Kind.OFF_STAGE, "ann", ""),
        (3.0, Kind.ON_STAGE, "ann", ""),
    ], "a question is for one time on stage"


def test_a_question_the_host_took_or_a_hand_lowered_is_not_carried_on_stage() -> None:
    clock = Clock()
    timeline, _, mirror = recording(clock)
    mirror.seen(asking("ann", "Ann", "troll words"))
    mirror.seen(viewer("ann", "Ann", hand=1_000))  # the host took the question
    mirror.seen(asking("bob", "Bob", "a fine question"))
    mirror.seen(viewer("bob", "Bob"))  # lowered by Bob
    mirror.seen(guest("ann", "Ann"))
    mirror.seen(guest("bob", "Bob"))

    on_stage = [(e.identity, e.detail) for e in timeline.events if e.kind is Kind.ON_STAGE]
    assert on_stage == [("ann", ""), ("bob", "")]


def test_backstage_in_and_out_and_take_live_keep_the_question() -> None:
    clock = Clock()
    timeline, _, mirror = recording(clock)
    mirror.seen(asking("ann", "Ann", "Can I demo?"))
    backstage = Participant(
        "ann",
        "Ann",
        metadata=viewer("ann", "Ann").metadata,
        attributes=backstage_attributes(True),
    )
    mirror.seen(backstage)
    mirror.seen(guest("ann", "Ann"))

    assert [(e.kind, e.detail) for e in timeline.events[1:]] == [
        (Kind.HAND_RAISED, "Can I demo?"),
        (Kind.HAND_LOWERED, ""),
        (Kind.BACKSTAGE_IN, ""),
        (Kind.BACKSTAGE_OUT, ""),
        (Kind.ON_STAGE, "Can I demo?"),
    ]


def test_invitations_sent_answered_and_lapsed() -> None:
    clock = Clock()
    timeline, feed, mirror = recording(clock)
    for identity in ("ann", "bob", "cy"):
        mirror.seen(viewer(identity))
        mirror.invitations.open(identity, clock.wall_ms())
    clock.now += 2
    feed.invitation_answered("ann", mirror.invitations.answer("ann", True))
    feed.invitation_answered("bob", mirror.invitations.answer("bob", False))
    clock.now += 60
    mirror.invitations.lapse_due()

    assert [(e.at_s, e.kind, e.name) for e in timeline.events[1:]] == [
        (0.0, Kind.INVITATION_SENT, "Ann"),
        (0.0, Kind.INVITATION_SENT, "Bob"),
        (0.0, Kind.INVITATION_SENT, "Cy"),
        (2.0, Kind.INVITATION_ACCEPTED, "Ann"),
        (2.0, Kind.INVITATION_DECLINED, "Bob"),
        (62.0, Kind.INVITATION_LAPSED, "Cy"),
    ]


def test_an_invitation_withdrawn_when_the_viewer_leaves_is_not_a_lapse() -> None:
    clock = Clock()
    timeline, _, mirror = recording(clock)
    mirror.seen(viewer("ann"))
    mirror.invitations.open("ann", 1)
    mirror.left("ann")
    mirror.invitations.withdraw("ann")

    assert [e.kind for e in timeline.events] == [Kind.RECORDING_STARTED, Kind.INVITATION_SENT]


def test_shares_and_the_stop_are_recorded_and_nothing_after_it() -> None:
    clock = Clock()
    timeline, feed, mirror = recording(clock)
    mirror.seen(guest("ann", "Ann"))
    clock.now += 3
    feed.share_started("ann")
    feed.share_started(HOST)
    clock.now += 4
    feed.share_stopped("ann")
    timeline.stop()
    feed.share_stopped(HOST)
    feed.detach()
    mirror.left("ann")

    assert [(e.at_s, e.kind, e.name) for e in timeline.events[2:]] == [
        (3.0, Kind.SHARE_STARTED, "Ann"),
        (3.0, Kind.SHARE_STARTED, "Jane Host"),
        (7.0, Kind.SHARE_STOPPED, "Ann"),
        (7.0, Kind.RECORDING_STOPPED, "Jane Host"),
    ]


AWKWARD = [
    'Ann "The Voice", Jr.',
    "Bob\nSecond line",
    "Zoë, 東京",
    '=HYPERLINK("http://x")',
    "  spaced  ",
]


def test_the_csv_reads_back_through_csv_reader_with_awkward_names() -> None:
    clock = Clock()
    timeline, _, mirror = recording(clock)
    for number, name in enumerate(AWKWARD):
        clock.now += 1.25
        mirror.seen(guest(f"g{number}", name))

    rows = list(csv.reader(io.StringIO(timeline.to_csv(), newline="")))

    assert tuple(rows[0]) == CSV_HEADER
    assert [row[4] for row in rows[2:]] == [
        'Ann "The Voice", Jr.',
        "Bob\nSecond line",
        "Zoë, 東京",
        '\'=HYPERLINK("http://x")',  # a spreadsheet shows it, never runs it
        "  spaced  ",
    ]
    assert [row[2] for row in rows[1:3]] == ["recording_started", "on_stage"]
    assert [row[0] for row in rows[1:4]] == ["0.000", "1.250", "2.500"]
    assert [int(row[1]) for row in rows[1:3]] == [EPOCH_MS + 100_000, EPOCH_MS + 101_250]


def test_the_json_sidecar_holds_the_events_and_the_chapters() -> None:
    clock = Clock()
    timeline, _, mirror = recording(clock)
    clock.now += 2
    mirror.seen(guest("ann", AWKWARD[0]))
    timeline.stop()

    document = json.loads(timeline.to_json())

    assert document["version"] == 1
    assert document["host"] == {"identity": HOST, "name": "Jane Host"}
    assert document["startedAtMs"] == EPOCH_MS + 100_000
    assert document["events"][1] == {
        "timeS": 2.0,
        "wallMs": EPOCH_MS + 102_000,
        "event": "on_stage",
        "identity": "ann",
        "name": AWKWARD[0],
        "detail": "",
    }
    assert document["chapters"] == [
        {"startS": 0.0, "title": "Jane Host"},
        {"startS": 2.0, "title": 'Jane Host with Ann "The Voice", Jr.'},
    ]
