"""The Qt models over the show mirror: one row inserted, removed or changed per event, never a
reset per event; every model is watched by Qt's QAbstractItemModelTester, whose complaints
(warnings) fail the test."""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Iterator
from dataclasses import replace
from typing import Any

import pytest
from PySide6.QtCore import (
    QAbstractItemModel,
    QMessageLogContext,
    QModelIndex,
    QObject,
    Qt,
    QtMsgType,
    qInstallMessageHandler,
)
from PySide6.QtTest import QAbstractItemModelTester
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from hostdesk.show.backstage import BACKSTAGE_ATTRIBUTE
from hostdesk.show.mirror import ChatLine, ShowMirror
from hostdesk.show.participants import Participant, question_attributes
from hostdesk.show.roles import Role
from hostdesk.ui.chat_model import CHAT_LINES, ChatModel
from hostdesk.ui.models import (
    AudienceFilter,
    AudienceModel,
    HandQueueModel,
)
from tests.support.people import guest, person, viewer

HOST = "host-1"
DISPLAY = Qt.ItemDataRole.DisplayRole
MINUTE = 60_000


class Clock:
    def __init__(self, now: int = 100 * MINUTE) -> None:
        self.now = now

    def __call__(self) -> int:
        return self.now


class Recorder:
    """The structural signals of a model, as (signal, first, last) tuples."""

    def __init__(self, model: QAbstractItemModel) -> None:
        self.log: list[tuple[str, int, int]] = []
        model.rowsInserted.connect(lambda _p, first, last: self.log.append(("ins", first, last)))
        model.rowsRemoved.connect(lambda _p, first, last: self.log.append(("rem", first, last)))
        model.dataChanged.connect(
            lambda top, bottom, _roles: self.log.append(("chg", top.row(), bottom.row()))
        )
        model.modelReset.connect(lambda: self.log.append(("reset", -1, -1)))
        model.layoutChanged.connect(lambda: self.log.append(("layout", -1, -1)))

    def take(self) -> list[tuple[str, int, int]]:
        taken, self.log = self.log, []
        return taken


Tested = Callable[[QAbstractItemModel], QAbstractItemModel]


@pytest.fixture
def tested(qapp: QApplication) -> Iterator[Tested]:
    """Attaches a QAbstractItemModelTester to a model; any Qt warning fails the test."""
    warnings: list[str] = []
    testers: list[QAbstractItemModelTester] = []

    def handler(kind: QtMsgType, context: QMessageLogContext, message: str) -> None:
        if kind in (QtMsgType.QtWarningMsg, QtMsgType.QtCriticalMsg, QtMsgType.QtFatalMsg):
            warnings.append(message)
        if previous is not None:
            previous(kind, context, message)

    previous = qInstallMessageHandler(handler)

    def attach(model: QAbstractItemModel) -> QAbstractItemModel:
        mode = QAbstractItemModelTester.FailureReportingMode.Warning
        testers.append(QAbstractItemModelTester(model, mode))
        return model

    yield attach
    qInstallMessageHandler(previous)
    assert warnings == [], "\n".join(warnings)


@pytest.fixture
def mirror() -> ShowMirror:
    return ShowMirror(local_identity=HOST)


def rows(model: QAbstractItemModel, role: int = DISPLAY) -> list[Any]:
    return [model.index(row, 0).data(role) for row in range(model.rowCount())]


def audience(mirror: ShowMirror, tested: Tested, parent: QObject | None = None) -> AudienceModel:
    model = AudienceModel(mirror, parent)
    tested(model)
    return model


def queue(mirror: ShowMirror, tested: Tested, clock: Clock) -> HandQueueModel:
    model = HandQueueModel(mirror, now_ms=clock)
    tested(model)
    return model


# -- the audience -----------------------------------------------------------------------------


def test_audience_rows_are_everyone_but_the_host_in_arrival_order(
    mirror: ShowMirror, tested: Tested
) -> None:
    model = audience(mirror, tested)
    mirror.seen(person(HOST, "The Host", Role.HOST))
    mirror.seen(viewer("ann"))
    mirror.seen(viewer("bob", hand=1_000))
    mirror.seen(guest("star", "Star Guest"))
    mirror.seen(viewer("cat"))
    mirror.invitations.open("cat", 2_000)
    mirror.seen(viewer("dan", hand=500))
    mirror.invitations.open("dan", 2_000)
    mirror.seen(replace(viewer("eve"), attributes={BACKSTAGE_ATTRIBUTE: "1"}))

    assert rows(model) == [
        "Ann",
        "Bob · hand up",
        "Star Guest — on stage",
        "Cat — invited",
        "Dan · hand up — invited",
        "Eve — backstage",
    ]
    identities = ["ann", "bob", "star", "cat", "dan", "eve"]
    assert [model.identity_at(row) for row in range(6)] == identities
    assert model.identity_at(6) is None and model.identity_at(-1) is None


def test_audience_roles_carry_identity_role_hand_and_invitation(
    mirror: ShowMirror, tested: Tested
) -> None:
    model = audience(mirror, tested)
    mirror.seen(viewer("ann", hand=1_700_000_000_123))
    mirror.seen(guest("star"))
    mirror.invitations.open("ann", 1)

    assert rows(model, AudienceModel.IdentityRole) == ["ann", "star"]
    assert rows(model, AudienceModel.RoleRole) == ["viewer", "guest"]
    assert rows(model, AudienceModel.HandRole) == [1_700_000_000_123, None]
    assert rows(model, AudienceModel.InvitedRole) == [True, False]
    names = model.roleNames()
    for role, name in [
        (AudienceModel.IdentityRole, b"identity"),
        (AudienceModel.RoleRole, b"role"),
        (AudienceModel.HandRole, b"handRaisedAt"),
        (AudienceModel.InvitedRole, b"invited"),
        (DISPLAY, b"display"),
    ]:
        assert names[role].data() == name


def test_audience_changes_row_by_row_never_resetting(mirror: ShowMirror, tested: Tested) -> None:
    model = audience(mirror, tested)
    seen = Recorder(model)

    for name in ("ann", "bob", "cat"):
        mirror.seen(viewer(name))
    assert seen.take() == [("ins", 0, 0), ("ins", 1, 1), ("ins", 2, 2)]

    mirror.hand_seen("bob", 1_000)
    assert seen.take() == [("chg", 1, 1)]
    assert rows(model)[1] == "Bob · hand up"

    mirror.left("ann")
    assert seen.take() == [("rem", 0, 0)]
    assert rows(model) == ["Bob · hand up", "Cat"]

    mirror.reset(HOST)
    assert seen.take() == [("rem", 0, 0), ("rem", 0, 0)]
    assert model.rowCount() == 0


def test_audience_count_is_viewers_only(mirror: ShowMirror, tested: Tested) -> None:
    model = audience(mirror, tested)
    counts: list[int] = []
    model.countChanged.connect(counts.append)

    mirror.seen(viewer("ann"))
    mirror.seen(viewer("bob"))
    mirror.seen(guest("star"))
    mirror.seen(person("bot", "Recorder", None))
    assert (model.rowCount(), model.count) == (4, 2)

    mirror.seen(guest("ann"))  # promoted: on stage, no longer counted
    mirror.set_quality("bob", "good")  # no change of count, no signal
    mirror.left("star")
    mirror.left("bob")

    assert counts == [1, 2, 1, 0]
    assert model.count == 0


def test_audience_attached_to_a_busy_mirror_resets_once(mirror: ShowMirror, tested: Tested) -> None:
    mirror.seen(viewer("ann"))
    mirror.seen(guest("star"))

    model = audience(mirror, tested)
    seen = Recorder(model)
    assert rows(model) == ["Ann", "Star — on stage"]
    assert model.count == 1

    model.reset()
    assert seen.take() == [("reset", -1, -1)]
    assert rows(model) == ["Ann", "Star — on stage"]


def test_a_detached_model_no_longer_follows_the_mirror(mirror: ShowMirror, tested: Tested) -> None:
    model = audience(mirror, tested)
    mirror.seen(viewer("ann"))

    model.detach()
    mirror.seen(viewer("bob"))

    assert rows(model) == ["Ann"]


# -- the hand queue ---------------------------------------------------------------------------


def test_one_raised_hand_inserts_one_row_at_its_place_and_never_resets(
    mirror: ShowMirror, tested: Tested
) -> None:
    clock = Clock()
    hands = queue(mirror, tested, clock)
    people = audience(mirror, tested)
    for i, name in enumerate(("ann", "bob", "cat", "sam")):
        mirror.seen(viewer(name, hand=clock.now - (i + 1) * MINUTE if name != "sam" else None))
    assert rows(hands, HandQueueModel.IdentityRole) == ["cat", "bob", "ann"]
    seen_hands, seen_people = Recorder(hands), Recorder(people)

    mirror.hand_seen("sam", clock.now - 125_000)  # up 2:05, between cat and bob

    inserted = [entry for entry in seen_hands.log if entry[0] != "chg"]
    assert inserted == [("ins", 1, 1)]
    # The rows below moved down a place: their new numbers are announced, not slipped in.
    assert seen_hands.take() == [("ins", 1, 1), ("chg", 2, 3)]
    assert seen_people.take() == [("chg", 3, 3)]
    assert rows(hands) == ["1. Cat — 3:00", "2. Sam — 2:05", "3. Bob — 2:00", "4. Ann — 1:00"]
    assert rows(hands, HandQueueModel.IdentityRole) == ["cat", "sam", "bob", "ann"]
    assert hands.identity_at(1) == "sam" and hands.identity_at(4) is None


def test_a_lowered_hand_removes_its_row_and_renumbers_the_rest(
    mirror: ShowMirror, tested: Tested
) -> None:
    clock = Clock()
    hands = queue(mirror, tested, clock)
    for i, name in enumerate(("ann", "bob", "cat")):
        mirror.seen(viewer(name, hand=clock.now - (3 - i) * MINUTE))
    seen = Recorder(hands)

    mirror.hand_seen("ann", None)

    # The row goes, then the rows that moved up announce their new numbers.
    assert seen.take() == [("rem", 0, 0), ("chg", 0, 1)]
    assert rows(hands) == ["1. Bob — 2:00", "2. Cat — 1:00"]

    mirror.hand_seen("cat", None)
    assert seen.take() == [("rem", 1, 1)]


def test_a_viewer_brought_on_stage_leaves_the_queue(mirror: ShowMirror, tested: Tested) -> None:
    clock = Clock()
    hands = queue(mirror, tested, clock)
    mirror.seen(viewer("ann", hand=clock.now - MINUTE))
    mirror.seen(viewer("bob", hand=clock.now))
    seen = Recorder(hands)

    mirror.seen(guest("ann"))

    assert seen.take() == [("rem", 0, 0), ("chg", 0, 0)]
    assert rows(hands) == ["1. Bob — 0:00"]


def test_the_queue_shows_renames_and_invitations(mirror: ShowMirror, tested: Tested) -> None:
    clock = Clock()
    hands = queue(mirror, tested, clock)
    mirror.seen(viewer("ann", hand=clock.now - MINUTE))
    mirror.seen(viewer("bob", hand=clock.now))
    seen = Recorder(hands)

    mirror.seen(viewer("bob", "Robert", hand=clock.now))
    mirror.invitations.open("bob", clock.now)

    assert seen.take() == [("chg", 1, 1), ("chg", 1, 1)]
    assert rows(hands) == ["1. Ann — 1:00", "2. Robert — 0:00"]
    assert rows(hands, HandQueueModel.InvitedRole) == [False, True]
    assert rows(hands, HandQueueModel.HandRole) == [clock.now - MINUTE, clock.now]


def _asking(identity: str, hand: int, question: str) -> Participant:
    """A viewer whose raised hand carries `question`, as the server writes it."""
    raised = viewer(identity, hand=hand)
    return replace(raised, attributes={**raised.attributes, **question_attributes(question)})


def test_the_queue_shows_a_question_in_the_row_and_whole_in_the_tooltip(
    mirror: ShowMirror, tested: Tested
) -> None:
    clock = Clock()
    hands = queue(mirror, tested, clock)
    long_question = "How do I " + "really " * 30 + "get on stage?"
    mirror.seen(viewer("ann", hand=clock.now - MINUTE))
    mirror.seen(_asking("bob", clock.now, long_question))

    assert rows(hands) == ["1. Ann — 1:00", f'2. Bob — 0:00 — "{long_question}"']
    assert rows(hands, Qt.ItemDataRole.ToolTipRole) == [None, long_question]


def test_a_question_cleared_changes_its_row_only_and_the_hand_stays(
    mirror: ShowMirror, tested: Tested
) -> None:
    clock = Clock()
    hands = queue(mirror, tested, clock)
    mirror.seen(_asking("ann", clock.now - MINUTE, "First?"))
    mirror.seen(viewer("bob", hand=clock.now))
    seen = Recorder(hands)

    mirror.seen(viewer("ann", hand=clock.now - MINUTE))  # the attribute went, the hand did not

    assert seen.take() == [("chg", 0, 0)]
    assert rows(hands) == ["1. Ann — 1:00", "2. Bob — 0:00"]
    assert rows(hands, Qt.ItemDataRole.ToolTipRole) == [None, None]


def test_waiting_times_tick_when_the_clock_advances_and_the_timer_fires(
    mirror: ShowMirror, tested: Tested, qtbot: QtBot
) -> None:
    clock = Clock()
    hands = queue(mirror, tested, clock)
    mirror.seen(viewer("sam", "Sam", hand=clock.now - 5_000))
    mirror.seen(viewer("ann", hand=clock.now - 1_000))
    assert rows(hands) == ["1. Sam — 0:05", "2. Ann — 0:01"]
    seen = Recorder(hands)

    clock.now += 120_000  # the text follows the clock only when a tick announces it
    assert rows(hands) == ["1. Sam — 0:05", "2. Ann — 0:01"]
    with qtbot.waitSignal(hands.dataChanged, timeout=2_500) as tick:
        pass

    top, bottom, roles = tick.args
    assert (top.row(), bottom.row()) == (0, 1)
    assert list(roles) == [DISPLAY]
    assert rows(hands) == ["1. Sam — 2:05", "2. Ann — 2:01"]
    assert all(entry[0] == "chg" for entry in seen.take())


def test_ten_thousand_members_and_five_hundred_hands_in_random_order(
    mirror: ShowMirror, tested: Tested
) -> None:
    # QAbstractItemModelTester walks the whole model on every signal (O(rows) each), so it is
    # attached once the crowd is in: it then checks the full state, and every later change.
    clock = Clock(now=1_700_000_000_000)
    hands = HandQueueModel(mirror, now_ms=clock)
    people = AudienceModel(mirror)
    filtered = AudienceFilter()
    filtered.setSourceModel(people)
    seen = Recorder(hands)
    rng = random.Random(500)
    raisers = rng.sample(range(10_000), 501)
    times = rng.sample(range(1, 3_600_000), 501)

    started = time.perf_counter()
    for i in range(10_000):
        mirror.seen(viewer(f"viewer-{i}", f"Viewer {i}"))
    joined = time.perf_counter()
    for who, ago in zip(raisers[:500], times[:500], strict=True):
        mirror.hand_seen(f"viewer-{who}", clock.now - ago)
    raised = time.perf_counter()
    print(
        f"\n10,000 members added in {joined - started:.3f} s, "
        f"500 hands raised in random order in {raised - joined:.3f} s "
        f"(total {raised - started:.3f} s; audience, hand queue and filter models attached)"
    )

    assert people.rowCount() == filtered.rowCount() == 10_000
    assert people.count == 10_000
    assert hands.rowCount() == 500
    waited = rows(hands, HandQueueModel.HandRole)
    assert waited == sorted(waited)
    assert rows(hands, HandQueueModel.IdentityRole) == mirror.hands
    assert [entry[0] for entry in seen.take() if entry[0] in ("reset", "layout")] == []
    numbers = [text.split(".")[0] for text in rows(hands)]
    assert numbers == [str(n) for n in range(1, 501)]

    for model in (hands, people, filtered):
        tested(model)
    mirror.hand_seen(f"viewer-{raisers[500]}", clock.now - times[500])
    mirror.hand_seen(mirror.hands[0], None)
    mirror.left(mirror.audience[5_000])
    assert hands.rowCount() == 500
    assert people.rowCount() == filtered.rowCount() == 9_999
    assert rows(hands, HandQueueModel.IdentityRole) == mirror.hands


# -- the chat ---------------------------------------------------------------------------------


def test_chat_shows_html_verbatim_as_plain_text(mirror: ShowMirror, tested: Tested) -> None:
    chat = ChatModel(mirror)
    tested(chat)
    seen = Recorder(chat)

    mirror.add_chat(ChatLine("sam", "Sam", "<b>hi</b>", 1))
    mirror.add_chat(ChatLine(HOST, "Host", "<script>alert(1)</script> &amp;", 2, own=True))

    assert seen.take() == [("ins", 0, 0), ("ins", 1, 1)]
    assert rows(chat) == ["Sam: <b>hi</b>", "Host: <script>alert(1)</script> &amp;"]
    assert rows(chat, ChatModel.IdentityRole) == ["sam", HOST]
    assert rows(chat, ChatModel.OwnRole) == [False, True]
    assert chat.roleNames()[ChatModel.NameRole].data() == b"senderName"


def test_chat_keeps_the_last_500_lines(mirror: ShowMirror, tested: Tested) -> None:
    chat = ChatModel(mirror)
    for i in range(CHAT_LINES):
        mirror.add_chat(ChatLine("ann", "Ann", f"line {i}", i))
    tested(chat)  # after the filling: the tester walks every row at every signal
    seen = Recorder(chat)

    for i in range(CHAT_LINES, CHAT_LINES + 10):
        mirror.add_chat(ChatLine("ann", "Ann", f"line {i}", i))

    assert seen.take() == [("rem", 0, 0), ("ins", 499, 499)] * 10
    assert chat.rowCount() == 500
    assert rows(chat)[0] == "Ann: line 10"
    assert rows(chat)[-1] == "Ann: line 509"


def test_chat_attached_to_a_long_history_shows_its_end(mirror: ShowMirror, tested: Tested) -> None:
    for i in range(600):
        mirror.add_chat(ChatLine("ann", "Ann", f"line {i}", i))

    chat = ChatModel(mirror)
    tested(chat)

    assert chat.rowCount() == 500
    assert rows(chat)[0] == "Ann: line 100"


# -- the search box ---------------------------------------------------------------------------


def test_the_filter_finds_names_and_identities_ignoring_case(
    mirror: ShowMirror, tested: Tested
) -> None:
    people = audience(mirror, tested)
    filtered = AudienceFilter()
    filtered.setSourceModel(people)
    tested(filtered)
    mirror.seen(viewer("v-1", "Sam Viewer"))
    mirror.seen(viewer("v-2", "Ann Other"))
    mirror.seen(guest("samuel-7", "Guest Star"))

    filtered.setFilterFixedString("sam")
    assert rows(filtered) == ["Sam Viewer", "Guest Star — on stage"]
    assert filtered.identity_at(0) == "v-1" and filtered.identity_at(2) is None

    filtered.setFilterFixedString("OTHER")
    assert rows(filtered) == ["Ann Other"]

    filtered.setFilterFixedString("stage")  # the display's suffix is not a name
    assert rows(filtered) == []

    filtered.setFilterFixedString("[")  # typed text, not a pattern
    assert rows(filtered) == []

    filtered.setFilterFixedString("sam")
    mirror.seen(viewer("v-3", "Samantha"))  # arrivals are filtered as they come
    mirror.seen(viewer("v-4", "Zed"))
    assert rows(filtered) == ["Sam Viewer", "Guest Star — on stage", "Samantha"]

    filtered.setFilterFixedString("")
    assert filtered.rowCount() == 5


def test_models_are_qt_children_of_their_parent(mirror: ShowMirror, tested: Tested) -> None:
    owner = QObject()
    model = audience(mirror, tested, owner)
    assert model.parent() is owner
    assert model.rowCount(QModelIndex()) == 0
