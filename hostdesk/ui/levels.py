"""Audio levels of the people on stage, who is speaking, and whom the speaker layout follows.

Pure (no Qt): fed 10 ms PCM chunks as they arrive and read by a timer in the window, never per
painted frame. A chunk costs one RMS (about 20 µs for 480 samples with `math.hypot`); the
meter a tile draws is the loudest chunk since the last read, falling back slowly (a decay) so
that it neither flickers nor freezes at a peak. Silence reads as exactly 0 and does not move.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

#: The meter's range: FLOOR_DB and below read as 0, 0 dBFS as 1.
FLOOR_DB = -60.0
#: The meter falls by this part of its range per second after the sound stops.
DECAY_PER_S = 1.5
#: A level above this (in dBFS) is speech; a guest's room tone stays below it.
SPEAKING_DB = -45.0
#: How long someone still counts as speaking after their level drops (pauses between words).
SPEAKING_HANG_S = 0.4
#: The speaker layout moves to someone else only once its speaker has been quiet this long.
FOCUS_HOLD_S = 1.2
_FULL_SCALE = 32768.0


def rms_dbfs(pcm: bytes) -> float:
    """The RMS of 16-bit little-endian mono PCM in dBFS (-inf for silence or no samples)."""
    samples = memoryview(pcm)[: len(pcm) - len(pcm) % 2].cast("h")
    if not samples:
        return -math.inf
    rms = math.hypot(*samples) / math.sqrt(len(samples))
    return 20 * math.log10(rms / _FULL_SCALE) if rms else -math.inf


def meter_position(db: float) -> float:
    """Where `db` sits on the meter, 0 (FLOOR_DB or below) to 1 (full scale)."""
    return min(1.0, max(0.0, (db - FLOOR_DB) / -FLOOR_DB))


@dataclass
class LevelMeter:
    """One member's meter: `feed` each chunk, `read` at the window's pace."""

    #: the meter's position now (0..1), what a tile draws
    shown: float = 0.0
    #: the loudest chunk since the last read (dBFS)
    _peak_db: float = -math.inf
    #: when the level last reached speech (seconds, the reader's clock)
    _spoke_at: float = -math.inf
    _read_at: float | None = None
    _pending_speech: bool = False

    def feed(self, pcm: bytes) -> None:
        db = rms_dbfs(pcm)
        if db > self._peak_db:
            self._peak_db = db
        if db >= SPEAKING_DB:
            self._pending_speech = True

    def silence(self) -> None:
        """Forgets what was fed since the last read (a muted microphone shows nothing)."""
        self._peak_db = -math.inf
        self._pending_speech = False

    def read(self, now: float) -> float:
        """The meter at `now` (seconds): the loudest chunk since the last read, or the shown
        level fallen by the decay since then, whichever is higher."""
        elapsed = 0.0 if self._read_at is None else max(0.0, now - self._read_at)
        self._read_at = now
        fallen = max(0.0, self.shown - DECAY_PER_S * elapsed)
        self.shown = max(meter_position(self._peak_db), fallen)
        if self._pending_speech:
            self._spoke_at = now
        self._peak_db = -math.inf
        self._pending_speech = False
        return self.shown

    def speaking(self, now: float) -> bool:
        return now - self._spoke_at <= SPEAKING_HANG_S


@dataclass
class SpeakerFocus:
    """Whom the speaker layout shows large: the loudest of those speaking, kept while they
    speak and for FOCUS_HOLD_S after, so that a cough or a short reply does not swap tiles.
    Until someone speaks, the first guest (the host sees themselves anyway)."""

    focused: str | None = None
    #: since when the focused member is quiet (None while they speak; -inf for a focus that no
    #: voice earned, which the first speaker takes at once)
    _quiet_since: float | None = -math.inf

    def update(self, now: float, on_stage: list[str], levels: dict[str, tuple[float, bool]]) -> str:
        """The identity to focus among `on_stage` (host first), from each one's
        (meter, speaking) in `levels`; `on_stage` must not be empty."""
        if self.focused not in on_stage:
            self.focused, self._quiet_since = None, -math.inf
        speaking = [i for i in on_stage if levels.get(i, (0.0, False))[1]]
        if self.focused is not None and self.focused in speaking:
            self._quiet_since = None
            return self.focused
        if self._quiet_since is None:
            self._quiet_since = now
        if speaking and now - self._quiet_since >= FOCUS_HOLD_S:
            self.focused = max(speaking, key=lambda i: levels[i][0])
            self._quiet_since = None
        elif self.focused is None:
            self.focused = on_stage[1] if len(on_stage) > 1 else on_stage[0]
        return self.focused
