"""A participant of a show as the domain sees it, read from what LiveKit holds."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cached_property

from hostdesk.show.roles import Metadata, Role
from hostdesk.show.stage_clock import on_stage_since

#: Participant attribute holding when the hand was raised (milliseconds since the epoch, as
#: text). Written by the server only, so the queue's order survives restarts of anything.
HAND_ATTRIBUTE = "handRaisedAt"
#: Participant attribute holding the question a raised hand carries (trimmed text; absent or
#: empty when none). Server-written like the hand, so a viewer cannot put words in another's.
QUESTION_ATTRIBUTE = "handQuestion"


@dataclass(frozen=True)
class Participant:
    identity: str
    name: str
    sid: str = ""
    metadata: str = ""
    joined_at: int = 0
    attributes: Mapping[str, str] = field(default_factory=dict)

    @cached_property
    def meta(self) -> Metadata:
        """The role and display name, as the server wrote them (decoded once)."""
        return Metadata.decode(self.metadata, fallback_name=self.name)

    @property
    def role(self) -> Role | None:
        return self.meta.role

    @property
    def display_name(self) -> str:
        return self.meta.display_name or self.identity

    @property
    def hand_raised_at(self) -> int | None:
        """When the hand was raised (ms since the epoch), or None when it is down."""
        return parse_hand(self.attributes.get(HAND_ATTRIBUTE, ""))

    @property
    def queued_hand(self) -> int | None:
        """The hand as the queue counts it: only a viewer's hand is in the queue (a guest's
        attribute is cleared on promotion, and a host's would mean nothing). The one rule for
        who has a hand; the viewer page reads the same attribute the same way."""
        return self.hand_raised_at if self.role is Role.VIEWER else None

    @property
    def on_stage_since(self) -> int | None:
        """When the guest went on stage (ms since the epoch, the server's clock), or None: only
        a guest is on stage (the attribute is deleted at demotion)."""
        return on_stage_since(self.attributes) if self.role is Role.GUEST else None

    @property
    def hand_question(self) -> str:
        """The question of the queued hand ("" when none, or when the hand is not queued)."""
        return self.attributes.get(QUESTION_ATTRIBUTE, "") if self.queued_hand else ""


def parse_hand(value: str) -> int | None:
    try:
        stamp = int(value)
    except ValueError:
        return None
    return stamp if stamp > 0 else None


def hand_attributes(raised_at_ms: int | None) -> dict[str, str]:
    """The attribute update that raises (with its time) or lowers (empty deletes) a hand."""
    return {HAND_ATTRIBUTE: str(raised_at_ms) if raised_at_ms else ""}


def question_attributes(question: str) -> dict[str, str]:
    """The attribute update that sets a hand's question (empty deletes it)."""
    return {QUESTION_ATTRIBUTE: question}


def hand_down_attributes() -> dict[str, str]:
    """The attribute update that lowers a hand and takes its question with it."""
    return {**hand_attributes(None), **question_attributes("")}


@dataclass(frozen=True)
class RoomSummary:
    name: str
    sid: str
    num_participants: int
    creation_time: int
    #: The room's metadata as the server wrote it (JSON text; the chat settings live in it).
    metadata: str = ""


def with_role(participants: Iterable[Participant], role: Role) -> list[Participant]:
    return [p for p in participants if p.role is role]


def find(participants: Iterable[Participant], identity: str) -> Participant | None:
    return next((p for p in participants if p.identity == identity), None)


def hand_queue(participants: Iterable[Participant]) -> list[Participant]:
    """Viewers with a raised hand, first raised first; ties keep a stable identity order."""
    raised = [p for p in participants if p.queued_hand]
    return sorted(raised, key=lambda p: (p.queued_hand or 0, p.identity))
