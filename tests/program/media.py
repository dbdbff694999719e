"""What the program's tests feed the encoder and how they read back what came out."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import av
import numpy as np

from hostdesk.program import ProgramEncoder

W, H, FPS, RATE = 1280, 720, 30, 48000
COLOUR = (200, 30, 60)
TONE_HZ = 440.0


def solid_rgba(colour: tuple[int, int, int], width: int = W, height: int = H) -> bytes:
    return bytes((*colour, 255)) * (width * height)


class Tone:
    """A continuous sine, stereo s16, handed out in chunks."""

    def __init__(self, hz: float = TONE_HZ, rate: int = RATE) -> None:
        self.hz, self.rate, self.sent = hz, rate, 0

    def chunk(self, samples: int) -> bytes:
        t = (np.arange(samples) + self.sent) / self.rate
        self.sent += samples
        mono = (0.3 * 32767 * np.sin(2 * np.pi * self.hz * t)).astype("<i2")
        return np.repeat(mono, 2).tobytes()


def feed(
    encoder: ProgramEncoder,
    seconds: float,
    rgba: bytes,
    tone: Tone,
    until: threading.Event | None = None,
) -> None:
    """Pushes frames at the program's rate and 10 ms of tone at a time, in real time, for
    `seconds` or until `until` is set."""
    start = time.monotonic()
    frames = 0
    while (elapsed := time.monotonic() - start) < seconds and not (until and until.is_set()):
        if frames <= elapsed * encoder.fps:
            encoder.push_video(rgba)
            frames = int(elapsed * encoder.fps) + 1
        due = int(elapsed * tone.rate) - tone.sent
        if due >= tone.rate // 100:
            encoder.push_audio(tone.chunk(due))
        time.sleep(0.003)


@dataclass
class ReadBack:
    width: int
    height: int
    frames: int
    fps: float  # the picture's frame rate: one over its usual frame interval
    duration: float  # seconds from the first frame to the last
    centre: tuple[int, int, int]  # the last frame's centre pixel, RGB
    peak_hz: float  # the strongest frequency of the first channel


def read_back(path: Path | str) -> ReadBack:
    with av.open(str(path)) as container:
        video = container.streams.video[0]
        audio = container.streams.audio[0]
        times: list[float] = []
        last: av.VideoFrame | None = None
        sound: list[np.ndarray] = []
        for frame in _decodable(container.demux(video, audio)):
            if isinstance(frame, av.VideoFrame):
                if frame.pts is not None:
                    times.append(float(frame.pts * frame.time_base))
                last = frame
            elif isinstance(frame, av.AudioFrame):
                samples = frame.to_ndarray()
                sound.append(samples[0] if samples.ndim == 2 else samples)
        assert last is not None, f"no picture in {path}"
        picture = last.to_ndarray(format="rgb24")
        centre = tuple(int(v) for v in picture[last.height // 2, last.width // 2])
        mono = np.concatenate(sound) if sound else np.zeros(1)
        rate = audio.codec_context.sample_rate or RATE
        spectrum = np.abs(np.fft.rfft(mono * np.hanning(len(mono))))
        peak = float(np.argmax(spectrum) * rate / len(mono))
        duration = times[-1] - times[0] if len(times) > 1 else 0.0
        # The median interval, not frames over time: a loaded machine drops program frames.
        fps = 1 / float(np.median(np.diff(times))) if len(times) > 1 else 0.0
        return ReadBack(
            video.codec_context.width,
            video.codec_context.height,
            len(times),
            fps,
            duration,
            (centre[0], centre[1], centre[2]),
            peak,
        )


def _decodable(packets: Iterator[av.Packet[Any]]) -> Iterator[av.VideoFrame | av.AudioFrame]:
    """Every frame that decodes, as a player shows them: the packet a file cut mid-write
    (a killed process, a full disk) ends with is skipped."""
    for packet in packets:
        try:
            frames = packet.decode()
        except av.error.InvalidDataError:
            continue
        for frame in frames:
            if isinstance(frame, av.VideoFrame | av.AudioFrame):
                yield frame


def near(a: tuple[int, int, int], b: tuple[int, int, int], tolerance: int = 12) -> bool:
    return all(abs(x - y) <= tolerance for x, y in zip(a, b, strict=True))


def wait_for(predicate: Callable[[], bool], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:g} s waiting for {what}")
        time.sleep(0.05)
