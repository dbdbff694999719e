"""Sound in and out: the built-in tone, the microphone, and playback of a guest's audio."""

from __future__ import annotations

import logging
import math
import sys
import time
from array import array
from collections.abc import Callable

from PySide6.QtCore import QIODevice
from PySide6.QtMultimedia import (
    QAudioDevice,
    QAudioFormat,
    QAudioSink,
    QAudioSource,
    QMediaDevices,
    QtAudio,
)

from hostdesk.ui.media.devices import missing, pick
from hostdesk.ui.media.frames import CHUNK_BYTES, CHUNK_MS, SAMPLE_RATE, PcmSink
from hostdesk.ui.media.pacing import Pacer, precise_timer

log = logging.getLogger("hostdesk.ui")

#: A late timer catches up at most this many chunks (100 ms); older audio is skipped, not burst.
MAX_CATCH_UP_CHUNKS = 10
#: The guest's audio may wait this long for the output device before the oldest is dropped.
MAX_PLAYBACK_BACKLOG_MS = 200

TONE_HZ = 440
#: A sine's RMS is its peak / sqrt(2): this peak puts the tone's RMS at -20 dBFS, loud enough to
#: see on a meter and soft enough not to startle anyone wearing headphones.
TONE_PEAK = round(32767 * 0.1 * math.sqrt(2))

NO_AUDIO_OUTPUT = "No audio output: the guest's sound cannot be played here"

_AUDIO_ERRORS = {
    QtAudio.Error.OpenError: "the device could not be opened",
    QtAudio.Error.IOError: "reading or writing the device failed",
    QtAudio.Error.FatalError: "the device stopped working",
}


def _pcm_format(sample_rate: int, channels: int) -> QAudioFormat:
    # Qt's Int16 is in the machine's byte order: little-endian on every platform Qt ships for.
    fmt = QAudioFormat()
    fmt.setSampleRate(sample_rate)
    fmt.setChannelCount(channels)
    fmt.setSampleFormat(QAudioFormat.SampleFormat.Int16)
    return fmt


def _audio_error(error: QtAudio.Error) -> str:
    return _AUDIO_ERRORS.get(error, "the device failed")


class ToneSource:
    """The built-in microphone: a soft, steady 440 Hz sine."""

    def __init__(self, sink: PcmSink) -> None:
        self._sink = sink
        self._cycle, self._period = _tone_cycle()
        self._position = 0
        self._pacer = Pacer(CHUNK_MS * 1_000_000, MAX_CATCH_UP_CHUNKS)
        self._timer = precise_timer(CHUNK_MS, self._tick)

    def start(self) -> None:
        self._pacer.restart(time.monotonic_ns())
        self._timer.start()

    def stop(self) -> None:
        self._timer.stop()

    def chunk(self) -> bytes:
        """The next 10 ms, continuing the wave exactly where the previous chunk ended."""
        start = self._position
        self._position = (start + CHUNK_BYTES) % self._period
        return self._cycle[start : start + CHUNK_BYTES]

    def _tick(self) -> None:
        for _ in range(self._pacer.due(time.monotonic_ns())):
            self._sink(self.chunk())


def _tone_cycle() -> tuple[bytes, int]:
    """The tone's samples over its true period, repeated so any chunk is one slice.

    440 Hz at 48 kHz repeats exactly every 600 samples (11 waves), so the table holds no
    rounding error and the wave never accumulates phase drift, however long the show runs.
    """
    samples = SAMPLE_RATE // math.gcd(SAMPLE_RATE, TONE_HZ)
    step = 2 * math.pi * TONE_HZ / SAMPLE_RATE
    wave = array("h", (round(TONE_PEAK * math.sin(step * n)) for n in range(samples)))
    if sys.byteorder == "big":
        wave.byteswap()
    period = wave.tobytes()
    return period * (1 + math.ceil(CHUNK_BYTES / len(period))), len(period)


class PcmChunker:
    """Regroups audio read in whatever sizes the device hands over into fixed-size chunks."""

    def __init__(self, size: int) -> None:
        self._size = size
        self._pending = bytearray()

    def feed(self, data: bytes) -> list[bytes]:
        self._pending += data
        whole = len(self._pending) // self._size * self._size
        chunks = [bytes(self._pending[i : i + self._size]) for i in range(0, whole, self._size)]
        del self._pending[:whole]
        return chunks

    def clear(self) -> None:
        self._pending.clear()


class MicrophoneCapture:
    """A real microphone: 48 kHz mono 16-bit from QAudioSource, passed on in 10 ms chunks."""

    def __init__(
        self, device_id: str | None, sink: PcmSink, on_error: Callable[[str], None]
    ) -> None:
        self._device_id = device_id
        self._sink = sink
        self._on_error = on_error
        self._chunker = PcmChunker(CHUNK_BYTES)
        self._source: QAudioSource | None = None
        self._io: QIODevice | None = None

    def start(self) -> bool:
        if self._source is not None:
            return True
        device: QAudioDevice | None = pick(
            QMediaDevices.audioInputs(), QMediaDevices.defaultAudioInput(), self._device_id
        )
        if device is None:
            return self._fail(missing("microphone", self._device_id))
        fmt = _pcm_format(SAMPLE_RATE, 1)
        name = device.description()
        if not device.isFormatSupported(fmt):
            return self._fail(f"The microphone {name!r} cannot record 48 kHz mono 16-bit audio")
        source = QAudioSource(device, fmt)
        # The stub says QIODevice, but start() returns None when the device cannot be opened.
        io: QIODevice | None = source.start()
        if io is None or source.error() != QtAudio.Error.NoError:
            source.stop()
            return self._fail(f"The microphone {name!r} failed: {_audio_error(source.error())}")
        io.readyRead.connect(self._read)
        source.stateChanged.connect(self._state_changed)
        self._source, self._io = source, io
        return True

    def stop(self) -> None:
        source = self._source
        self._source = self._io = None
        self._chunker.clear()
        if source is not None:
            source.stop()

    def _fail(self, message: str) -> bool:
        log.warning("microphone unavailable: %s", message)
        self._on_error(message)
        return False

    def _read(self) -> None:
        if self._io is not None:
            for chunk in self._chunker.feed(bytes(self._io.readAll().data())):
                self._sink(chunk)

    def _state_changed(self, state: QtAudio.State) -> None:
        source = self._source
        if source is None or state != QtAudio.State.StoppedState:
            return
        error = source.error()
        if error != QtAudio.Error.NoError:
            self.stop()
            self._fail(f"The microphone stopped: {_audio_error(error)}")


class PcmBacklog:
    """The guest's audio waiting for room in the output device.

    Capped: when the device drains slower than audio arrives, the oldest audio is dropped, because
    on a live show late sound is worth less than current sound and latency must not grow.
    """

    def __init__(self, max_bytes: int, frame_bytes: int) -> None:
        self._frame_bytes = frame_bytes
        self._max_bytes = max_bytes - max_bytes % frame_bytes
        self._pending = bytearray()

    def __len__(self) -> int:
        return len(self._pending)

    def add(self, pcm: bytes) -> None:
        self._pending += pcm
        excess = len(self._pending) - self._max_bytes
        if excess > 0:
            # whole frames only, so samples and channels stay aligned
            del self._pending[: -(-excess // self._frame_bytes) * self._frame_bytes]

    def peek(self, limit: int) -> bytes:
        """Up to `limit` bytes from the front, in whole frames."""
        size = min(limit, len(self._pending))
        return bytes(self._pending[: size - size % self._frame_bytes])

    def consume(self, size: int) -> None:
        del self._pending[:size]

    def clear(self) -> None:
        self._pending.clear()


class AudioPlayer:
    """Plays the guest's audio on the default output (QAudioSink in push mode)."""

    def __init__(
        self, on_error: Callable[[str], None], sample_rate: int = SAMPLE_RATE, channels: int = 1
    ) -> None:
        self._on_error = on_error
        self._format = _pcm_format(sample_rate, channels)
        frame_bytes = channels * 2
        self._backlog = PcmBacklog(
            sample_rate * frame_bytes * MAX_PLAYBACK_BACKLOG_MS // 1000, frame_bytes
        )
        self._sink: QAudioSink | None = None
        self._io: QIODevice | None = None

    @property
    def available(self) -> bool:
        return self._io is not None

    def start(self) -> bool:
        if self._io is not None:
            return True
        device = QMediaDevices.defaultAudioOutput()
        if device.isNull():
            return self._fail(NO_AUDIO_OUTPUT)
        sink = QAudioSink(device, self._format)
        # The stub says QIODevice, but start() returns None when the device cannot be opened.
        io: QIODevice | None = sink.start()
        if io is None or sink.error() != QtAudio.Error.NoError:
            sink.stop()
            return self._fail(f"{NO_AUDIO_OUTPUT} ({_audio_error(sink.error())})")
        sink.stateChanged.connect(self._state_changed)
        self._sink, self._io = sink, io
        return True

    def write(self, pcm: bytes) -> None:
        if self._io is not None:
            self._backlog.add(pcm)
            self._flush()

    def stop(self) -> None:
        sink = self._sink
        self._sink = self._io = None
        self._backlog.clear()
        if sink is not None:
            sink.stop()

    def _flush(self) -> None:
        # QIODevice.write on an audio sink silently drops whatever exceeds bytesFree().
        if self._sink is None or self._io is None:
            return
        data = self._backlog.peek(self._sink.bytesFree())
        if data:
            self._backlog.consume(max(0, self._io.write(data)))

    def _state_changed(self, state: QtAudio.State) -> None:
        sink = self._sink
        if sink is None:
            return
        error = sink.error()
        if error not in (QtAudio.Error.NoError, QtAudio.Error.UnderrunError):
            self.stop()
            self._fail(f"The audio output stopped: {_audio_error(error)}")
        elif state == QtAudio.State.IdleState:
            self._flush()  # the device ran dry: hand it what is waiting

    def _fail(self, message: str) -> bool:
        log.warning("audio output unavailable: %s", message)
        self._on_error(message)
        return False
