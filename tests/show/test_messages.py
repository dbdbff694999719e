"""The data messages of the contract: builders, encoding, decoding, validation, who may send."""

from __future__ import annotations

import json

import pytest

from hostdesk.show import messages
from hostdesk.show.messages import (
    DataMessage,
    InvalidMessage,
    MessageType,
    decode,
    may_send,
)
from hostdesk.show.roles import Role
from hostdesk.show.rules import CHAT_MAX_LENGTH as MAX_CHAT_LENGTH
from hostdesk.show.rules import PACKET_MAX_BYTES as MAX_PACKET_BYTES

NOW = 1704067200000


def _packet(**fields: object) -> bytes:
    return json.dumps(fields).encode()


# -- round trips with the documented field names ---------------------------------------------

ROUND_TRIPS = [
    pytest.param(
        messages.hand("viewer-1", "John Viewer", True, NOW),
        {"type": "hand_raise", "senderId": "viewer-1", "senderName": "John Viewer"},
        id="hand_raise",
    ),
    pytest.param(
        messages.hand("viewer-1", "John Viewer", False, NOW),
        {"type": "hand_lower", "senderId": "viewer-1", "senderName": "John Viewer"},
        id="hand_lower",
    ),
    pytest.param(
        messages.invite("host-1", "Host Jane", "viewer-1", "John Viewer", NOW),
        {
            "type": "guest_invite",
            "senderId": "host-1",
            "senderName": "Host Jane",
            "targetParticipantId": "viewer-1",
            "targetParticipantName": "John Viewer",
        },
        id="guest_invite",
    ),
    pytest.param(
        messages.invite_response("viewer-1", "John Viewer", True, NOW),
        {
            "type": "guest_invite_response",
            "senderId": "viewer-1",
            "senderName": "John Viewer",
            "accepted": True,
        },
        id="guest_invite_response-accepted",
    ),
    pytest.param(
        messages.invite_response("viewer-1", "John Viewer", False, NOW),
        {
            "type": "guest_invite_response",
            "senderId": "viewer-1",
            "senderName": "John Viewer",
            "accepted": False,
        },
        id="guest_invite_response-declined",
    ),
    pytest.param(
        messages.stage_change(True, "host-1", "Host Jane", "viewer-1", "John Viewer", NOW),
        {
            "type": "guest_promoted",
            "senderId": "host-1",
            "senderName": "Host Jane",
            "targetParticipantId": "viewer-1",
            "targetParticipantName": "John Viewer",
        },
        id="guest_promoted",
    ),
    pytest.param(
        messages.stage_change(False, "host-1", "Host Jane", "viewer-1", "John Viewer", NOW),
        {
            "type": "guest_demoted",
            "senderId": "host-1",
            "senderName": "Host Jane",
            "targetParticipantId": "viewer-1",
            "targetParticipantName": "John Viewer",
        },
        id="guest_demoted",
    ),
    pytest.param(
        messages.chat("viewer-1", "Zoë 🎤", "hello «world» 👋", NOW),
        {
            "type": "chat_message",
            "senderId": "viewer-1",
            "senderName": "Zoë 🎤",
            "message": "hello «world» 👋",
        },
        id="chat_message",
    ),
]


@pytest.mark.parametrize(("message", "fields"), ROUND_TRIPS)
def test_every_message_type_encodes_to_the_documented_json_fields(
    message: DataMessage, fields: dict[str, object]
) -> None:
    assert json.loads(message.encode()) == {**fields, "timestamp": NOW}


@pytest.mark.parametrize(("message", "fields"), ROUND_TRIPS)
def test_every_message_type_survives_encode_then_decode(
    message: DataMessage, fields: dict[str, object]
) -> None:
    assert decode(message.encode()) == message


def test_the_builders_cover_every_message_type() -> None:
    built = {param.values[0].type for param in ROUND_TRIPS}  # type: ignore[union-attr]
    assert built == set(MessageType)


def test_a_target_without_a_name_is_named_by_its_identity() -> None:
    message = messages.invite("host-1", "Host Jane", "viewer-1", "", NOW)
    assert json.loads(message.encode())["targetParticipantName"] == "viewer-1"


def test_a_float_timestamp_decodes_to_whole_milliseconds() -> None:
    raw = _packet(type="hand_raise", senderId="viewer-1", senderName="V", timestamp=1.5e12)
    assert decode(raw).timestamp == 1_500_000_000_000


def test_a_missing_sender_name_falls_back_to_the_sender_id() -> None:
    raw = _packet(type="hand_raise", senderId="viewer-1", timestamp=NOW)
    assert decode(raw).sender_name == "viewer-1"


# -- the contract's own examples --------------------------------------------------------------

SEED_HAND_RAISE = b"""{
"type": "hand_raise",
"senderId": "viewer-123",
"senderName": "John Viewer",
"timestamp": 1704067200000
}"""

SEED_GUEST_INVITE = b"""{
"type": "guest_invite",
"senderId": "host-456",
"senderName": "Host Jane",
"targetParticipantId": "viewer-123",
"targetParticipantName": "John Viewer",
"timestamp": 1704067200000
}"""


def test_the_contracts_hand_raise_example_decodes() -> None:
    assert decode(SEED_HAND_RAISE) == DataMessage(
        MessageType.HAND_RAISE, "viewer-123", "John Viewer", 1704067200000
    )


def test_the_contracts_guest_invite_example_decodes() -> None:
    assert decode(SEED_GUEST_INVITE) == DataMessage(
        MessageType.GUEST_INVITE,
        "host-456",
        "Host Jane",
        1704067200000,
        target_id="viewer-123",
        target_name="John Viewer",
    )


# -- malformed packets ------------------------------------------------------------------------

MALFORMED = [
    pytest.param(b"hello", "not JSON", id="not-json"),
    pytest.param(b"", "not JSON", id="empty"),
    pytest.param(b'["hand_raise"]', "not a JSON object", id="a-list"),
    pytest.param(b'"hand_raise"', "not a JSON object", id="a-string"),
    pytest.param(
        _packet(type="wave", senderId="v", timestamp=NOW), "unknown type 'wave'", id="unknown-type"
    ),
    pytest.param(_packet(senderId="v", timestamp=NOW), "unknown type None", id="no-type"),
    pytest.param(
        _packet(type="hand_raise", senderName="V", timestamp=NOW),
        "senderId must be a non-empty string",
        id="no-senderId",
    ),
    pytest.param(
        _packet(type="hand_raise", senderId="", timestamp=NOW),
        "senderId must be a non-empty string",
        id="empty-senderId",
    ),
    pytest.param(
        _packet(type="hand_raise", senderId=42, timestamp=NOW),
        "senderId must be a non-empty string",
        id="numeric-senderId",
    ),
    pytest.param(
        _packet(type="hand_raise", senderId="v", senderName=7, timestamp=NOW),
        "senderName must be a non-empty string",
        id="numeric-senderName",
    ),
    pytest.param(
        _packet(type="hand_raise", senderId="v"), "timestamp must be a number", id="no-timestamp"
    ),
    pytest.param(
        _packet(type="hand_raise", senderId="v", timestamp="1704067200000"),
        "timestamp must be a number",
        id="string-timestamp",
    ),
    pytest.param(
        _packet(type="hand_raise", senderId="v", timestamp=True),
        "timestamp must be a number",
        id="bool-timestamp",
    ),
    pytest.param(
        _packet(type="guest_invite", senderId="h", timestamp=NOW),
        "targetParticipantId must be a non-empty string",
        id="invite-without-target",
    ),
    pytest.param(
        _packet(type="guest_promoted", senderId="h", timestamp=NOW),
        "targetParticipantId must be a non-empty string",
        id="promoted-without-target",
    ),
    pytest.param(
        _packet(type="guest_invite_response", senderId="v", timestamp=NOW),
        "accepted must be a boolean",
        id="response-without-accepted",
    ),
    pytest.param(
        _packet(type="guest_invite_response", senderId="v", timestamp=NOW, accepted="yes"),
        "accepted must be a boolean",
        id="response-with-text-accepted",
    ),
    pytest.param(
        _packet(type="guest_invite_response", senderId="v", timestamp=NOW, accepted=1),
        "accepted must be a boolean",
        id="response-with-numeric-accepted",
    ),
    pytest.param(
        _packet(type="chat_message", senderId="v", timestamp=NOW),
        "message must be a non-empty string",
        id="chat-without-message",
    ),
    pytest.param(
        _packet(type="chat_message", senderId="v", timestamp=NOW, message=""),
        "message must be a non-empty string",
        id="chat-with-empty-message",
    ),
    pytest.param(
        _packet(
            type="chat_message", senderId="v", timestamp=NOW, message="x" * (MAX_CHAT_LENGTH + 1)
        ),
        f"message longer than {MAX_CHAT_LENGTH} characters",
        id="chat-too-long",
    ),
    pytest.param(
        _packet(type="chat_message", senderId="v", timestamp=NOW, message="x" * MAX_PACKET_BYTES),
        f"exceeds {MAX_PACKET_BYTES}",
        id="over-the-size-limit",
    ),
    pytest.param(b'{"type":"hand_raise","senderId":"\xff\xfe"}', "not JSON", id="invalid-utf8"),
]


@pytest.mark.parametrize(("raw", "reason"), MALFORMED)
def test_a_malformed_packet_is_rejected_with_a_reason(raw: bytes, reason: str) -> None:
    with pytest.raises(InvalidMessage) as caught:
        decode(raw)
    assert reason in str(caught.value)


def test_a_chat_message_of_exactly_the_limit_is_accepted() -> None:
    text = "x" * MAX_CHAT_LENGTH
    raw = _packet(type="chat_message", senderId="v", timestamp=NOW, message=text)
    assert decode(raw).message == text


def test_a_packet_of_exactly_the_size_limit_is_not_rejected_for_size() -> None:
    raw = _packet(type="hand_raise", senderId="v", timestamp=NOW)
    raw = raw[:-1] + b" " * (MAX_PACKET_BYTES - len(raw)) + b"}"
    assert len(raw) == MAX_PACKET_BYTES
    assert decode(raw).type is MessageType.HAND_RAISE


@pytest.mark.parametrize("timestamp", [b"Infinity", b"-Infinity", b"NaN", b"1e400"])
def test_a_non_finite_timestamp_is_rejected_as_an_invalid_message(timestamp: bytes) -> None:
    raw = b'{"type":"hand_raise","senderId":"v","timestamp":' + timestamp + b"}"
    with pytest.raises(InvalidMessage):
        decode(raw)


def test_a_deeply_nested_packet_is_rejected_as_an_invalid_message() -> None:
    raw = b"[" * 5000
    assert len(raw) <= MAX_PACKET_BYTES
    with pytest.raises(InvalidMessage):
        decode(raw)


# -- the chat builder -------------------------------------------------------------------------


@pytest.mark.parametrize("text", ["", "   ", "\n\t"])
def test_the_chat_builder_refuses_an_empty_message(text: str) -> None:
    with pytest.raises(InvalidMessage, match="must not be empty"):
        messages.chat("viewer-1", "V", text, NOW)


def test_the_chat_builder_refuses_a_message_over_the_limit() -> None:
    with pytest.raises(InvalidMessage, match=f"longer than {MAX_CHAT_LENGTH}"):
        messages.chat("viewer-1", "V", "x" * (MAX_CHAT_LENGTH + 1), NOW)


def test_the_longest_chat_from_the_longest_names_still_fits_in_one_packet() -> None:
    longest = messages.chat("v" * 128, "🎤" * 128, "🎤" * MAX_CHAT_LENGTH, NOW)
    assert len(longest.encode()) <= MAX_PACKET_BYTES
    assert decode(longest.encode()) == longest


# -- who may send what ------------------------------------------------------------------------

HOST_ONLY = [MessageType.GUEST_PROMOTED, MessageType.GUEST_DEMOTED, MessageType.GUEST_INVITE]


@pytest.mark.parametrize("message_type", HOST_ONLY)
def test_a_viewer_cannot_send_host_only_messages(message_type: MessageType) -> None:
    assert not may_send(Role.VIEWER, message_type)


@pytest.mark.parametrize("message_type", HOST_ONLY)
def test_a_guest_cannot_send_host_only_messages(message_type: MessageType) -> None:
    assert not may_send(Role.GUEST, message_type)


@pytest.mark.parametrize("message_type", HOST_ONLY)
def test_the_host_can_send_host_only_messages(message_type: MessageType) -> None:
    assert may_send(Role.HOST, message_type)


@pytest.mark.parametrize("role", list(Role))
def test_anyone_with_a_role_can_chat(role: Role) -> None:
    assert may_send(role, MessageType.CHAT_MESSAGE)


@pytest.mark.parametrize(
    "message_type",
    [MessageType.HAND_RAISE, MessageType.HAND_LOWER, MessageType.GUEST_INVITE_RESPONSE],
)
def test_a_viewer_can_raise_lower_and_answer_but_the_host_cannot(
    message_type: MessageType,
) -> None:
    assert may_send(Role.VIEWER, message_type)
    assert not may_send(Role.HOST, message_type)


@pytest.mark.parametrize("message_type", list(MessageType))
def test_a_sender_without_a_role_can_send_nothing(message_type: MessageType) -> None:
    assert not may_send(None, message_type)


# -- which topics are ours -------------------------------------------------------------------


@pytest.mark.parametrize("topic", [messages.TOPIC, "", None])
def test_hostdesk_topic_and_no_topic_are_both_read_as_show_messages(topic: str | None) -> None:
    # A client written to the contract alone sends without a topic (LiveKit gives "").
    assert messages.is_show_topic(topic)


@pytest.mark.parametrize("topic", ["chat", "HostDesk", "hostdesk-other", " "])
def test_another_apps_topic_is_not_ours(topic: str) -> None:
    assert not messages.is_show_topic(topic)
