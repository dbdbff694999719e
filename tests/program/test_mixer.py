"""The program's sound (hostdesk/program/mixer.py): 10 ms mono chunks per member mixed into one
stereo stream with each member's level and mute; a missing chunk is silence, never a wait; two
members at full scale clip instead of wrapping around; nobody outside the mix is heard."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import pytest

from hostdesk.program.mixer import BACKLOG, CHUNK_SAMPLES, PREFILL, SAMPLE_RATE, ProgramMix

TONE_PEAK = 10_000


def tone(chunk: int, frequency: float = 440.0, peak: float = TONE_PEAK) -> npt.NDArray[np.int16]:
    """The `chunk`-th 10 ms of a continuous sine."""
    t = (np.arange(CHUNK_SAMPLES) + chunk * CHUNK_SAMPLES) / SAMPLE_RATE
    return np.rint(peak * np.sin(2 * np.pi * frequency * t)).astype(np.int16)


def full_scale() -> npt.NDArray[np.int16]:
    return np.full(CHUNK_SAMPLES, 30_000, dtype=np.int16)


def stereo(mixed: bytes) -> npt.NDArray[np.int16]:
    frames = np.frombuffer(mixed, dtype=np.int16).reshape(-1, 2)
    assert frames.shape == (CHUNK_SAMPLES, 2)
    return frames


def rms(samples: npt.NDArray[np.int16]) -> float:
    return float(np.sqrt(np.mean(samples.astype(np.float64) ** 2)))


def mix_of(members: list[str]) -> ProgramMix:
    """A mix that plays a chunk at the tick after it came (no prefill), so the tests can say
    which chunk each tick plays."""
    mix = ProgramMix(prefill=1)
    mix.set_members(members)
    return mix


def test_a_tone_and_silence_mix_to_the_tones_rms_on_both_channels() -> None:
    mix = mix_of(["host", "ann"])
    out = []
    for chunk in range(10):  # 100 ms: 44 whole periods of 440 Hz
        mix.push("host", tone(chunk).tobytes())
        mix.push("ann", np.zeros(CHUNK_SAMPLES, dtype=np.int16))
        out.append(stereo(mix.tick()))
    frames = np.concatenate(out)

    assert rms(frames[:, 0]) == pytest.approx(TONE_PEAK / np.sqrt(2), rel=0.005)
    assert np.array_equal(frames[:, 0], frames[:, 1])
    assert np.array_equal(frames[:CHUNK_SAMPLES, 0], tone(0))


def test_a_members_level_scales_them_in_the_mix() -> None:
    mix = mix_of(["host"])
    mix.set_level("host", 0.5)
    mix.push("host", tone(0))

    assert rms(stereo(mix.tick())[:, 0]) == pytest.approx(rms(tone(0)) / 2, rel=0.01)


def test_a_muted_member_is_silent_and_their_chunk_is_used_up() -> None:
    mix = mix_of(["host"])
    mix.set_muted("host", True)
    mix.push("host", tone(0))

    assert not stereo(mix.tick()).any()
    mix.set_muted("host", False)
    assert not stereo(mix.tick()).any(), "the muted chunk is not played later"
    mix.push("host", tone(1))
    assert np.array_equal(stereo(mix.tick())[:, 0], tone(1))


def test_two_full_scale_members_clip_without_wrapping_around() -> None:
    mix = mix_of(["host", "ann"])
    mix.set_level("ann", 2.0)
    mix.push("host", full_scale())
    mix.push("ann", full_scale())
    loud = stereo(mix.tick())
    mix.push("host", -full_scale())
    mix.push("ann", -full_scale())
    low = stereo(mix.tick())

    assert (loud == 32767).all()
    assert (low == -32768).all()


def test_a_missing_chunk_is_silence_for_that_tick_without_waiting() -> None:
    mix = mix_of(["host", "ann"])
    mix.push("host", tone(0))
    mix.push("ann", tone(0, frequency=1000))

    both = stereo(mix.tick())[:, 0]
    mix.push("host", tone(1))
    host_alone = stereo(mix.tick())[:, 0]
    nobody = stereo(mix.tick())

    assert not np.array_equal(both, tone(0))
    assert np.array_equal(host_alone, tone(1))
    assert not nobody.any()


def test_a_burst_is_played_in_order_and_a_long_one_keeps_only_the_newest_chunks() -> None:
    mix = mix_of(["host"])
    for chunk in range(BACKLOG + 2):
        mix.push("host", tone(chunk))

    played = [stereo(mix.tick())[:, 0] for _ in range(BACKLOG + 1)]

    for heard, chunk in zip(played[:-1], range(2, BACKLOG + 2), strict=True):
        assert np.array_equal(heard, tone(chunk))
    assert not played[-1].any()


def test_nobody_outside_the_mix_is_heard_and_a_member_leaving_takes_their_sound() -> None:
    mix = mix_of(["host"])

    assert not mix.push("backstage-ann", tone(0))
    assert not stereo(mix.tick()).any()

    mix.set_members(["host", "ann"])
    mix.set_level("ann", 1.5)
    mix.push("ann", tone(0))
    mix.set_members(["host"])
    assert not stereo(mix.tick()).any()
    assert mix.level("ann") == 1.5, "a level stays for when they come back"


def test_wrong_chunks_and_levels_are_refused() -> None:
    mix = mix_of(["host"])

    with pytest.raises(ValueError, match="480 mono samples, not 960"):
        mix.push("host", np.zeros(2 * CHUNK_SAMPLES, dtype=np.int16))
    with pytest.raises(ValueError, match="a level is 0 to 2"):
        mix.set_level("host", 2.5)


def test_a_voice_handed_over_in_bursts_plays_whole_without_holes_or_skips() -> None:
    """The loop hands a guest's chunks over in bursts (three at once every 30 ms, a 60 ms
    stall): with the prefill the mix plays every chunk once, in order, and no silent tick."""
    mix = ProgramMix()
    mix.set_members(["ann"])
    arrivals = {tick: [tick - 2, tick - 1, tick] for tick in range(2, 60, 3)}
    arrivals[29] = []  # a stall: 29's chunks come with 32's
    arrivals[32] = list(range(27, 33))
    played: list[npt.NDArray[np.int16]] = []
    for tick in range(60):
        for chunk in arrivals.get(tick, []):
            mix.push("ann", tone(chunk))
        played.append(stereo(mix.tick())[:, 0])

    first = next(i for i, p in enumerate(played) if p.any())
    heard = played[first:]
    assert first <= 2 + PREFILL, "silence only while the first chunks gather"
    assert all(p.any() for p in heard), "no hole once the voice plays"
    expected = [tone(chunk) for chunk in range(len(heard))]
    assert all(np.array_equal(h, e) for h, e in zip(heard, expected, strict=True))
