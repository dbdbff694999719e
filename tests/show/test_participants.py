"""Participants as the show sees them: roles, names, raised hands and the hand queue."""

from __future__ import annotations

import pytest

from hostdesk.show.participants import (
    HAND_ATTRIBUTE,
    Participant,
    find,
    hand_attributes,
    hand_queue,
    parse_hand,
    with_role,
)
from hostdesk.show.roles import Metadata, Role


def person(
    identity: str, role: Role | None = Role.VIEWER, hand: str | None = None, name: str = ""
) -> Participant:
    metadata = Metadata(role, name or identity.title()).encode() if role else ""
    attributes = {HAND_ATTRIBUTE: hand} if hand is not None else {}
    return Participant(identity=identity, name=name, metadata=metadata, attributes=attributes)


def identities(participants: list[Participant]) -> list[str]:
    return [p.identity for p in participants]


def test_the_hand_queue_puts_the_first_raised_hand_first() -> None:
    room = [
        person("carol", hand="3000"),
        person("alice", hand="1000"),
        person("bob", hand="2000"),
    ]
    assert identities(hand_queue(room)) == ["alice", "bob", "carol"]


def test_the_hand_queue_orders_by_time_not_by_text() -> None:
    room = [person("late", hand="10000"), person("early", hand="9000")]
    assert identities(hand_queue(room)) == ["early", "late"]


def test_hands_raised_at_the_same_time_keep_a_stable_identity_order() -> None:
    room = [person("bob", hand="1000"), person("alice", hand="1000")]
    assert identities(hand_queue(room)) == ["alice", "bob"]


def test_the_hand_queue_ignores_hosts_and_guests_even_with_a_hand_attribute() -> None:
    room = [
        person("host", Role.HOST, hand="1000"),
        person("guest", Role.GUEST, hand="1000"),
        person("viewer", hand="2000"),
    ]
    assert identities(hand_queue(room)) == ["viewer"]


def test_the_hand_queue_ignores_participants_without_a_role() -> None:
    assert hand_queue([person("stranger", role=None, hand="1000")]) == []


def test_the_hand_queue_ignores_lowered_hands() -> None:
    room = [person("down", hand=""), person("never"), person("up", hand="5")]
    assert identities(hand_queue(room)) == ["up"]


@pytest.mark.parametrize("garbage", ["soon", "12abc", "1.5", "0", "-100", " ", "None"])
def test_the_hand_queue_ignores_garbage_timestamps(garbage: str) -> None:
    room = [person("garbage", hand=garbage), person("good", hand="1000")]
    assert identities(hand_queue(room)) == ["good"]


def test_a_hand_raised_is_read_back_in_milliseconds() -> None:
    assert person("v", hand="1704067200000").hand_raised_at == 1704067200000
    assert person("v").hand_raised_at is None


@pytest.mark.parametrize("garbage", ["", "x", "0", "-1", "9" * 5000])
def test_parse_hand_reads_garbage_as_a_lowered_hand(garbage: str) -> None:
    assert parse_hand(garbage) is None


def test_hand_attributes_of_a_raised_hand_hold_its_time() -> None:
    assert hand_attributes(1704067200000) == {HAND_ATTRIBUTE: "1704067200000"}
    assert HAND_ATTRIBUTE == "handRaisedAt"


def test_hand_attributes_of_none_give_the_deleting_empty_string() -> None:
    assert hand_attributes(None) == {"handRaisedAt": ""}


def test_hand_attributes_round_trip_through_a_participant() -> None:
    p = Participant("v", "V", metadata=Metadata(Role.VIEWER, "V").encode())
    raised = Participant("v", "V", metadata=p.metadata, attributes=hand_attributes(42))
    lowered = Participant("v", "V", metadata=p.metadata, attributes=hand_attributes(None))
    assert raised.hand_raised_at == 42
    assert lowered.hand_raised_at is None


def test_display_name_comes_from_metadata_first() -> None:
    p = Participant("id-1", "LiveKit Name", metadata=Metadata(Role.VIEWER, "Meta Name").encode())
    assert p.display_name == "Meta Name"


@pytest.mark.parametrize("metadata", ["", "garbage", '{"role":"viewer"}'])
def test_display_name_falls_back_to_the_livekit_name(metadata: str) -> None:
    assert Participant("id-1", "LiveKit Name", metadata=metadata).display_name == "LiveKit Name"


def test_display_name_falls_back_to_the_identity_when_there_is_no_name() -> None:
    assert Participant("id-1", "", metadata="").display_name == "id-1"


def test_role_comes_from_metadata_and_garbage_gives_none() -> None:
    assert person("h", Role.HOST).role is Role.HOST
    assert Participant("x", "X", metadata="{oops").role is None


def test_with_role_picks_a_role_and_find_picks_an_identity() -> None:
    room = [person("h", Role.HOST), person("g", Role.GUEST), person("v1"), person("v2")]
    assert identities(with_role(room, Role.VIEWER)) == ["v1", "v2"]
    assert identities(with_role(room, Role.HOST)) == ["h"]
    assert find(room, "g") is room[1]
    assert find(room, "nobody") is None
