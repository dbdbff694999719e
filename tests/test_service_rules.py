"""The show's use cases in ShowService, against a small in-memory stand-in for LiveKit.

This is the only fake of LiveKit in the tests: it keeps rooms, participants (metadata,
attributes, permissions) and the data sent, and yields to the event loop on every call as a
network call would, so that racing requests really interleave. Integration tests cover the real
room service.
"""

from __future__ import annotations

import asyncio
import itertools
import json
from dataclasses import replace
from typing import Any

import pytest

from hostdesk import room_settings
from hostdesk.service import Joined, ShowService
from hostdesk.show import rules, stage
from hostdesk.show.chat import CHAT_MUTED_ATTRIBUTE, ChatSettings
from hostdesk.show.errors import Conflict, Forbidden, InvalidInput, NotFound
from hostdesk.show.messages import MessageType
from hostdesk.show.participants import (
    HAND_ATTRIBUTE,
    QUESTION_ATTRIBUTE,
    Participant,
    RoomSummary,
    hand_queue,
)
from hostdesk.show.reservations import Reservations
from hostdesk.show.roles import PERMISSIONS, Metadata, Role
from hostdesk.show.stage_clock import ON_STAGE_ATTRIBUTE, StageSettings
from hostdesk.stage_service import StageChange
from tests.support.fakes import ROOM, FakeClock, FakeRooms, FakeTokens


@pytest.fixture
def rooms() -> FakeRooms:
    return FakeRooms()


@pytest.fixture
def tokens() -> FakeTokens:
    return FakeTokens()


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def service(rooms: FakeRooms, tokens: FakeTokens, clock: FakeClock) -> ShowService:
    ticks = itertools.count(1704067200000, 1000)
    return ShowService(
        rooms, tokens, clock_ms=lambda: next(ticks), reservations=Reservations(clock=clock)
    )


@pytest.fixture
def live_show(rooms: FakeRooms) -> FakeRooms:
    """A room with a connected host and three viewers."""
    rooms.connect("host-1", Role.HOST, "Host Jane")
    for n in (1, 2, 3):
        rooms.connect(f"viewer-{n}", Role.VIEWER, f"Viewer {n}")
    return rooms


# -- joining ----------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["guest", "admin", "HOST", "", "Host "])
async def test_joining_with_any_role_but_host_or_viewer_is_refused(
    service: ShowService, rooms: FakeRooms, role: str
) -> None:
    with pytest.raises(InvalidInput, match='role must be "host" or "viewer"'):
        await service.join(ROOM, "Mallory", role)
    assert rooms.rooms == {}


async def test_a_viewer_joins_with_a_viewer_token(service: ShowService, tokens: FakeTokens) -> None:
    joined = await service.join(ROOM, "John Doe", "viewer")
    assert joined.role is Role.VIEWER
    assert joined.room == ROOM
    assert joined.ws_url == "ws://livekit.test"
    assert joined.identity.startswith("viewer-john-doe-")
    assert tokens.minted == [(ROOM, joined.identity, "John Doe", Role.VIEWER)]


async def test_two_viewers_with_the_same_name_get_different_identities(
    service: ShowService,
) -> None:
    first = await service.join(ROOM, "John", "viewer")
    second = await service.join(ROOM, "John", "viewer")
    assert first.identity != second.identity


async def test_a_host_join_creates_the_room(service: ShowService, rooms: FakeRooms) -> None:
    joined = await service.join(ROOM, "Host Jane", "host")
    assert joined.role is Role.HOST
    assert ROOM in rooms.rooms


async def test_a_second_host_is_refused_before_the_first_connects(
    service: ShowService, tokens: FakeTokens
) -> None:
    await service.join(ROOM, "Host Jane", "host")
    with pytest.raises(Conflict, match="^Room already has a host$"):
        await service.join(ROOM, "Host Bob", "host")
    assert [role for *_, role in tokens.minted] == [Role.HOST]


async def test_a_second_host_is_refused_while_the_first_is_connected(
    service: ShowService, rooms: FakeRooms, clock: FakeClock
) -> None:
    joined = await service.join(ROOM, "Host Jane", "host")
    rooms.connect(joined.identity, Role.HOST, "Host Jane")
    clock.now += 3600  # long after the reservation: LiveKit itself shows the host
    with pytest.raises(Conflict, match="^Room already has a host$"):
        await service.join(ROOM, "Host Bob", "host")


async def test_a_host_who_never_connects_frees_the_room_after_the_reservation(
    service: ShowService, clock: FakeClock
) -> None:
    await service.join(ROOM, "Host Jane", "host")
    clock.now += 20
    second = await service.join(ROOM, "Host Bob", "host")
    assert second.role is Role.HOST


async def test_ten_concurrent_host_joins_make_exactly_one_host(service: ShowService) -> None:
    results = await asyncio.gather(
        *(service.join(ROOM, f"Host {n}", "host") for n in range(10)), return_exceptions=True
    )
    winners = [r for r in results if isinstance(r, Joined)]
    losers = [r for r in results if not isinstance(r, Joined)]
    assert len(winners) == 1
    assert len(losers) == 9
    assert all(isinstance(r, Conflict) and r.message == stage.ROOM_HAS_HOST for r in losers)


async def test_hosts_of_different_rooms_do_not_block_each_other(service: ShowService) -> None:
    a, b = await asyncio.gather(
        service.join("show-a", "Host A", "host"), service.join("show-b", "Host B", "host")
    )
    assert (a.role, b.role) == (Role.HOST, Role.HOST)


async def test_ending_the_show_frees_the_room_for_a_new_host(
    service: ShowService, rooms: FakeRooms
) -> None:
    await service.join(ROOM, "Host Jane", "host")
    await service.end_show(ROOM)
    assert ROOM not in rooms.rooms
    assert (await service.join(ROOM, "Host Bob", "host")).role is Role.HOST


# -- promotion --------------------------------------------------------------------------------


async def test_promotion_makes_the_viewer_the_guest_live_and_tells_everyone(
    service: ShowService, live_show: FakeRooms, tokens: FakeTokens
) -> None:
    live_show.rooms[ROOM]["viewer-2"] = replace(
        live_show.person("viewer-2"), attributes={HAND_ATTRIBUTE: "1704067100000"}
    )
    change = await service.promote(ROOM, "viewer-2", "host-1")

    promoted = live_show.person("viewer-2")
    assert Metadata.decode(promoted.metadata) == Metadata(Role.GUEST, "Viewer 2")
    assert live_show.permissions[(ROOM, "viewer-2")] == PERMISSIONS[Role.GUEST]
    assert promoted.hand_raised_at is None
    assert HAND_ATTRIBUTE not in promoted.attributes

    (room, message, destinations) = live_show.sent[-1]
    assert (room, destinations) == (ROOM, None)
    assert message.type is MessageType.GUEST_PROMOTED
    assert (message.sender_id, message.sender_name) == ("host-1", "Host Jane")
    assert (message.target_id, message.target_name) == ("viewer-2", "Viewer 2")

    assert change == StageChange(
        "viewer-2",
        "token:my-show:viewer-2:guest",
        "ws://livekit.test",
        "viewer-2 has been promoted to guest",
    )
    assert tokens.minted[-1] == (ROOM, "viewer-2", "Viewer 2", Role.GUEST)


async def test_five_concurrent_promotions_make_exactly_one_guest(
    service: ShowService, live_show: FakeRooms
) -> None:
    for n in (4, 5):
        live_show.connect(f"viewer-{n}", Role.VIEWER)
    results = await asyncio.gather(
        *(service.promote(ROOM, f"viewer-{n}", "host-1") for n in range(1, 6)),
        return_exceptions=True,
    )
    assert len([r for r in results if isinstance(r, StageChange)]) == 1
    refused = [r for r in results if not isinstance(r, StageChange)]
    assert all(isinstance(r, Forbidden) and r.message == stage.ROOM_HAS_GUEST for r in refused)
    guests = [p for p in live_show.rooms[ROOM].values() if p.role is Role.GUEST]
    assert len(guests) == 1
    assert live_show.types_sent() == [MessageType.GUEST_PROMOTED]


async def test_a_stage_of_two_takes_two_guests_of_many_racing(
    rooms: FakeRooms, tokens: FakeTokens
) -> None:
    service = ShowService(rooms, tokens, stage_size=2)
    rooms.connect("host-1", Role.HOST)
    for n in range(1, 6):
        rooms.connect(f"viewer-{n}", Role.VIEWER)
    results = await asyncio.gather(
        *(service.promote(ROOM, f"viewer-{n}", "host-1") for n in range(1, 6)),
        return_exceptions=True,
    )
    assert len([p for p in rooms.rooms[ROOM].values() if p.role is Role.GUEST]) == 2
    refused = [r for r in results if not isinstance(r, StageChange)]
    assert len(refused) == 3
    assert all(isinstance(r, Forbidden) and r.message == "The stage is full" for r in refused)


@pytest.mark.parametrize("size", [0, 7, -1])
def test_a_stage_size_out_of_its_range_is_refused(
    rooms: FakeRooms, tokens: FakeTokens, size: int
) -> None:
    with pytest.raises(ValueError, match="^stage_size must be from 1 to 6$"):
        ShowService(rooms, tokens, stage_size=size)


async def test_a_stage_of_six_takes_six_guests(rooms: FakeRooms, tokens: FakeTokens) -> None:
    service = ShowService(rooms, tokens, stage_size=rules.STAGE_SIZE_MAX)
    rooms.connect("host-1", Role.HOST)
    for n in range(1, 8):
        rooms.connect(f"viewer-{n}", Role.VIEWER)
    for n in range(1, 7):
        await service.promote(ROOM, f"viewer-{n}", "host-1")
    with pytest.raises(Forbidden, match="^The stage is full$"):
        await service.promote(ROOM, "viewer-7", "host-1")


async def test_promotion_starts_the_guests_stage_clock_with_the_servers_time(
    service: ShowService, live_show: FakeRooms
) -> None:
    await service.promote(ROOM, "viewer-2", "host-1")
    promoted = live_show.person("viewer-2")
    assert promoted.attributes[ON_STAGE_ATTRIBUTE] == "1704067200000"  # the service's clock
    assert promoted.on_stage_since == 1704067200000
    assert live_show.person("viewer-1").attributes.get(ON_STAGE_ATTRIBUTE) is None


async def test_demotion_stops_the_stage_clock_and_keeps_other_attributes(
    service: ShowService, live_show: FakeRooms
) -> None:
    await service.promote(ROOM, "viewer-1", "host-1")
    first = live_show.person("viewer-1").on_stage_since
    await service.chat.mute(ROOM, "viewer-1", True)
    await service.demote(ROOM, "viewer-1", "host-1")
    demoted = live_show.person("viewer-1")
    assert ON_STAGE_ATTRIBUTE not in demoted.attributes
    assert demoted.attributes == {CHAT_MUTED_ATTRIBUTE: "1"}
    await service.promote(ROOM, "viewer-1", "host-1")  # on again: a new clock
    again = live_show.person("viewer-1").on_stage_since
    assert first is not None and again is not None and again > first


async def test_a_viewer_cannot_promote_anyone(service: ShowService, live_show: FakeRooms) -> None:
    with pytest.raises(Forbidden, match="^Only the host can promote viewers to guest$"):
        await service.promote(ROOM, "viewer-2", "viewer-1")
    assert live_show.person("viewer-2").role is Role.VIEWER
    assert live_show.sent == []


async def test_a_host_whose_token_is_issued_but_not_yet_connected_may_promote(
    service: ShowService, rooms: FakeRooms
) -> None:
    joined = await service.join(ROOM, "Host Jane", "host")
    rooms.connect("viewer-1", Role.VIEWER)
    await service.promote(ROOM, "viewer-1", joined.identity)
    assert rooms.person("viewer-1").role is Role.GUEST


async def test_promoting_in_a_room_that_does_not_exist_is_room_not_found(
    service: ShowService,
) -> None:
    with pytest.raises(NotFound, match="^Room not found$"):
        await service.promote("no-such-show", "viewer-1", "host-1")


async def test_promoting_someone_not_in_the_room_is_participant_not_found(
    service: ShowService, live_show: FakeRooms
) -> None:
    with pytest.raises(NotFound, match="^Participant not found$"):
        await service.promote(ROOM, "viewer-9", "host-1")


# -- demotion and removal ---------------------------------------------------------------------


async def test_demotion_sends_the_guest_back_to_the_audience_and_tells_everyone(
    service: ShowService, live_show: FakeRooms, tokens: FakeTokens
) -> None:
    await service.promote(ROOM, "viewer-1", "host-1")
    change = await service.demote(ROOM, "viewer-1", "host-1")
    assert live_show.person("viewer-1").role is Role.VIEWER
    assert live_show.permissions[(ROOM, "viewer-1")] == PERMISSIONS[Role.VIEWER]
    assert live_show.types_sent()[-1] is MessageType.GUEST_DEMOTED
    assert change.message == "viewer-1 has been demoted to viewer"
    assert tokens.minted[-1][-1] is Role.VIEWER
    await service.promote(ROOM, "viewer-2", "host-1")  # the stage is free again
    assert live_show.person("viewer-2").role is Role.GUEST


@pytest.mark.parametrize("target", ["viewer-1", "host-1"])
async def test_demoting_someone_who_is_not_the_guest_is_invalid_input(
    service: ShowService, live_show: FakeRooms, target: str
) -> None:
    with pytest.raises(InvalidInput, match="is not the guest"):
        await service.demote(ROOM, target, "host-1")
    assert live_show.sent == []


async def test_a_viewer_cannot_demote_the_guest(service: ShowService, live_show: FakeRooms) -> None:
    await service.promote(ROOM, "viewer-1", "host-1")
    with pytest.raises(Forbidden, match="^Only the host can demote guests$"):
        await service.demote(ROOM, "viewer-1", "viewer-2")
    assert live_show.person("viewer-1").role is Role.GUEST


async def test_removing_the_guest_takes_them_out_of_the_room_and_tells_everyone(
    service: ShowService, live_show: FakeRooms
) -> None:
    await service.promote(ROOM, "viewer-1", "host-1")
    message = await service.remove_guest(ROOM, "viewer-1", "host-1")
    assert message == "viewer-1 has been removed from the room"
    assert "viewer-1" not in live_show.rooms[ROOM]
    assert live_show.types_sent()[-1] is MessageType.GUEST_DEMOTED


# -- giving back what a restarted LiveKit forgot ---------------------------------------------


async def test_a_restored_guest_gets_the_time_they_went_on_stage_back(
    service: ShowService, live_show: FakeRooms
) -> None:
    await service.promote(ROOM, "viewer-1", "host-1")
    since = live_show.person("viewer-1").on_stage_since
    live_show.forget_everything()
    live_show.connect("host-1", Role.HOST)
    live_show.connect("viewer-1", Role.VIEWER)  # back as their token says

    assert await service.restore(ROOM, "viewer-1", Role.GUEST, None, "", since) is True

    back = live_show.person("viewer-1")
    assert back.role is Role.GUEST and back.on_stage_since == since == 1704067200000
    assert live_show.permissions[(ROOM, "viewer-1")] == PERMISSIONS[Role.GUEST]


async def test_a_restored_guest_whose_time_was_not_remembered_starts_a_clock_now(
    service: ShowService, live_show: FakeRooms
) -> None:
    assert await service.restore(ROOM, "viewer-1", Role.GUEST, None) is True
    assert live_show.person("viewer-1").on_stage_since == 1704067200000


async def test_a_guest_back_as_the_guest_without_their_clock_gets_the_clock_back(
    service: ShowService, live_show: FakeRooms
) -> None:
    live_show.connect("guest-1", Role.GUEST)
    assert await service.restore(ROOM, "guest-1", Role.GUEST, None, "", 1704000000000) is True
    assert live_show.person("guest-1").on_stage_since == 1704000000000
    # their clock is there now: nothing more to give back, and a running clock is never reset
    assert await service.restore(ROOM, "guest-1", Role.GUEST, None, "", 1703000000000) is False
    assert live_show.person("guest-1").on_stage_since == 1704000000000


async def test_no_restore_puts_a_guest_on_a_full_stage(
    service: ShowService, live_show: FakeRooms
) -> None:
    await service.promote(ROOM, "viewer-2", "host-1")
    assert await service.restore(ROOM, "viewer-1", Role.GUEST, None, "", 1704000000000) is False
    assert live_show.person("viewer-1").role is Role.VIEWER
    assert ON_STAGE_ATTRIBUTE not in live_show.person("viewer-1").attributes


async def test_remove_guest_refuses_a_viewer(service: ShowService, live_show: FakeRooms) -> None:
    with pytest.raises(InvalidInput, match="is not the guest"):
        await service.remove_guest(ROOM, "viewer-1", "host-1")
    assert "viewer-1" in live_show.rooms[ROOM]


# -- hands ------------------------------------------------------------------------------------


async def test_raising_a_hand_records_the_time_and_tells_everyone(
    service: ShowService, live_show: FakeRooms
) -> None:
    assert await service.set_hand(ROOM, "viewer-1", True) is True
    assert live_show.person("viewer-1").hand_raised_at == 1704067200000
    (_, message, destinations) = live_show.sent[-1]
    assert destinations is None
    assert (message.type, message.sender_id, message.sender_name) == (
        MessageType.HAND_RAISE,
        "viewer-1",
        "Viewer 1",
    )
    assert message.timestamp == 1704067200000


async def test_a_hand_raised_twice_keeps_its_first_time(
    service: ShowService, live_show: FakeRooms
) -> None:
    await service.set_hand(ROOM, "viewer-1", True)
    first = live_show.person("viewer-1").hand_raised_at
    assert await service.set_hand(ROOM, "viewer-1", True) is True
    assert live_show.person("viewer-1").hand_raised_at == first
    assert live_show.types_sent() == [MessageType.HAND_RAISE]


async def test_hands_raised_one_after_another_queue_in_that_order(
    service: ShowService, live_show: FakeRooms
) -> None:
    for identity in ("viewer-3", "viewer-1", "viewer-2"):
        await service.set_hand(ROOM, identity, True)
    queue = hand_queue(live_show.rooms[ROOM].values())
    assert [p.identity for p in queue] == ["viewer-3", "viewer-1", "viewer-2"]


async def test_lowering_a_hand_deletes_it_and_broadcasts_hand_lower(
    service: ShowService, live_show: FakeRooms
) -> None:
    await service.set_hand(ROOM, "viewer-1", True)
    assert await service.set_hand(ROOM, "viewer-1", False) is False
    assert HAND_ATTRIBUTE not in live_show.person("viewer-1").attributes
    assert live_show.types_sent() == [MessageType.HAND_RAISE, MessageType.HAND_LOWER]


async def test_lowering_a_hand_that_is_down_changes_and_says_nothing(
    service: ShowService, live_show: FakeRooms
) -> None:
    assert await service.set_hand(ROOM, "viewer-1", False) is False
    assert live_show.sent == []


@pytest.mark.parametrize("identity", ["host-1", "guest-1"])
async def test_only_viewers_can_raise_a_hand(
    service: ShowService, live_show: FakeRooms, identity: str
) -> None:
    live_show.connect("guest-1", Role.GUEST)
    with pytest.raises(Forbidden, match="^Only viewers can raise their hand$"):
        await service.set_hand(ROOM, identity, True)
    assert live_show.sent == []


async def test_a_hand_in_an_unknown_room_says_room_not_found(service: ShowService) -> None:
    with pytest.raises(NotFound, match="^Room not found$"):
        await service.set_hand("no-such-show", "viewer-1", True)


async def test_a_hand_of_someone_not_in_the_room_says_participant_not_found(
    service: ShowService, live_show: FakeRooms
) -> None:
    with pytest.raises(NotFound, match="^Participant not found$"):
        await service.set_hand(ROOM, "viewer-9", True)


async def test_a_hand_raised_twice_at_once_keeps_its_first_time(
    service: ShowService, live_show: FakeRooms
) -> None:
    await asyncio.gather(
        service.set_hand(ROOM, "viewer-1", True), service.set_hand(ROOM, "viewer-1", True)
    )
    assert live_show.person("viewer-1").hand_raised_at == 1704067200000
    assert live_show.types_sent() == [MessageType.HAND_RAISE]


async def test_a_hand_raised_during_promotion_does_not_stick_to_the_new_guest(
    service: ShowService, live_show: FakeRooms
) -> None:
    # The viewer's raise is read before the promotion and its write reaches LiveKit after it.
    write_hand = asyncio.Event()
    update = live_show.update_participant

    writing = asyncio.Event()

    async def slow_hand_write(room: str, identity: str, **changes: Any) -> Participant:
        if (changes.get("attributes") or {}).get(HAND_ATTRIBUTE):
            writing.set()
            await write_hand.wait()
        return await update(room, identity, **changes)

    live_show.update_participant = slow_hand_write  # type: ignore[method-assign]
    raising = asyncio.create_task(service.set_hand(ROOM, "viewer-1", True))
    await writing.wait()  # the raise has read the viewer and is writing the hand
    promoting = asyncio.create_task(service.promote(ROOM, "viewer-1", "host-1"))
    await asyncio.sleep(0)  # the promotion starts, and waits for the room
    write_hand.set()
    await asyncio.gather(raising, promoting)
    assert live_show.person("viewer-1").role is Role.GUEST
    assert live_show.person("viewer-1").hand_raised_at is None


# -- a hand's question -------------------------------------------------------------------------


async def test_a_question_goes_up_with_the_hand_trimmed(
    service: ShowService, live_show: FakeRooms
) -> None:
    assert await service.set_hand(ROOM, "viewer-1", True, "  What mic is that?  ") is True
    viewer = live_show.person("viewer-1")
    assert viewer.hand_question == "What mic is that?" and viewer.hand_raised_at
    assert live_show.types_sent() == [MessageType.HAND_RAISE]


async def test_a_blank_question_means_none(service: ShowService, live_show: FakeRooms) -> None:
    await service.set_hand(ROOM, "viewer-1", True, "   ")
    assert QUESTION_ATTRIBUTE not in live_show.person("viewer-1").attributes


async def test_raising_again_replaces_the_question_keeps_the_place_and_says_nothing(
    service: ShowService, live_show: FakeRooms
) -> None:
    await service.set_hand(ROOM, "viewer-1", True, "First")
    first = live_show.person("viewer-1").hand_raised_at
    await service.set_hand(ROOM, "viewer-1", True, "Better")
    viewer = live_show.person("viewer-1")
    assert (viewer.hand_raised_at, viewer.hand_question) == (first, "Better")
    await service.set_hand(ROOM, "viewer-1", True)  # no word of a question: it stays
    assert live_show.person("viewer-1").hand_question == "Better"
    assert live_show.types_sent() == [MessageType.HAND_RAISE]


async def test_lowering_the_hand_takes_the_question_with_it(
    service: ShowService, live_show: FakeRooms
) -> None:
    await service.set_hand(ROOM, "viewer-1", True, "Why?")
    await service.set_hand(ROOM, "viewer-1", False)
    assert not {HAND_ATTRIBUTE, QUESTION_ATTRIBUTE} & live_show.person("viewer-1").attributes.keys()


async def test_promotion_answers_the_question_too(
    service: ShowService, live_show: FakeRooms
) -> None:
    await service.set_hand(ROOM, "viewer-1", True, "Can I come up?")
    await service.promote(ROOM, "viewer-1", "host-1")
    assert QUESTION_ATTRIBUTE not in live_show.person("viewer-1").attributes


async def test_clearing_a_question_leaves_the_hand_in_its_place(
    service: ShowService, live_show: FakeRooms
) -> None:
    await service.set_hand(ROOM, "viewer-1", True, "Buy my stuff")
    await service.set_hand(ROOM, "viewer-2", True)
    await service.clear_question(ROOM, "viewer-1")
    viewer = live_show.person("viewer-1")
    assert viewer.hand_question == "" and viewer.hand_raised_at
    queue = hand_queue(live_show.rooms[ROOM].values())
    assert [p.identity for p in queue] == ["viewer-1", "viewer-2"]


@pytest.mark.parametrize(
    ("question", "message"),
    [
        (
            "x" * (rules.QUESTION_MAX_LENGTH + 1),
            f"question must be at most {rules.QUESTION_MAX_LENGTH} characters",
        ),
        ("tab\there", "question must not contain control characters"),
    ],
)
async def test_a_bad_question_is_refused_and_the_hand_stays_down(
    service: ShowService, live_show: FakeRooms, question: str, message: str
) -> None:
    with pytest.raises(InvalidInput, match=f"^{message}$"):
        await service.set_hand(ROOM, "viewer-1", True, question)
    assert live_show.person("viewer-1").hand_raised_at is None
    assert live_show.sent == []


async def test_clearing_the_question_of_someone_missing_says_who_is_missing(
    service: ShowService, live_show: FakeRooms
) -> None:
    with pytest.raises(NotFound, match="^Participant not found$"):
        await service.clear_question(ROOM, "viewer-9")
    with pytest.raises(NotFound, match="^Room not found$"):
        await service.clear_question("no-such-room", "viewer-1")


# -- chat moderation ---------------------------------------------------------------------------


def _chat(rooms: FakeRooms, room: str = ROOM) -> ChatSettings:
    return ChatSettings.from_room_metadata(rooms.metadata.get(room, ""))


async def test_hiding_a_message_writes_it_into_the_room_metadata_keeping_other_keys(
    service: ShowService, live_show: FakeRooms
) -> None:
    live_show.metadata[ROOM] = json.dumps({"title": "Friday show"})

    await service.chat.hide(ROOM, "viewer-1", 1704067200123)
    await service.chat.hide(ROOM, "viewer-2", 0)

    assert _chat(live_show).hidden == ("viewer-1:1704067200123", "viewer-2:0")
    assert json.loads(live_show.metadata[ROOM])["title"] == "Friday show"
    assert (await service.chat.settings(ROOM)).hidden == _chat(live_show).hidden


class LaggingRooms(FakeRooms):
    """LiveKit's room list one write behind its room metadata, as it can be under load."""

    def __init__(self) -> None:
        super().__init__()
        self.listed: dict[str, str] = {}

    async def list_rooms(self, names: list[str] | None = None) -> list[RoomSummary]:
        rooms = await super().list_rooms(names)
        return [replace(r, metadata=self.listed.get(r.name, "")) for r in rooms]

    async def update_room_metadata(self, room: str, metadata: str) -> None:
        self.listed[room] = self.metadata.get(room, "")
        await super().update_room_metadata(room, metadata)


async def test_changes_in_a_row_all_hold_when_livekits_room_list_lags_a_write() -> None:
    rooms = LaggingRooms()
    service = ShowService(rooms, FakeTokens())
    rooms.connect("host-1", Role.HOST, "Host Jane")
    rooms.metadata[ROOM] = rooms.listed[ROOM] = json.dumps({"title": "Friday show"})

    for n in range(5):
        await service.chat.hide(ROOM, f"viewer-{n}", n)
    await service.chat.slow_mode(ROOM, 30)

    chat = _chat(rooms)
    assert chat.hidden == tuple(f"viewer-{n}:{n}" for n in range(5))
    assert chat.slow_mode_s == 30
    assert json.loads(rooms.metadata[ROOM])["title"] == "Friday show"


async def test_slow_mode_is_written_and_read_back_with_the_room(
    service: ShowService, live_show: FakeRooms
) -> None:
    assert await service.chat.slow_mode(ROOM, 30) == 30
    assert _chat(live_show).slow_mode_s == 30
    assert (await service.room(ROOM)).chat.slow_mode_s == 30
    assert await service.chat.slow_mode(ROOM, 0) == 0
    assert (await service.room(ROOM)).chat == ChatSettings()


@pytest.mark.parametrize("seconds", [-1, rules.SLOW_MODE_MAX_S + 1, True, 2.5, "30"])
async def test_slow_mode_out_of_its_range_is_refused_and_nothing_written(
    service: ShowService, live_show: FakeRooms, seconds: Any
) -> None:
    with pytest.raises(InvalidInput, match="^seconds must be an integer from 0 to 3600$"):
        await service.chat.slow_mode(ROOM, seconds)
    assert ROOM not in live_show.metadata


async def test_chat_moderation_of_a_room_that_does_not_exist_is_room_not_found(
    service: ShowService,
) -> None:
    with pytest.raises(NotFound, match="^Room not found$"):
        await service.chat.hide("no-such-room", "viewer-1", 5)
    with pytest.raises(NotFound, match="^Room not found$"):
        await service.chat.slow_mode("no-such-room", 5)
    with pytest.raises(NotFound, match="^Room not found$"):
        await service.chat.mute("no-such-room", "viewer-1", True)
    with pytest.raises(NotFound, match="^Room not found$"):
        await service.chat.settings("no-such-room")


async def test_ten_concurrent_hides_lose_none(service: ShowService, live_show: FakeRooms) -> None:
    await asyncio.gather(*(service.chat.hide(ROOM, "viewer-1", n) for n in range(10)))
    assert sorted(_chat(live_show).hidden) == sorted(f"viewer-1:{n}" for n in range(10))


async def test_muting_a_chat_sets_only_the_attribute_and_unmuting_deletes_it(
    service: ShowService, live_show: FakeRooms
) -> None:
    await service.set_hand(ROOM, "viewer-1", True)
    before = live_show.permissions[(ROOM, "viewer-1")]

    assert await service.chat.mute(ROOM, "viewer-1", True) is True
    muted = live_show.person("viewer-1")
    assert muted.attributes[CHAT_MUTED_ATTRIBUTE] == "1"
    assert muted.hand_raised_at is not None and muted.role is Role.VIEWER
    assert live_show.permissions[(ROOM, "viewer-1")] == before

    assert await service.chat.mute(ROOM, "viewer-1", False) is False
    assert CHAT_MUTED_ATTRIBUTE not in live_show.person("viewer-1").attributes


async def test_the_hosts_chat_cannot_be_muted(service: ShowService, live_show: FakeRooms) -> None:
    with pytest.raises(InvalidInput, match="^The host's chat cannot be muted$"):
        await service.chat.mute(ROOM, "host-1", True)
    assert CHAT_MUTED_ATTRIBUTE not in live_show.person("host-1").attributes


async def test_muting_someone_not_in_the_room_is_participant_not_found(
    service: ShowService, live_show: FakeRooms
) -> None:
    with pytest.raises(NotFound, match="^Participant not found$"):
        await service.chat.mute(ROOM, "viewer-99", True)


async def test_chat_settings_come_back_when_a_restarted_livekit_forgot_the_room(
    service: ShowService, rooms: FakeRooms
) -> None:
    await service.join(ROOM, "Host Jane", "host")
    await service.chat.slow_mode(ROOM, 45)
    await service.chat.hide(ROOM, "viewer-1", 7)
    remembered = _chat(rooms)

    rooms.forget_everything()
    await rooms.create_room(ROOM)
    assert await service.chat.restore(ROOM) is True
    assert _chat(rooms) == remembered
    assert await service.chat.restore(ROOM) is False  # LiveKit holds them again


async def test_a_host_joining_a_room_livekit_made_anew_gets_the_chat_settings_back(
    service: ShowService, rooms: FakeRooms
) -> None:
    joined = await service.join(ROOM, "Host Jane", "host")
    await service.chat.slow_mode(ROOM, 20)
    rooms.forget_everything()

    again = await service.join(ROOM, "Host Jane", "host", identity=joined.identity)

    assert again.role is Role.HOST
    assert _chat(rooms).slow_mode_s == 20


async def test_restore_never_overwrites_settings_livekit_holds(
    service: ShowService, live_show: FakeRooms
) -> None:
    await service.chat.slow_mode(ROOM, 20)
    live_show.metadata[ROOM] = ChatSettings(5).to_room_metadata()  # written by someone else
    assert await service.chat.restore(ROOM) is False
    assert _chat(live_show).slow_mode_s == 5


async def test_nothing_is_restored_without_settings_or_after_the_show_ended(
    service: ShowService, live_show: FakeRooms
) -> None:
    assert await service.chat.restore(ROOM) is False
    await service.chat.slow_mode(ROOM, 20)
    await service.end_show(ROOM)
    await live_show.create_room(ROOM)
    assert await service.chat.restore(ROOM) is False
    assert ROOM not in live_show.metadata


async def test_the_remembered_settings_are_bounded_to_the_newest_rooms(
    service: ShowService, rooms: FakeRooms, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(room_settings, "REMEMBERED_ROOMS", 2)
    for name in ("room-a", "room-b", "room-c"):
        await rooms.create_room(name)
        await service.chat.slow_mode(name, 10)
    rooms.forget_everything()
    for name in ("room-a", "room-b", "room-c"):
        await rooms.create_room(name)
    restored = [await service.chat.restore(name) for name in ("room-a", "room-b", "room-c")]
    assert restored == [False, True, True]


# -- the stage's time limit ------------------------------------------------------------------


def _stage(rooms: FakeRooms, room: str = ROOM) -> StageSettings:
    return StageSettings.from_room_metadata(rooms.metadata.get(room, ""))


async def test_the_stage_limit_is_written_beside_the_chat_settings_and_read_with_the_room(
    service: ShowService, live_show: FakeRooms
) -> None:
    live_show.metadata[ROOM] = json.dumps({"title": "Friday show"})
    await service.chat.slow_mode(ROOM, 30)

    assert await service.stage_limit(ROOM, 300) == 300

    assert json.loads(live_show.metadata[ROOM]) == {
        "title": "Friday show",
        "chat": {"slowModeSeconds": 30, "hidden": []},
        "stage": {"timeLimitSeconds": 300},
    }
    assert (await service.room(ROOM)).stage == StageSettings(300)
    await service.chat.hide(ROOM, "viewer-1", 5)  # the chat's writer keeps the stage's key
    assert _stage(live_show).time_limit_s == 300
    assert await service.stage_limit(ROOM, 0) == 0
    assert (await service.room(ROOM)).stage == StageSettings()
    assert _chat(live_show) == ChatSettings(30, ("viewer-1:5",))


async def test_the_longest_stage_limit_is_taken(service: ShowService, live_show: FakeRooms) -> None:
    assert await service.stage_limit(ROOM, rules.STAGE_TIME_LIMIT_MAX_S) == 14400
    assert _stage(live_show).time_limit_s == 14400


@pytest.mark.parametrize("seconds", [-1, rules.STAGE_TIME_LIMIT_MAX_S + 1, True, 2.5, "30", None])
async def test_a_stage_limit_out_of_its_range_is_refused_and_nothing_written(
    service: ShowService, live_show: FakeRooms, seconds: Any
) -> None:
    with pytest.raises(InvalidInput, match="^seconds must be an integer from 0 to 14400$"):
        await service.stage_limit(ROOM, seconds)
    assert ROOM not in live_show.metadata


async def test_a_stage_limit_for_a_room_that_does_not_exist_is_room_not_found(
    service: ShowService,
) -> None:
    with pytest.raises(NotFound, match="^Room not found$"):
        await service.stage_limit("no-such-room", 60)


async def test_concurrent_chat_and_stage_writes_lose_neither(
    service: ShowService, live_show: FakeRooms
) -> None:
    await asyncio.gather(
        *(service.chat.hide(ROOM, "viewer-1", n) for n in range(5)),
        service.stage_limit(ROOM, 600),
        *(service.chat.hide(ROOM, "viewer-2", n) for n in range(5)),
    )
    assert len(_chat(live_show).hidden) == 10
    assert _stage(live_show).time_limit_s == 600


async def test_the_stage_limit_comes_back_with_the_chat_when_livekit_forgot_the_room(
    service: ShowService, rooms: FakeRooms
) -> None:
    joined = await service.join(ROOM, "Host Jane", "host")
    await service.stage_limit(ROOM, 240)
    rooms.forget_everything()

    await service.join(ROOM, "Host Jane", "host", identity=joined.identity)
    assert _stage(rooms).time_limit_s == 240

    rooms.forget_everything()
    await rooms.create_room(ROOM)
    assert await service.chat.restore(ROOM) is True  # the window's call gives both back
    assert _stage(rooms).time_limit_s == 240
    assert _chat(rooms) == ChatSettings()


async def test_a_restore_fills_in_only_the_keys_livekit_lost(
    service: ShowService, live_show: FakeRooms
) -> None:
    await service.chat.slow_mode(ROOM, 20)
    await service.stage_limit(ROOM, 120)
    live_show.metadata[ROOM] = ChatSettings(5).to_room_metadata()  # the stage's key lost
    assert await service.chat.restore(ROOM) is True
    assert _chat(live_show).slow_mode_s == 5  # never overwritten
    assert _stage(live_show).time_limit_s == 120


async def test_a_new_show_of_the_same_name_starts_without_a_stage_limit(
    service: ShowService, live_show: FakeRooms
) -> None:
    await service.stage_limit(ROOM, 120)
    await service.end_show(ROOM)
    await live_show.create_room(ROOM)
    assert await service.chat.restore(ROOM) is False
    assert _stage(live_show) == StageSettings()


async def test_the_room_lists_its_guests_longest_on_stage_first(
    rooms: FakeRooms, tokens: FakeTokens
) -> None:
    ticks = itertools.count(1704067200000, 1000)
    service = ShowService(rooms, tokens, stage_size=3, clock_ms=lambda: next(ticks))
    rooms.connect("host-1", Role.HOST)
    for n in (1, 2, 3):
        rooms.connect(f"viewer-{n}", Role.VIEWER)
    await service.promote(ROOM, "viewer-3", "host-1")
    await service.promote(ROOM, "viewer-1", "host-1")

    state = await service.room(ROOM)

    assert [(g.identity, g.on_stage_since) for g in state.guests] == [
        ("viewer-3", 1704067200000),
        ("viewer-1", 1704067202000),
    ]
    assert state.has_guest


# -- renewing a token ----------------------------------------------------------------------------


async def test_a_renewed_token_keeps_the_identity_and_name_with_the_role_livekit_gives(
    service: ShowService, live_show: FakeRooms, tokens: FakeTokens
) -> None:
    renewed = await service.renew(ROOM, "viewer-1", "Viewer 1", host_token=False)
    assert (renewed.identity, renewed.role) == ("viewer-1", Role.VIEWER)
    assert tokens.minted[-1] == (ROOM, "viewer-1", "Viewer 1", Role.VIEWER)

    await service.promote(ROOM, "viewer-1", "host-1")
    promoted = await service.renew(ROOM, "viewer-1", "Viewer 1", host_token=False)
    assert promoted.role is Role.GUEST and tokens.minted[-1][3] is Role.GUEST


async def test_someone_not_in_the_room_renews_as_a_viewer(
    service: ShowService, live_show: FakeRooms
) -> None:
    gone = await service.renew(ROOM, "guest-who-left", "Sam", host_token=False)
    assert gone.role is Role.VIEWER
    no_room = await service.renew("no-such-room", "host-1", "Jane", host_token=True)
    assert no_room.role is Role.VIEWER


async def test_only_a_host_token_renews_as_the_host(
    service: ShowService, live_show: FakeRooms
) -> None:
    assert (await service.renew(ROOM, "host-1", "Host Jane", host_token=True)).role is Role.HOST
    assert (await service.renew(ROOM, "host-1", "Host Jane", host_token=False)).role is (
        Role.VIEWER
    )


async def test_a_blocked_participant_gets_no_fresh_token(
    service: ShowService, live_show: FakeRooms, tokens: FakeTokens
) -> None:
    await service.moderation.block(ROOM, "viewer-2")
    minted = len(tokens.minted)
    with pytest.raises(Forbidden, match="^You cannot join this show$"):
        await service.renew(ROOM, "viewer-2", "Viewer 2", host_token=False)
    assert len(tokens.minted) == minted


# -- broadcasting failures ---------------------------------------------------------------------


async def test_a_failed_broadcast_does_not_undo_the_promotion(
    service: ShowService, live_show: FakeRooms
) -> None:
    async def broken(*args: object, **kwargs: object) -> None:
        raise OSError("data channel down")

    live_show.send_data = broken  # type: ignore[method-assign]
    change = await service.promote(ROOM, "viewer-1", "host-1")
    assert change.identity == "viewer-1"
    assert live_show.person("viewer-1").role is Role.GUEST


# -- the host's own window, restarted ---------------------------------------------------------


async def test_the_same_window_identity_takes_its_own_ghosts_place(
    service: ShowService, rooms: FakeRooms
) -> None:
    rooms.connect("host-my-show-1a2b3c4d", Role.HOST)  # the crashed window, still in the room

    joined = await service.join(ROOM, "Host Jane", "host", identity="host-my-show-1a2b3c4d")

    assert joined.identity == "host-my-show-1a2b3c4d"
    # And again, before the first one connected: the same window retrying.
    again = await service.join(ROOM, "Host Jane", "host", identity="host-my-show-1a2b3c4d")
    assert again.identity == joined.identity


async def test_another_computer_still_finds_the_show_hosted(
    service: ShowService, rooms: FakeRooms
) -> None:
    rooms.connect("host-my-show-1a2b3c4d", Role.HOST)

    with pytest.raises(Conflict, match="^Room already has a host$"):
        await service.join(ROOM, "Host Jane", "host", identity="host-my-show-99999999")
    with pytest.raises(Conflict, match="^Room already has a host$"):
        await service.join(ROOM, "Host Jane", "host")


async def test_a_viewer_never_gets_a_chosen_identity(service: ShowService) -> None:
    joined = await service.join(ROOM, "Ann", "viewer", identity="host-my-show-1a2b3c4d")
    assert joined.identity.startswith("viewer-ann-")


async def test_a_host_whose_connection_failed_frees_the_room_at_once(
    service: ShowService,
) -> None:
    joined = await service.join(ROOM, "Host Jane", "host")

    service.give_up_host(ROOM, joined.identity)

    again = await service.join(ROOM, "Host Jane", "host")
    assert again.identity != joined.identity
