"""Audio levels and speaking (hostdesk/ui/levels.py): a meter that follows the loudest chunk and
falls back smoothly, silence that reads 0 and does not move, and a speaker focus that follows
speech without swapping tiles at every word."""

from __future__ import annotations

import math
from array import array

import pytest

from hostdesk.ui.levels import (
    DECAY_PER_S,
    FOCUS_HOLD_S,
    SPEAKING_HANG_S,
    LevelMeter,
    SpeakerFocus,
    meter_position,
    rms_dbfs,
)
from hostdesk.ui.media.audio import ToneSource

SILENCE = bytes(960)


def sine(peak: float, frequency: float = 500.0) -> bytes:
    """10 ms of a 48 kHz sine of `peak` (a share of full scale): whole periods at 500 Hz."""
    step = 2 * math.pi * frequency / 48000
    return array("h", (round(32767 * peak * math.sin(step * n)) for n in range(480))).tobytes()


def test_the_rms_of_a_sine_is_its_peak_less_3_db() -> None:
    assert rms_dbfs(sine(1.0)) == pytest.approx(-3.01, abs=0.05)
    assert rms_dbfs(sine(0.1)) == pytest.approx(-23.01, abs=0.05)


def test_the_builtin_tone_reads_minus_20_dbfs(qapp: object) -> None:
    chunk = ToneSource(lambda _pcm: None).chunk()
    assert rms_dbfs(chunk) == pytest.approx(-20.0, abs=0.1)  # 4.4 periods in a chunk


def test_silence_and_nothing_read_minus_infinity() -> None:
    assert rms_dbfs(SILENCE) == -math.inf
    assert rms_dbfs(b"") == -math.inf
    assert meter_position(-math.inf) == 0.0


def test_the_meter_spans_60_db() -> None:
    assert meter_position(0.0) == 1.0
    assert meter_position(-30.0) == pytest.approx(0.5)
    assert meter_position(-60.0) == 0.0
    assert meter_position(-90.0) == 0.0


def test_the_meter_shows_the_loudest_chunk_since_the_last_read() -> None:
    meter = LevelMeter()
    for peak in (0.01, 1.0, 0.01):
        meter.feed(sine(peak))
    assert meter.read(0.0) == pytest.approx(meter_position(-3.01), abs=0.01)


def test_after_the_sound_stops_the_meter_falls_by_the_decay_then_rests_at_zero() -> None:
    meter = LevelMeter()
    meter.feed(sine(1.0))
    top = meter.read(0.0)
    meter.feed(SILENCE)
    assert meter.read(0.1) == pytest.approx(top - DECAY_PER_S * 0.1)
    meter.feed(SILENCE)
    assert meter.read(5.0) == 0.0


def test_silence_keeps_the_meter_still_at_zero() -> None:
    meter = LevelMeter()
    readings = []
    for tick in range(30):
        for _ in range(3):
            meter.feed(SILENCE)
        readings.append(meter.read(tick * 0.033))
    assert readings == [0.0] * 30
    assert not meter.speaking(1.0)


def test_speech_lasts_past_a_short_pause_but_not_past_the_hang() -> None:
    meter = LevelMeter()
    meter.feed(sine(0.1))  # -23 dBFS: speech
    meter.read(0.0)
    assert meter.speaking(0.0)
    meter.read(SPEAKING_HANG_S - 0.05)
    assert meter.speaking(SPEAKING_HANG_S - 0.05)
    assert not meter.speaking(SPEAKING_HANG_S + 0.05)


def test_room_tone_is_not_speech() -> None:
    meter = LevelMeter()
    meter.feed(sine(0.003))  # about -53 dBFS
    assert 0 < meter.read(0.0) < 0.2
    assert not meter.speaking(0.0)


def test_a_muted_meter_forgets_what_it_was_fed() -> None:
    meter = LevelMeter()
    meter.feed(sine(1.0))
    meter.silence()
    assert meter.read(0.0) == 0.0


ON_STAGE = ["host", "ann", "bob"]


def _levels(*speaking: str, loud: str = "") -> dict[str, tuple[float, bool]]:
    return {i: (0.9 if i == loud else 0.5, i in speaking) for i in ON_STAGE}


def test_the_focus_starts_on_the_first_guest_and_moves_to_the_loudest_speaker() -> None:
    focus = SpeakerFocus()
    assert focus.update(0.0, ON_STAGE, _levels()) == "ann"
    assert focus.update(1.0, ON_STAGE, _levels("host", "bob", loud="bob")) == "bob"


def test_the_focus_stays_while_its_speaker_speaks_even_if_another_is_louder() -> None:
    focus = SpeakerFocus()
    focus.update(0.0, ON_STAGE, _levels("ann"))
    assert focus.update(0.5, ON_STAGE, _levels("ann", "bob", loud="bob")) == "ann"


def test_the_focus_moves_only_after_its_speaker_was_quiet_for_the_hold() -> None:
    focus = SpeakerFocus()
    focus.update(0.0, ON_STAGE, _levels("ann"))
    assert focus.update(1.0, ON_STAGE, _levels("bob")) == "ann"
    assert focus.update(1.0 + FOCUS_HOLD_S / 2, ON_STAGE, _levels("bob")) == "ann"
    assert focus.update(1.0 + FOCUS_HOLD_S + 0.01, ON_STAGE, _levels("bob")) == "bob"


def test_the_focus_stays_on_the_last_speaker_when_nobody_speaks() -> None:
    focus = SpeakerFocus()
    focus.update(0.0, ON_STAGE, _levels("bob"))
    assert focus.update(10.0, ON_STAGE, _levels()) == "bob"


def test_a_focused_guest_who_leaves_gives_the_focus_back() -> None:
    focus = SpeakerFocus()
    focus.update(0.0, ON_STAGE, _levels("bob"))
    assert focus.update(0.1, ["host", "ann"], _levels()) == "ann"
    assert focus.update(0.2, ["host"], _levels()) == "host"
