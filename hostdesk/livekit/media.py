"""Frames in and out of LiveKit as plain bytes, so the window never touches the SDK.

Outgoing: the window's capture (camera or test pattern, microphone or tone) pushes RGBA frames
and 10 ms PCM chunks. Incoming: a remote track is read on the SDK's threads as BGRA (converted in
Rust, stale frames dropped with capacity=1) and handed to a callback on the loop.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable

from livekit import rtc

log = logging.getLogger("hostdesk.livekit")

SAMPLE_RATE = 48000
CHANNELS = 1
#: width, height, BGRA pixels; the buffer is the converted frame itself (no further copy)
FrameCallback = Callable[[int, int, memoryview], None]
PcmCallback = Callable[[bytes], None]


class VideoOut:
    """The host's camera track: RGBA frames in, published as `name` (`camera`, or
    `screen_share`)."""

    def __init__(self, width: int, height: int, name: str = "camera") -> None:
        self.source = rtc.VideoSource(width, height)
        self.track = rtc.LocalVideoTrack.create_video_track(name, self.source)

    def push_rgba(self, width: int, height: int, rgba: bytes) -> None:
        frame = rtc.VideoFrame(width, height, rtc.VideoBufferType.RGBA, rgba)
        self.source.capture_frame(frame)

    async def aclose(self) -> None:
        await self.source.aclose()


class AudioOut:
    """The host's microphone track: 48 kHz mono s16 chunks in, published as `name`
    (`microphone`, or `talkback` in the backstage room)."""

    def __init__(self, name: str = "microphone") -> None:
        self.source = rtc.AudioSource(SAMPLE_RATE, CHANNELS, queue_size_ms=200)
        self.track = rtc.LocalAudioTrack.create_audio_track(name, self.source)
        self._queue: asyncio.Queue[bytes] = asyncio.Queue(maxsize=50)
        self._pump = asyncio.ensure_future(self._run())

    def push_pcm(self, pcm: bytes) -> None:
        if self._queue.full():  # the source is behind: drop rather than grow latency
            self._queue.get_nowait()
        self._queue.put_nowait(pcm)

    async def _run(self) -> None:
        while True:
            pcm = await self._queue.get()
            samples = len(pcm) // 2
            if samples:
                await self.source.capture_frame(rtc.AudioFrame(pcm, SAMPLE_RATE, CHANNELS, samples))

    async def aclose(self) -> None:
        self._pump.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self._pump
        await self.source.aclose()


class TrackReader:
    """Reads a remote track until closed, handing frames or audio to a callback."""

    def __init__(self, task: asyncio.Task[None]) -> None:
        self._task = task

    @classmethod
    def video(cls, track: rtc.RemoteVideoTrack, on_frame: FrameCallback) -> TrackReader:
        async def run() -> None:
            stream = rtc.VideoStream(track, format=rtc.VideoBufferType.BGRA, capacity=1)
            try:
                async for event in stream:
                    frame = event.frame
                    on_frame(frame.width, frame.height, frame.data)
            finally:
                await stream.aclose()

        return cls(asyncio.ensure_future(run()))

    @classmethod
    def audio(cls, track: rtc.RemoteAudioTrack, on_pcm: PcmCallback) -> TrackReader:
        async def run() -> None:
            stream = rtc.AudioStream(track, sample_rate=SAMPLE_RATE, num_channels=CHANNELS)
            try:
                async for event in stream:
                    on_pcm(bytes(event.frame.data))
            finally:
                await stream.aclose()

        return cls(asyncio.ensure_future(run()))

    def cancel(self) -> None:
        """Stops reading without waiting for the reader to finish."""
        self._task.cancel()

    async def aclose(self) -> None:
        self._task.cancel()
        try:
            await self._task
        except asyncio.CancelledError:
            pass
        except Exception:  # the stream failed before we closed it: say so, do not raise
            log.exception("reading a remote track failed")


def convert_probe_frame() -> int:
    """Converts one small frame through the LiveKit native library (the self-test's check that
    liblivekit_ffi loads); returns the size of the I420 result."""
    width, height = 64, 48
    frame = rtc.VideoFrame(width, height, rtc.VideoBufferType.RGBA, bytes(width * height * 4))
    return len(frame.convert(rtc.VideoBufferType.I420).data)
