"""The one converter from LiveKit's participants to the show's.

The room service answers with `api.ParticipantInfo` and the RTC SDK's room holds
`rtc.Participant`s; both carry the same facts (identity, name, sid, the server-written metadata
and attributes), and both become a `hostdesk.show.participants.Participant` here and only here.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Protocol

from hostdesk.show.participants import Participant


class LiveKitParticipant(Protocol):
    @property
    def identity(self) -> str: ...
    @property
    def name(self) -> str: ...
    @property
    def sid(self) -> str: ...
    @property
    def metadata(self) -> str: ...
    @property
    def attributes(self) -> Mapping[str, str]: ...


def participant_of(p: LiveKitParticipant) -> Participant:
    return Participant(
        identity=p.identity,
        name=p.name,
        sid=p.sid,
        metadata=p.metadata,
        joined_at=_seconds(getattr(p, "joined_at", 0)),
        attributes=dict(p.attributes),
    )


def _seconds(joined_at: object) -> int:
    """When they joined, in seconds since the epoch: the room service gives an int, the RTC SDK
    a `datetime` (or nothing, in older releases)."""
    if isinstance(joined_at, datetime):
        return int(joined_at.timestamp())
    return int(joined_at) if isinstance(joined_at, int | float) else 0
