"""The host's controller on the real rules (`ShowService`) over an in-memory LiveKit: invitations
sent, answered and lapsed; the show given back after a LiveKit restart. No Qt, no network."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import replace
from typing import Any

import pytest

from hostdesk.host import HostControl
from hostdesk.service import ShowService
from hostdesk.show import messages
from hostdesk.show.chat import ChatSettings
from hostdesk.show.connection import ConnectionState
from hostdesk.show.events import Event
from hostdesk.show.messages import DataMessage, MessageType
from hostdesk.show.mirror import ChatSettingsChanged, Entered, Fact, Left, Seen, ShowMirror
from hostdesk.show.participants import hand_attributes, question_attributes
from hostdesk.show.roles import Role
from tests.support.fakes import ROOM, FakeRooms, FakeTokens

HOST = "host-my-show-1a2b3c4d"


class FakeSession:
    """The host's LiveKit session as the controller sees it: facts in, messages out."""

    def __init__(self, rooms: FakeRooms) -> None:
        self.rooms = rooms
        self.state = ConnectionState.OFFLINE
        self.state_changed: Event[[ConnectionState, str]] = Event()
        self.fact: Event[[Fact]] = Event()
        self.message_received: Event[[DataMessage, str]] = Event()
        self.sent: list[tuple[DataMessage, list[str] | None]] = []
        self.send_gate: asyncio.Event | None = None
        self.held = asyncio.Event()  # a send is waiting at the gate

    def _set(self, state: ConnectionState) -> None:
        self.state = state
        self.state_changed.emit(state, "")

    async def connect(self, url: str, token: str, renew: Any = None) -> None:
        self.rooms.connect(HOST, Role.HOST, "Jane")
        self.enter()
        self._set(ConnectionState.LIVE)

    def enter(self) -> None:
        others = tuple(p for i, p in self.rooms.rooms[ROOM].items() if i != HOST)
        self.fact.emit(Entered(HOST, others))

    async def close(self) -> None:
        self._set(ConnectionState.OFFLINE)

    async def send(self, message: DataMessage, to: list[str] | None = None) -> None:
        if self.send_gate is not None:
            gate, self.send_gate = self.send_gate, None
            self.held.set()
            await gate.wait()
        self.sent.append((message, to))

    # what LiveKit would tell the host

    def arrives(
        self, identity: str, role: Role = Role.VIEWER, hand: int | None = None, question: str = ""
    ) -> None:
        self.rooms.connect(identity, role)
        if hand:
            person = self.rooms.person(identity)
            attributes = {**hand_attributes(hand), **question_attributes(question)}
            self.rooms.rooms[ROOM][identity] = replace(person, attributes=attributes)
        self.fact.emit(Seen(self.rooms.person(identity), arrived=True))

    def answers(self, identity: str, accepted: bool) -> None:
        self.message_received.emit(
            messages.invite_response(identity, identity, accepted, 0), identity
        )

    def changed(self, identity: str) -> None:
        self.fact.emit(Seen(self.rooms.person(identity)))


@pytest.fixture
def rooms() -> FakeRooms:
    return FakeRooms()


def make(
    rooms: FakeRooms, stage_size: int = 1, invite_timeout: float = 60.0
) -> tuple[HostControl, FakeSession, list[str]]:
    service = ShowService(rooms, FakeTokens(), stage_size=stage_size)
    session = FakeSession(rooms)
    control = HostControl(
        service,
        session,
        ShowMirror(),
        invite_timeout=invite_timeout,
        host_identity=lambda room: HOST,
    )
    said: list[str] = []
    control.notice.connect(said.append)
    control.failed.connect(said.append)
    return control, session, said


async def until(check: Callable[[], bool], what: str, timeout: float = 2.0) -> None:
    async with asyncio.timeout(timeout):
        while not check():
            await asyncio.sleep(0.005)
    assert check(), what


async def test_going_live_uses_this_computers_identity_for_the_show(rooms: FakeRooms) -> None:
    control, _session, _ = make(rooms)
    await control.go_live(ROOM, "Jane")
    assert control.identity == HOST
    assert control.mirror.local_identity == HOST
    await control.leave()


async def test_a_second_invitation_while_the_first_is_sent_and_both_acceptances_promote(
    rooms: FakeRooms,
) -> None:
    control, session, said = make(rooms, stage_size=2)
    await control.go_live(ROOM, "Jane")
    session.arrives("viewer-ann", hand=1_000)
    session.arrives("viewer-bob", hand=2_000)
    gate = session.send_gate = asyncio.Event()

    first = asyncio.ensure_future(control.invite("viewer-ann"))
    await session.held.wait()  # the first send is in flight, held at the gate
    await control.invite("viewer-bob")
    gate.set()
    await first
    assert [(m.type, to) for m, to in session.sent] == [
        (MessageType.GUEST_INVITE, ["viewer-bob"]),
        (MessageType.GUEST_INVITE, ["viewer-ann"]),
    ]

    session.answers("viewer-ann", True)
    session.answers("viewer-bob", True)
    await until(lambda: len(said) == 2, "both brought on stage")
    assert sorted(said) == ["Viewer-Ann is on stage", "Viewer-Bob is on stage"]
    assert {rooms.person(i).role for i in ("viewer-ann", "viewer-bob")} == {Role.GUEST}
    await control.leave()


async def test_the_stage_size_holds_for_racing_acceptances(rooms: FakeRooms) -> None:
    control, session, said = make(rooms, stage_size=1)
    await control.go_live(ROOM, "Jane")
    session.arrives("viewer-ann", hand=1_000)
    session.arrives("viewer-bob", hand=2_000)
    await control.invite("viewer-ann")
    await control.invite("viewer-bob")

    session.answers("viewer-ann", True)
    session.answers("viewer-bob", True)
    await until(lambda: len(said) == 2, "both answers handled")

    guests = [p for p in rooms.rooms[ROOM].values() if p.role is Role.GUEST]
    assert len(guests) == 1
    assert any(s.endswith("Room already has a guest") for s in said)
    await control.leave()


async def test_an_unanswered_invitation_lapses_and_a_late_acceptance_is_ignored(
    rooms: FakeRooms,
) -> None:
    control, session, said = make(rooms, invite_timeout=0.05)
    await control.go_live(ROOM, "Jane")
    session.arrives("viewer-ann", hand=1_000)
    await control.invite("viewer-ann")
    assert "viewer-ann" in control.invitations

    await until(lambda: bool(said), "the lapse told")
    assert said == ["The invitation to Viewer-Ann lapsed: no answer in 0.05 s"]
    assert "viewer-ann" not in control.invitations
    session.answers("viewer-ann", True)
    # The sentinel: a decline from someone invited after it is handled, so the late
    # acceptance before it has been too.
    session.arrives("viewer-bob")
    await control.invite("viewer-bob")
    session.answers("viewer-bob", False)
    await until(lambda: len(said) == 2, "the decline told")
    assert said[1] == "Viewer-Bob declined the invitation"
    assert rooms.person("viewer-ann").role is Role.VIEWER
    await control.leave()


async def test_a_viewer_who_leaves_takes_the_invitation_with_them(rooms: FakeRooms) -> None:
    control, session, _ = make(rooms)
    await control.go_live(ROOM, "Jane")
    session.arrives("viewer-ann")
    await control.invite("viewer-ann")

    session.fact.emit(Left("viewer-ann"))

    assert "viewer-ann" not in control.invitations
    await control.leave()


async def test_after_a_livekit_restart_the_guest_and_hands_come_back_in_order(
    rooms: FakeRooms,
) -> None:
    control, session, _ = make(rooms)
    await control.go_live(ROOM, "Jane")
    session.arrives("viewer-star")
    await control.invite("viewer-star")
    session.answers("viewer-star", True)
    await until(lambda: rooms.person("viewer-star").role is Role.GUEST, "on stage")
    session.changed("viewer-star")
    for identity, hand in (("viewer-ann", 1_000), ("viewer-cat", 3_000), ("viewer-bob", 2_000)):
        session.arrives(identity, hand=hand, question="Why?" if identity == "viewer-bob" else "")
    assert [m.identity for m in control.mirror.hand_queue()] == [
        "viewer-ann",
        "viewer-bob",
        "viewer-cat",
    ]

    # The server restarts: a new room, everyone back as their tokens say (viewers, hands down).
    session.state_changed.emit(ConnectionState.RECONNECTING, "LiveKit dropped the connection")
    rooms.rooms[ROOM] = {}
    for identity in ("viewer-star", "viewer-ann", "viewer-bob", "viewer-cat"):
        rooms.connect(identity, Role.VIEWER)
    rooms.connect(HOST, Role.HOST, "Jane")
    session.enter()
    session.state_changed.emit(ConnectionState.LIVE, "")

    await until(
        lambda: (
            rooms.person("viewer-star").role is Role.GUEST
            and all(rooms.person(i).hand_raised_at for i in ("viewer-ann", "viewer-bob"))
        ),
        "the guest and the hands given back",
    )
    await until(lambda: rooms.person("viewer-cat").hand_raised_at is not None, "cat's hand")
    hands = {i: rooms.person(i).hand_raised_at for i in ("viewer-ann", "viewer-bob", "viewer-cat")}
    assert hands == {"viewer-ann": 1_000, "viewer-bob": 2_000, "viewer-cat": 3_000}
    assert rooms.person("viewer-bob").hand_question == "Why?"  # the question came back too
    assert rooms.person("viewer-ann").hand_question == ""
    await control.leave()


async def test_a_demoted_guest_is_not_put_back(rooms: FakeRooms) -> None:
    control, session, _ = make(rooms)
    await control.go_live(ROOM, "Jane")
    session.arrives("viewer-star")
    await control.invite("viewer-star")
    session.answers("viewer-star", True)
    await until(lambda: rooms.person("viewer-star").role is Role.GUEST, "on stage")
    session.changed("viewer-star")

    await control.demote("viewer-star")
    session.changed("viewer-star")
    # The sentinel: a later hand raised by someone else is seen, so the demotion was handled.
    session.arrives("viewer-ann", hand=1_000)

    assert rooms.person("viewer-star").role is Role.VIEWER
    assert len(control._tasks) == 0  # no restore was started
    await control.leave()


# -- the chat's moderation ----------------------------------------------------------------------


def says(session: FakeSession, identity: str, text: str, at: int) -> None:
    session.message_received.emit(messages.chat(identity, identity, text, at), identity)


def room_chat(session: FakeSession, rooms: FakeRooms) -> None:
    """What LiveKit tells the host after the room's metadata changed."""
    summary = rooms.metadata.get(ROOM, "")
    session.fact.emit(ChatSettingsChanged(ChatSettings.from_room_metadata(summary)))


def chat_texts(control: HostControl) -> list[str]:
    return [line.text for line in control.mirror.chat]


async def test_a_muted_viewers_chat_is_dropped_while_their_hand_still_goes_up(
    rooms: FakeRooms,
) -> None:
    control, session, _ = make(rooms)
    await control.go_live(ROOM, "Jane")
    session.arrives("viewer-troll")
    session.arrives("viewer-sam")
    await control.mute_chat("viewer-troll", True)
    session.changed("viewer-troll")  # the attribute LiveKit now has
    assert control.mirror.get("viewer-troll").chat_muted  # type: ignore[union-attr]

    says(session, "viewer-troll", "spam", 1)
    says(session, "viewer-sam", "hello", 2)
    session.message_received.emit(messages.hand("viewer-troll", "T", True, 3), "viewer-troll")

    assert chat_texts(control) == ["hello"]
    await until(lambda: rooms.person("viewer-troll").hand_raised_at is not None, "hand up")
    await control.mute_chat("viewer-troll", False)
    session.changed("viewer-troll")
    says(session, "viewer-troll", "sorry", 4)
    assert chat_texts(control) == ["hello", "sorry"]
    await control.leave()


async def test_a_hidden_line_leaves_the_window_and_a_late_copy_stays_out(rooms: FakeRooms) -> None:
    control, session, _ = make(rooms)
    await control.go_live(ROOM, "Jane")
    session.arrives("viewer-sam")
    says(session, "viewer-sam", "keep", 1)
    says(session, "viewer-sam", "hide me", 2)
    removed: list[tuple[int, str]] = []
    control.mirror.chat_removed.connect(lambda index, line: removed.append((index, line.text)))

    await control.hide_chat(control.mirror.chat[1])
    room_chat(session, rooms)
    says(session, "viewer-sam", "hide me", 2)  # the same message, delivered again

    assert chat_texts(control) == ["keep"]
    assert removed == [(1, "hide me")]
    await control.leave()


async def test_slow_mode_drops_a_viewers_line_too_soon_but_never_the_hosts_or_a_guests(
    rooms: FakeRooms,
) -> None:
    now = [1_000_000]
    service = ShowService(rooms, FakeTokens(), clock_ms=lambda: now[0])
    session = FakeSession(rooms)
    control = HostControl(service, session, ShowMirror(), clock_ms=lambda: now[0])
    await control.go_live(ROOM, "Jane")
    session.arrives("viewer-sam")
    session.arrives("viewer-star", role=Role.GUEST)
    await control.set_slow_mode(10)
    room_chat(session, rooms)
    assert control.mirror.chat_settings.slow_mode_s == 10

    says(session, "viewer-sam", "one", 1)
    says(session, "viewer-star", "guest one", 2)
    now[0] += 5_000
    says(session, "viewer-sam", "too soon", 3)
    says(session, "viewer-star", "guest two", 4)
    await control.chat("host line")
    now[0] += 5_000
    says(session, "viewer-sam", "two", 5)

    assert chat_texts(control) == ["one", "guest one", "guest two", "host line", "two"]
    await control.leave()


async def test_after_a_livekit_restart_the_chat_settings_and_a_mute_come_back(
    rooms: FakeRooms,
) -> None:
    control, session, _ = make(rooms)
    await control.go_live(ROOM, "Jane")
    session.arrives("viewer-troll")
    await control.mute_chat("viewer-troll", True)
    session.changed("viewer-troll")
    await control.set_slow_mode(30)
    room_chat(session, rooms)

    session.state_changed.emit(ConnectionState.RECONNECTING, "LiveKit dropped the connection")
    rooms.forget_everything()
    rooms.connect("viewer-troll", Role.VIEWER)
    rooms.connect(HOST, Role.HOST, "Jane")
    session.enter()
    session.state_changed.emit(ConnectionState.LIVE, "")
    room_chat(session, rooms)  # the new room has no metadata

    await until(
        lambda: ChatSettings.from_room_metadata(rooms.metadata.get(ROOM, "")).slow_mode_s == 30,
        "slow mode written back",
    )
    await until(lambda: rooms.person("viewer-troll").attributes.get("chatMuted") == "1", "mute")
    await control.leave()


async def test_an_acceptance_sent_backstage_shows_them_backstage_then_take_live_and_send_back(
    rooms: FakeRooms,
) -> None:
    control, session, said = make(rooms, stage_size=2)
    control.to_backstage = True
    await control.go_live(ROOM, "Jane")
    for identity in ("viewer-ann", "viewer-bob"):
        session.arrives(identity)
        await control.invite(identity)
        session.answers(identity, True)
    await until(lambda: len(said) == 2, "both sent backstage")
    assert said == ["Viewer-Ann is backstage", "Viewer-Bob is backstage"]
    for identity in ("viewer-ann", "viewer-bob"):
        session.changed(identity)  # LiveKit tells the host of the attribute
    assert [m.identity for m in control.mirror.backstage] == ["viewer-ann", "viewer-bob"]
    assert control.mirror.guests == []

    await control.take_live("viewer-ann")
    await control.send_back("viewer-bob")
    session.changed("viewer-ann")
    session.changed("viewer-bob")
    assert control.mirror.backstage == []
    assert [m.identity for m in control.mirror.guests] == ["viewer-ann"]
    assert control.mirror.get("viewer-bob").role is Role.VIEWER  # type: ignore[union-attr]
    await control.leave()


async def test_after_a_livekit_restart_a_viewer_backstage_is_sent_backstage_again(
    rooms: FakeRooms,
) -> None:
    control, session, _ = make(rooms)
    control.to_backstage = True
    await control.go_live(ROOM, "Jane")
    session.arrives("viewer-ann")
    await control.invite("viewer-ann")
    session.answers("viewer-ann", True)
    await until(lambda: rooms.person("viewer-ann").attributes.get("backstage") == "1", "sent")
    session.changed("viewer-ann")
    assert [m.identity for m in control.mirror.backstage] == ["viewer-ann"]

    session.state_changed.emit(ConnectionState.RECONNECTING, "LiveKit dropped the connection")
    rooms.forget_everything()
    rooms.connect("viewer-ann", Role.VIEWER)
    rooms.connect(HOST, Role.HOST, "Jane")
    session.enter()
    session.state_changed.emit(ConnectionState.LIVE, "")

    await until(
        lambda: rooms.person("viewer-ann").attributes.get("backstage") == "1", "backstage again"
    )
    session.changed("viewer-ann")
    assert [m.identity for m in control.mirror.backstage] == ["viewer-ann"]
    await control.leave()
