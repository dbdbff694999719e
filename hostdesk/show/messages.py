"""The data messages of the contract: build, encode, decode and validate them.

Every message is a JSON object with `type`, `senderId`, `senderName` and `timestamp` (ms since
the epoch) plus the fields of its type. Who may send which type is decided here too; the sender
to check is the identity LiveKit stamps on the packet, never `senderId`.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, replace
from enum import StrEnum
from typing import Any

from hostdesk.show.roles import Role
from hostdesk.show.rules import PACKET_MAX_BYTES, chat_problem

#: The LiveKit data topic HostDesk sends its show messages under.
TOPIC = "hostdesk"


def is_show_topic(topic: str | None) -> bool:
    """Whether a packet on this topic is read as a show message.

    The contract names no topic, so a client written to it alone (a mobile app, the contract's
    own frontend) sends with none: LiveKit delivers `""` (or nothing). Those are read exactly
    like HostDesk's own topic, under the same trust rules; any other topic is another app's
    traffic in the same room and is left alone.
    """
    return not topic or topic == TOPIC


class MessageType(StrEnum):
    HAND_RAISE = "hand_raise"
    HAND_LOWER = "hand_lower"
    GUEST_INVITE = "guest_invite"
    GUEST_INVITE_RESPONSE = "guest_invite_response"
    GUEST_PROMOTED = "guest_promoted"
    GUEST_DEMOTED = "guest_demoted"
    CHAT_MESSAGE = "chat_message"


_TARGETED = frozenset(
    {MessageType.GUEST_INVITE, MessageType.GUEST_PROMOTED, MessageType.GUEST_DEMOTED}
)

#: Which participant roles may send which type. Packets sent by the server itself (through the
#: room service, admin only) carry no participant and are always allowed.
SENDERS: dict[MessageType, frozenset[Role]] = {
    MessageType.HAND_RAISE: frozenset({Role.VIEWER}),
    MessageType.HAND_LOWER: frozenset({Role.VIEWER}),
    MessageType.GUEST_INVITE: frozenset({Role.HOST}),
    MessageType.GUEST_INVITE_RESPONSE: frozenset({Role.VIEWER}),
    MessageType.GUEST_PROMOTED: frozenset({Role.HOST}),
    MessageType.GUEST_DEMOTED: frozenset({Role.HOST}),
    MessageType.CHAT_MESSAGE: frozenset({Role.HOST, Role.GUEST, Role.VIEWER}),
}


class InvalidMessage(ValueError):
    """A packet that is not a valid show message; the text says why."""


@dataclass(frozen=True)
class DataMessage:
    type: MessageType
    sender_id: str
    sender_name: str
    timestamp: int
    target_id: str | None = None
    target_name: str | None = None
    accepted: bool | None = None
    message: str | None = None

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "type": self.type.value,
            "senderId": self.sender_id,
            "senderName": self.sender_name,
            "timestamp": self.timestamp,
        }
        if self.target_id is not None:
            data["targetParticipantId"] = self.target_id
            data["targetParticipantName"] = self.target_name or self.target_id
        if self.accepted is not None:
            data["accepted"] = self.accepted
        if self.message is not None:
            data["message"] = self.message
        return data

    def encode(self) -> bytes:
        return json.dumps(self.to_json(), separators=(",", ":")).encode()


def may_send(sender_role: Role | None, message_type: MessageType) -> bool:
    """Whether a participant of this role may send this type (None: no known role)."""
    return sender_role is not None and sender_role in SENDERS[message_type]


def decode(raw: bytes) -> DataMessage:
    """Parses and validates one packet, or raises InvalidMessage saying what is wrong."""
    if len(raw) > PACKET_MAX_BYTES:
        raise InvalidMessage(f"packet of {len(raw)} bytes exceeds {PACKET_MAX_BYTES}")
    try:
        data = json.loads(raw)
    except (ValueError, UnicodeDecodeError, RecursionError) as exc:
        raise InvalidMessage("not JSON") from exc
    if not isinstance(data, dict):
        raise InvalidMessage("not a JSON object")
    try:
        message_type = MessageType(str(data.get("type")))
    except ValueError:
        raise InvalidMessage(f"unknown type {data.get('type')!r}") from None
    sender_id = _text(data, "senderId")
    sender_name = _text(data, "senderName", required=False) or sender_id
    timestamp = data.get("timestamp")
    if (
        isinstance(timestamp, bool)
        or not isinstance(timestamp, int | float)
        or not math.isfinite(timestamp)
    ):
        raise InvalidMessage("timestamp must be a number")
    msg = DataMessage(message_type, sender_id, sender_name, int(timestamp))
    if message_type in _TARGETED:
        target = _text(data, "targetParticipantId")
        target_name = _text(data, "targetParticipantName", required=False) or target
        return replace(msg, target_id=target, target_name=target_name)
    if message_type is MessageType.GUEST_INVITE_RESPONSE:
        accepted = data.get("accepted")
        if not isinstance(accepted, bool):
            raise InvalidMessage("accepted must be a boolean")
        return replace(msg, accepted=accepted)
    if message_type is MessageType.CHAT_MESSAGE:
        text = _text(data, "message")
        problem = chat_problem(text)
        if problem is not None:
            raise InvalidMessage(problem)
        return replace(msg, message=text)
    return msg


def _text(data: dict[str, Any], key: str, required: bool = True) -> str:
    value = data.get(key)
    if value is None and not required:
        return ""
    if not isinstance(value, str) or (required and not value):
        raise InvalidMessage(f"{key} must be a non-empty string")
    return value


def hand(sender_id: str, sender_name: str, raised: bool, now_ms: int) -> DataMessage:
    kind = MessageType.HAND_RAISE if raised else MessageType.HAND_LOWER
    return DataMessage(kind, sender_id, sender_name, now_ms)


def invite(
    host_id: str, host_name: str, target_id: str, target_name: str, now_ms: int
) -> DataMessage:
    return DataMessage(MessageType.GUEST_INVITE, host_id, host_name, now_ms, target_id, target_name)


def invite_response(sender_id: str, sender_name: str, accepted: bool, now_ms: int) -> DataMessage:
    return DataMessage(
        MessageType.GUEST_INVITE_RESPONSE, sender_id, sender_name, now_ms, accepted=accepted
    )


def stage_change(
    promoted: bool, host_id: str, host_name: str, target_id: str, target_name: str, now_ms: int
) -> DataMessage:
    kind = MessageType.GUEST_PROMOTED if promoted else MessageType.GUEST_DEMOTED
    return DataMessage(kind, host_id, host_name, now_ms, target_id, target_name)


def chat(sender_id: str, sender_name: str, text: str, now_ms: int) -> DataMessage:
    problem = chat_problem(text)
    if problem is not None:
        raise InvalidMessage(problem)
    return DataMessage(MessageType.CHAT_MESSAGE, sender_id, sender_name, now_ms, message=text)
