"""Participants as LiveKit reports them (role in metadata, hand in attributes), for unit tests
of the mirror and the window's models."""

from __future__ import annotations

from hostdesk.show.participants import Participant, hand_attributes
from hostdesk.show.roles import Metadata, Role


def person(
    identity: str, name: str, role: Role | None, hand: int | None = None, joined_at: int = 0
) -> Participant:
    return Participant(
        identity,
        name,
        metadata=Metadata(role, name).encode() if role else "",
        joined_at=joined_at,
        attributes=hand_attributes(hand) if hand else {},
    )


def viewer(
    identity: str, name: str = "", hand: int | None = None, joined_at: int = 0
) -> Participant:
    return person(identity, name or identity.title(), Role.VIEWER, hand, joined_at)


def guest(identity: str, name: str = "") -> Participant:
    return person(identity, name or identity.title(), Role.GUEST)
