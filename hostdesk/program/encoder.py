"""The program encoded once, on its own thread: H.264 (libx264, veryfast, zerolatency, a
keyframe every 2 s, yuv420p) and AAC, fanned out to every output.

`push_video` and `push_audio` may be called from any thread and never block: each input is
stamped on a monotonic clock when it is pushed, so a gap in the frames (or a frame dropped
because the encoder is behind) leaves a gap in the timeline instead of shifting the sound
against the picture. Video waits in a small queue; when the encoder cannot keep up, the oldest
program frame is dropped and counted.
"""

from __future__ import annotations

import collections
import logging
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any, Literal

import av
import numpy as np
from av.codec.context import Flags

from hostdesk.program.outputs import EncodedPacket, Kind, Output, ProgramStreams

log = logging.getLogger("hostdesk.program")

KEYFRAME_INTERVAL_S = 2
VIDEO_QUEUE_FRAMES = 3
AUDIO_QUEUE_CHUNKS = 500  # 5 s of 10 ms chunks
# Audio pushed this much later than the samples so far account for is a gap, not jitter.
AUDIO_GAP_S = 0.1
# Audio pushed this much earlier than the clock allows is dropped (a producer running fast).
AUDIO_AHEAD_S = 0.5
AAC_FRAME = 1024
#: The byte order of a pushed frame: RGBA (a capture), or BGRA (Qt's RGB32, the compositor's).
PixelFormat = Literal["rgba", "bgra"]


@dataclass(frozen=True, slots=True)
class EncoderStats:
    frames_in: int
    encoded: int
    dropped: int  # program video frames dropped before encoding
    audio_dropped: int  # audio chunks dropped (queue full, or ahead of the clock)


class ProgramEncoder:
    def __init__(
        self,
        width: int,
        height: int,
        fps: int = 30,
        sample_rate: int = 48000,
        channels: int = 2,
        video_bitrate: int = 3_000_000,
        audio_bitrate: int = 160_000,
        *,
        clock: Callable[[], float] = time.monotonic,
        video_queue: int = VIDEO_QUEUE_FRAMES,
        pixel_format: PixelFormat = "rgba",
        threads: int = 0,
    ) -> None:
        if width % 2 or height % 2:
            raise ValueError("the program's width and height must be even (yuv420p)")
        if channels not in (1, 2):
            raise ValueError("the program's audio is mono or stereo")
        self.width, self.height, self.fps = width, height, fps
        self.sample_rate, self.channels = sample_rate, channels
        self._frame_bytes = width * height * 4
        self._pixel_format = pixel_format
        self._keyframe_wanted = False
        self._clock = clock
        self._video_queue = video_queue
        self._cond = threading.Condition()
        self._video: collections.deque[tuple[int, bytes]] = collections.deque()
        self._audio: collections.deque[tuple[float, bytes]] = collections.deque()
        self._outputs: tuple[Output, ...] = ()
        self._frames_in = self._encoded = self._dropped = self._audio_dropped = 0
        self._last_slot = -1
        self._t0: float | None = None
        self._stopping = False
        self._thread: threading.Thread | None = None

        self._null = av.open("program", "w", format="null")
        self._vstream = self._null.add_stream("libx264", rate=fps)
        vctx = self._vstream.codec_context
        vctx.width, vctx.height, vctx.pix_fmt = width, height, "yuv420p"
        vctx.time_base = Fraction(1, fps)
        vctx.gop_size = KEYFRAME_INTERVAL_S * fps
        vctx.bit_rate = video_bitrate
        vctx.options = {"preset": "veryfast", "tune": "zerolatency", "forced-idr": "1"}
        if threads:  # 0: x264 picks (one per core and a half, more than 2 cores can run)
            vctx.thread_count = threads
        vctx.flags |= Flags.global_header  # SPS/PPS in extradata, for MP4 and FLV headers
        self._vstream.time_base = Fraction(1, fps)
        self._astream = self._null.add_stream("aac", rate=sample_rate)
        actx = self._astream.codec_context
        actx.layout = "stereo" if channels == 2 else "mono"
        actx.bit_rate = audio_bitrate
        actx.flags |= Flags.global_header
        self._astream.time_base = Fraction(1, sample_rate)
        self._layout = actx.layout.name
        self._pcm = bytearray()
        self._audio_next: int | None = None  # pts (samples) of the first sample in _pcm

    # --- lifecycle ---------------------------------------------------------------------------
    def start(self) -> None:
        """Opens the codecs and starts the encoding thread; the program's clock starts now."""
        self._null.start_encoding()
        self._t0 = self._clock()
        self._thread = threading.Thread(target=self._run, name="program:encoder", daemon=True)
        self._thread.start()

    @property
    def streams(self) -> ProgramStreams:
        return ProgramStreams(self._vstream, self._astream)

    def add_output(self, output: Output) -> None:
        """Starts muxing to `output` from the next keyframe."""
        if self._t0 is None:
            raise RuntimeError("start the encoder before adding outputs")
        output.open(self.streams)
        with self._cond:
            self._outputs = (*self._outputs, output)

    def remove_output(self, output: Output, timeout: float = 5.0) -> None:
        with self._cond:
            self._outputs = tuple(o for o in self._outputs if o is not output)
        output.close(timeout)

    def stop(self, timeout: float = 10.0) -> None:
        """Encodes what is queued, flushes the codecs and closes every output."""
        with self._cond:
            self._stopping = True
            self._cond.notify_all()
        if self._thread is not None:
            self._thread.join(timeout)
        with self._cond:
            outputs, self._outputs = self._outputs, ()
        for output in outputs:
            output.close()
        self._null.close()

    def request_keyframe(self) -> None:
        """The next frame encoded is a keyframe, so an output added now starts within a frame
        instead of at the next scheduled keyframe (up to 2 s later)."""
        with self._cond:
            self._keyframe_wanted = True

    @property
    def stats(self) -> EncoderStats:
        with self._cond:
            return EncoderStats(self._frames_in, self._encoded, self._dropped, self._audio_dropped)

    # --- inputs (any thread, never blocking) -------------------------------------------------
    def push_video(self, rgba: bytes | bytearray | memoryview) -> None:
        """One program frame in the encoder's `pixel_format` (RGBA unless told), width x height,
        rows packed."""
        if len(rgba) != self._frame_bytes:
            raise ValueError(
                f"a program frame is {self.width}x{self.height} {self._pixel_format.upper()} "
                f"({self._frame_bytes} bytes), not {len(rgba)} bytes"
            )
        now = self._clock()
        data = bytes(rgba)
        with self._cond:
            self._frames_in += 1
            if self._t0 is None or self._stopping:
                self._dropped += 1
                return
            exact = (now - self._t0) * self.fps
            slot = max(round(exact), self._last_slot + 1)
            if slot - exact > 1.0:  # frames pushed faster than the frame rate
                self._dropped += 1
                return
            self._last_slot = slot
            if len(self._video) >= self._video_queue:
                self._video.popleft()
                self._dropped += 1
            self._video.append((slot, data))
            self._cond.notify()

    def push_audio(self, pcm_s16: bytes | bytearray | memoryview) -> None:
        """Interleaved signed 16-bit samples at the program's rate and channels, just
        captured (their last sample is now)."""
        now = self._clock()
        data = bytes(pcm_s16)
        with self._cond:
            if self._t0 is None or self._stopping:
                return
            if len(self._audio) >= AUDIO_QUEUE_CHUNKS:
                self._audio.popleft()
                self._audio_dropped += 1
            self._audio.append((now - self._t0, data))
            self._cond.notify()

    # --- the encoding thread -----------------------------------------------------------------
    def _run(self) -> None:
        while True:
            with self._cond:
                while not self._video and not self._audio and not self._stopping:
                    self._cond.wait()
                audio = list(self._audio)
                self._audio.clear()
                frame = self._video.popleft() if self._video else None
                done = self._stopping and frame is None and not audio
            for at, pcm in audio:
                self._guarded(self._encode_audio, at, pcm)
            if frame is not None:
                self._guarded(self._encode_video, *frame)
            if done:
                break
        self._guarded(self._flush)

    def _guarded(self, step: Callable[..., None], *args: object) -> None:
        try:
            step(*args)
        except Exception:  # one bad frame must not end the show's encoding
            log.exception("program encoding step failed")

    def _encode_video(self, slot: int, rgba: bytes) -> None:
        pixels = np.frombuffer(rgba, np.uint8).reshape(self.height, self.width, 4)
        frame = av.VideoFrame.from_ndarray(pixels, format=self._pixel_format)
        frame = frame.reformat(format="yuv420p")
        with self._cond:
            keyframe, self._keyframe_wanted = self._keyframe_wanted, False
        if keyframe:
            frame.pict_type = av.video.frame.PictureType.I
        frame.pts = slot
        frame.time_base = self._vstream.time_base
        packets = self._vstream.encode(frame)
        with self._cond:
            self._encoded += 1
        self._fan_out("video", packets)

    def _encode_audio(self, at: float, pcm: bytes) -> None:
        bytes_per_sample = 2 * self.channels
        pcm = pcm[: len(pcm) - len(pcm) % bytes_per_sample]
        samples = len(pcm) // bytes_per_sample
        start = round(at * self.sample_rate) - samples
        queued = len(self._pcm) // bytes_per_sample
        if self._audio_next is None:
            self._audio_next = max(start, 0)
        else:
            expected = self._audio_next + queued
            if start - expected > AUDIO_GAP_S * self.sample_rate:
                self._encode_pcm(pad=True)  # the sound before the gap, then resume on time
                self._audio_next = max(start, self._audio_next)
            elif expected - start > AUDIO_AHEAD_S * self.sample_rate:
                with self._cond:
                    self._audio_dropped += 1
                return
        self._pcm += pcm
        self._encode_pcm(pad=False)

    def _encode_pcm(self, *, pad: bool) -> None:
        assert self._audio_next is not None
        chunk = AAC_FRAME * 2 * self.channels
        if pad and len(self._pcm) % chunk:
            self._pcm += bytes(chunk - len(self._pcm) % chunk)
        while len(self._pcm) >= chunk:
            frame = av.AudioFrame(format="s16", layout=self._layout, samples=AAC_FRAME)
            frame.planes[0].update(bytes(self._pcm[:chunk]))
            del self._pcm[:chunk]
            frame.sample_rate = self.sample_rate
            frame.pts = self._audio_next
            frame.time_base = self._astream.time_base
            self._audio_next += AAC_FRAME
            self._fan_out("audio", self._astream.encode(frame))

    def _flush(self) -> None:
        if self._audio_next is not None:
            self._encode_pcm(pad=True)
        self._fan_out("video", self._vstream.encode(None))
        self._fan_out("audio", self._astream.encode(None))

    def _fan_out(self, kind: Kind, packets: Sequence[av.Packet[Any]]) -> None:
        if not packets:
            return
        encoded = [
            EncodedPacket(
                kind,
                bytes(p),
                p.pts if p.pts is not None else 0,
                p.dts if p.dts is not None else 0,
                p.time_base,
                p.is_keyframe,
            )
            for p in packets
        ]
        for output in self._outputs:
            for packet in encoded:
                output.send(packet)
