"""The stage clock: how long a guest has been on stage, and how that stands against the show's
limit.

Both facts are written by the server where no client can write:
- the participant attribute `onStageSince` holds when the guest was put on stage (milliseconds
  since the epoch, as text, the server's clock), written at promotion and deleted at demotion;
- the room's metadata carries the show's limit, `{"stage": {"timeLimitSeconds": N}}` (0: none;
  other keys of the metadata, such as `chat`, are kept).
The window and the page read them the same way (`clock`): the host sees each guest's time, the
guest's page warns when at most `STAGE_WARNING_S` are left, and at the limit the host is asked
(never an automatic removal) to send the guest back.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Literal

from hostdesk.show.room_metadata import section, with_section
from hostdesk.show.rules import STAGE_TIME_LIMIT_MAX_S, STAGE_WARNING_S

#: Participant attribute: when the guest went on stage (ms since the epoch, as text).
ON_STAGE_ATTRIBUTE = "onStageSince"
#: The key of the stage settings in the room's metadata.
ROOM_STAGE_KEY = "stage"

Phase = Literal["on", "warning", "over"]
#: On stage, with no limit or more than `STAGE_WARNING_S` of it left.
ON: Phase = "on"
#: At most `STAGE_WARNING_S` of the limit left: the guest's page warns.
WARNING: Phase = "warning"
#: The limit is reached: the host is asked to send the guest back.
OVER: Phase = "over"


def on_stage_since(attributes: Mapping[str, str]) -> int | None:
    """When the participant went on stage (ms since the epoch), or None when they are not on
    stage or the attribute is not a positive whole number."""
    value = attributes.get(ON_STAGE_ATTRIBUTE, "")
    if not value.isascii() or not value.isdigit():
        return None
    stamp = int(value)
    return stamp if stamp > 0 else None


def on_stage_attributes(since_ms: int | None) -> dict[str, str]:
    """The attribute update that starts a guest's clock at `since_ms`, or (None: "" deletes the
    attribute) stops it."""
    return {ON_STAGE_ATTRIBUTE: str(since_ms) if since_ms else ""}


@dataclass(frozen=True)
class StageSettings:
    """The show's stage settings: the limit on a guest's time on stage (0: none)."""

    time_limit_s: int = 0

    @classmethod
    def from_room_metadata(cls, metadata: str) -> StageSettings:
        """What the server wrote; anything else (no metadata, another shape, a limit out of
        its range) reads as no limit."""
        stage = section(metadata, ROOM_STAGE_KEY)
        if stage is None:
            return cls()
        limit = stage.get("timeLimitSeconds")
        if not isinstance(limit, int) or isinstance(limit, bool):
            return cls()
        return cls(limit if 0 < limit <= STAGE_TIME_LIMIT_MAX_S else 0)

    def to_room_metadata(self, existing: str = "") -> str:
        """The room's metadata with these settings in it (other keys kept as they are)."""
        return with_section(existing, ROOM_STAGE_KEY, {"timeLimitSeconds": self.time_limit_s})

    def with_time_limit(self, seconds: int) -> StageSettings:
        return replace(self, time_limit_s=seconds)


@dataclass(frozen=True)
class StageClock:
    """A guest's clock now: whole seconds on stage, whole seconds of the limit left (None when
    the show has no limit; 0 once it is reached) and the phase."""

    elapsed_s: int
    remaining_s: int | None
    phase: Phase


def clock(on_stage_since_ms: int, limit_s: int, now_ms: int) -> StageClock:
    """The clock of a guest on stage since `on_stage_since_ms` under a limit of `limit_s`
    seconds (0: none) at `now_ms`. Seconds are whole, the elapsed ones rounded down (a reader
    whose clock is behind the server's reads 0, never less); "warning" once at most
    `STAGE_WARNING_S` are left, "over" once none are."""
    elapsed_s = max(0, now_ms - on_stage_since_ms) // 1000
    if limit_s <= 0:
        return StageClock(elapsed_s, None, ON)
    remaining_s = max(0, limit_s - elapsed_s)
    if remaining_s == 0:
        return StageClock(elapsed_s, 0, OVER)
    return StageClock(elapsed_s, remaining_s, WARNING if remaining_s <= STAGE_WARNING_S else ON)
