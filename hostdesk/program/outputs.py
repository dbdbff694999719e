"""What the encoder hands its outputs, what an output is, and the muxing thread that the
recording and the destinations share.

Each output muxes on a thread of its own from a bounded queue, so a slow disk or a stalled
server never holds the encoder or another output back: when the queue is full the output drops
packets (counted), then skips video until the next keyframe so what it writes stays decodable.
Every session (a file opened, a connection made) starts at a keyframe with its timestamps
rebased to zero.
"""

from __future__ import annotations

import collections
import enum
import logging
import threading
import time
from dataclasses import dataclass
from fractions import Fraction
from typing import Literal, Protocol

import av
from av.container import OutputContainer
from av.stream import Stream

log = logging.getLogger("hostdesk.program")

Kind = Literal["video", "audio"]

# About 4 s of a 30 fps program with its AAC packets (30 + 47 a second).
QUEUE_PACKETS = 300
BITRATE_WINDOW_S = 5.0


@dataclass(frozen=True, slots=True)
class EncodedPacket:
    """One encoded packet, immutable so that every output can read it from its own thread."""

    kind: Kind
    data: bytes
    pts: int
    dts: int
    time_base: Fraction
    keyframe: bool

    def seconds(self) -> float:
        return float(self.pts * self.time_base)


@dataclass(frozen=True, slots=True)
class ProgramStreams:
    """The encoder's opened streams: an output copies their codec parameters (size, rate,
    H.264's SPS/PPS, AAC's config) into its own container."""

    video: Stream
    audio: Stream


class OutputState(enum.StrEnum):
    STARTING = "starting"
    LIVE = "live"
    RETRYING = "retrying"
    FAILED = "failed"
    STOPPED = "stopped"


@dataclass(frozen=True, slots=True)
class OutputStatus:
    state: OutputState
    bitrate: float  # bytes per second written over the last few seconds
    bytes_written: int
    dropped_packets: int
    error: str | None  # readable, one sentence; never holds a stream key


class Output(Protocol):
    """Something the program is muxed to. `send` never blocks."""

    @property
    def label(self) -> str: ...

    @property
    def status(self) -> OutputStatus: ...

    def open(self, streams: ProgramStreams) -> None: ...

    def send(self, packet: EncodedPacket) -> None: ...

    def close(self, timeout: float = 5.0) -> None: ...


class SessionError(Exception):
    """A session ended; `message` is readable and safe to show and log."""

    def __init__(self, message: str, *, retry: bool) -> None:
        super().__init__(message)
        self.message = message
        self.retry = retry


class MuxingOutput:
    """The thread, queue, state and figures of one output. Subclasses open the container
    (`_open_container`) and say what an error means (`_describe`)."""

    def __init__(self, label: str, *, queue_packets: int = QUEUE_PACKETS) -> None:
        self._label = label
        self._queue_packets = queue_packets
        self._queue: collections.deque[EncodedPacket] = collections.deque()
        self._cond = threading.Condition()
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None
        self._streams: ProgramStreams | None = None
        self._state = OutputState.STARTING
        self._error: str | None = None
        self._dropped = 0
        self._bytes = 0
        self._written: collections.deque[tuple[float, int]] = collections.deque()
        self._skip_video_to_keyframe = False

    # --- Output ------------------------------------------------------------------------------
    @property
    def label(self) -> str:
        return self._label

    @property
    def status(self) -> OutputStatus:
        with self._cond:
            now = time.monotonic()
            self._forget_before(now - BITRATE_WINDOW_S)
            window = BITRATE_WINDOW_S
            if self._written:
                window = max(min(window, now - self._written[0][0]), 1.0)
            rate = sum(size for _, size in self._written) / window
            return OutputStatus(self._state, rate, self._bytes, self._dropped, self._error)

    def open(self, streams: ProgramStreams) -> None:
        self._streams = streams
        self._thread = threading.Thread(target=self._run, name=f"program:{self._label}")
        self._thread.daemon = True  # a connection FFmpeg cannot interrupt must not hold exit
        self._thread.start()

    def send(self, packet: EncodedPacket) -> None:
        with self._cond:
            if self._state is not OutputState.LIVE:
                return  # a session starts at the next keyframe anyway
            if len(self._queue) >= self._queue_packets:
                self._dropped += 1
                if packet.kind == "video":
                    self._skip_video_to_keyframe = True
                return
            if packet.kind == "video" and self._skip_video_to_keyframe:
                if not packet.keyframe:
                    self._dropped += 1
                    return
                self._skip_video_to_keyframe = False
            self._queue.append(packet)
            self._cond.notify()

    def close(self, timeout: float = 5.0) -> None:
        self._stopping.set()
        with self._cond:
            self._cond.notify_all()
        if self._thread is not None:
            self._thread.join(timeout)
        with self._cond:
            if self._state is not OutputState.FAILED:
                self._state = OutputState.STOPPED

    # --- for subclasses ----------------------------------------------------------------------
    def _open_container(self) -> OutputContainer:
        raise NotImplementedError

    def _describe(self, exc: Exception, *, opening: bool) -> SessionError:
        raise NotImplementedError

    def _run(self) -> None:
        raise NotImplementedError

    def _set_state(self, state: OutputState, error: str | None = None) -> None:
        with self._cond:
            if state is OutputState.LIVE:
                self._queue.clear()
                self._skip_video_to_keyframe = False
            self._state = state
            if error is not None or state is OutputState.LIVE:
                self._error = error

    def _wait(self, seconds: float) -> bool:
        """Sleeps unless closed; True if closed."""
        return self._stopping.wait(seconds)

    def _session(self) -> None:
        """One container from open to close. Raises SessionError."""
        assert self._streams is not None
        try:
            container = self._open_container()
            video = container.add_stream_from_template(self._streams.video)
            audio = container.add_stream_from_template(self._streams.audio)
            container.start_encoding()
        except Exception as exc:
            raise self._describe(exc, opening=True) from None
        self._set_state(OutputState.LIVE)
        log.info("program output live", extra={"output": self._label})
        try:
            self._mux_until_closed(container, video, audio)
        except Exception as exc:
            self._close_quietly(container)
            raise self._describe(exc, opening=False) from None
        self._close_quietly(container)

    def _mux_until_closed(self, container: OutputContainer, video: Stream, audio: Stream) -> None:
        start: float | None = None
        while True:
            with self._cond:
                while not self._queue and not self._stopping.is_set():
                    self._cond.wait(0.5)
                if not self._queue:
                    return
                packet = self._queue.popleft()
            if start is None:
                if packet.kind != "video" or not packet.keyframe:
                    continue
                start = packet.seconds()
            offset = round(start / packet.time_base)
            if packet.pts < offset or packet.dts < offset:
                continue
            out = av.Packet(packet.data)
            out.pts = packet.pts - offset
            out.dts = packet.dts - offset
            out.time_base = packet.time_base
            out.is_keyframe = packet.keyframe
            out.stream = video if packet.kind == "video" else audio
            container.mux(out)
            self._count(len(packet.data))

    def _count(self, size: int) -> None:
        now = time.monotonic()
        with self._cond:
            self._bytes += size
            self._written.append((now, size))
            self._forget_before(now - BITRATE_WINDOW_S)

    def _forget_before(self, moment: float) -> None:
        while self._written and self._written[0][0] < moment:
            self._written.popleft()

    @staticmethod
    def _close_quietly(container: OutputContainer) -> None:
        try:
            container.close()
        except Exception:  # the session's own error, if any, is the one worth telling
            log.debug("closing a program output failed", exc_info=True)
