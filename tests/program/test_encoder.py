"""The encoder on its own: what it does when it cannot keep up, and its clock."""

from __future__ import annotations

import time
from fractions import Fraction
from pathlib import Path

from hostdesk.program import (
    EncodedPacket,
    OutputState,
    OutputStatus,
    ProgramEncoder,
    ProgramStreams,
    Recording,
)
from tests.program.media import Tone, read_back, solid_rgba, wait_for


class Collected:
    """An output that keeps every packet it is sent."""

    label = "collected"

    def __init__(self) -> None:
        self.packets: list[EncodedPacket] = []

    @property
    def status(self) -> OutputStatus:
        return OutputStatus(OutputState.LIVE, 0.0, 0, 0, None)

    def open(self, streams: ProgramStreams) -> None:
        assert streams.video.codec_context.extradata, "the SPS/PPS an output's header needs"

    def send(self, packet: EncodedPacket) -> None:
        self.packets.append(packet)

    def close(self, timeout: float = 5.0) -> None:
        pass

    def times(self, kind: str) -> list[float]:
        return sorted(p.seconds() for p in self.packets if p.kind == kind)


class SteppingClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_an_encoder_that_cannot_keep_up_drops_program_frames_and_never_blocks() -> None:
    clock = SteppingClock()
    encoder = ProgramEncoder(1920, 1080, 30, clock=clock)
    encoder.start()
    frame = solid_rgba((10, 120, 240), 1920, 1080)
    slowest = 0.0
    for _ in range(90):  # three seconds of frames, pushed as fast as the caller can
        clock.now += 1 / 30
        began = time.perf_counter()
        encoder.push_video(frame)
        slowest = max(slowest, time.perf_counter() - began)
    pushed = encoder.stats
    encoder.stop()
    stats = encoder.stats
    assert pushed.frames_in == 90
    assert pushed.dropped > 0, "1080p frames pushed faster than x264 encodes them are dropped"
    assert stats.encoded + stats.dropped == 90, stats
    assert slowest < 0.1, f"a push took {slowest * 1000:.0f} ms"


def test_a_gap_in_the_frames_leaves_the_sound_in_sync() -> None:
    clock = SteppingClock()
    encoder = ProgramEncoder(320, 240, 30, clock=clock, video_queue=1000)
    encoder.start()
    out = Collected()
    encoder.add_output(out)
    frame, tone = solid_rgba((0, 0, 0), 320, 240), Tone()
    for step in range(400):  # 4 s in 10 ms steps; no picture from 1 s to 3 s
        clock.now += 0.01
        encoder.push_audio(tone.chunk(480))
        if step % 3 == 0 and not 100 <= step < 300:
            encoder.push_video(frame)
    encoder.stop()

    video, audio = out.times("video"), out.times("audio")
    assert max(t for t in video if t < 2.0) < 1.05
    after_gap = min(t for t in video if t > 1.05)
    assert 2.95 <= after_gap <= 3.1, f"the first frame after the gap is at {after_gap:.2f} s"
    assert 3.9 <= video[-1] <= 4.05
    assert 3.9 <= audio[-1] <= 4.05, "the sound ran on through the gap at its own rate"
    steps = {round((b - a) * 48000) for a, b in zip(audio, audio[1:], strict=False)}
    assert steps == {1024}, "AAC frames follow each other without a hole"
    assert out.packets[0].time_base in (Fraction(1, 30), Fraction(1, 48000))


def test_a_keyframe_asked_for_is_the_next_frame_encoded() -> None:
    clock = SteppingClock()
    encoder = ProgramEncoder(320, 240, 30, clock=clock, video_queue=1000)
    encoder.start()
    out = Collected()
    encoder.add_output(out)
    frame = solid_rgba((0, 0, 0), 320, 240)
    for n in range(40):  # 1.3 s: the scheduled keyframes are at 0 s and 2 s
        clock.now += 1 / 30
        if n == 20:
            wait_for(lambda: encoder.stats.encoded == 20, 5.0, "the first 20 frames encoded")
            encoder.request_keyframe()
        encoder.push_video(frame)
    encoder.stop()
    keyframes = [round(p.seconds() * 30) for p in out.packets if p.kind == "video" and p.keyframe]
    assert keyframes[0] <= 1, keyframes
    assert keyframes[1:] == [21], f"keyframes at frames {keyframes}"


def test_a_bgra_encoder_reads_blue_and_red_the_right_way_round(tmp_path: Path) -> None:
    encoder = ProgramEncoder(320, 240, 30, pixel_format="bgra")
    encoder.start()
    recording = Recording(tmp_path / "bgra.mp4")
    encoder.add_output(recording)
    wait_for(lambda: recording.status.state is OutputState.LIVE, 5.0, "the recording")
    bgra = bytes((200, 30, 60, 255)) * (320 * 240)  # blue 200, green 30, red 60
    for _ in range(30):
        encoder.push_video(bgra)
        time.sleep(1 / 30)
    encoder.stop()
    red, green, blue = read_back(tmp_path / "bgra.mp4").centre
    assert abs(red - 60) < 14 and abs(green - 30) < 14 and abs(blue - 200) < 14, (red, green, blue)
