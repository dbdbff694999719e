"""The host's local media: camera and microphone capture, the built-in test pattern and tone, and
playback of the guest's audio.

Media leaves and enters this module as plain bytes through callbacks, so the LiveKit side never
touches Qt. Every failure (no device, no sound server) goes to an `on_error` callback as a sentence
the host can read; nothing here raises because a device is missing.
"""

from __future__ import annotations

import logging
import math
import sys
import time
from array import array
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol, TypeVar

from PySide6.QtCore import QByteArray, QIODevice, QObject, QPoint, QRect, Qt, QTimer, Slot
from PySide6.QtGui import QColor, QFont, QFontDatabase, QFontMetrics, QImage, QPainter
from PySide6.QtMultimedia import (
    QAudioDevice,
    QAudioFormat,
    QAudioSink,
    QAudioSource,
    QCamera,
    QCameraDevice,
    QMediaCaptureSession,
    QMediaDevices,
    QtAudio,
    QVideoFrame,
    QVideoSink,
)

log = logging.getLogger("hostdesk.ui")

#: width, height, RGBA8888 bytes with rows packed tightly (stride = width * 4)
FrameSink = Callable[[int, int, bytes], None]
#: 48 kHz, mono, signed 16-bit little-endian, in 10 ms chunks (960 bytes)
PcmSink = Callable[[bytes], None]

SAMPLE_RATE = 48000
CHUNK_MS = 10
CHUNK_BYTES = SAMPLE_RATE * CHUNK_MS // 1000 * 2
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


@dataclass(frozen=True)
class Device:
    """A camera or microphone as the host picks it; `id` is what the capture classes take."""

    id: str
    description: str


def video_inputs() -> list[Device]:
    return [Device(_decode_id(d.id()), d.description()) for d in QMediaDevices.videoInputs()]


def audio_inputs() -> list[Device]:
    return [Device(_decode_id(d.id()), d.description()) for d in QMediaDevices.audioInputs()]


def rgba_bytes(image: QImage) -> bytes:
    """The image as FrameSink bytes: RGBA8888 with rows packed tightly.

    Frames from a camera may carry padded rows; the receiver assumes stride = width * 4.
    """
    if image.format() != QImage.Format.Format_RGBA8888:
        image = image.convertToFormat(QImage.Format.Format_RGBA8888)
    bits = memoryview(image.constBits())
    row, stride = image.width() * 4, image.bytesPerLine()
    if stride == row:
        return bytes(bits[: row * image.height()])
    return b"".join(bits[y * stride : y * stride + row] for y in range(image.height()))


def _decode_id(raw: QByteArray) -> str:
    return bytes(raw.data()).decode("utf-8", errors="replace")


class _MediaDevice(Protocol):
    def id(self) -> QByteArray: ...
    def isNull(self) -> bool: ...


D = TypeVar("D", bound=_MediaDevice)


def _pick(devices: Sequence[D], default: D, device_id: str | None) -> D | None:
    """The device with this id, or the system default for None; None when there is no such one."""
    if device_id is None:
        return None if default.isNull() else default
    return next((d for d in devices if _decode_id(d.id()) == device_id), None)


def _missing(kind: str, device_id: str | None) -> str:
    if device_id is None:
        return f"No {kind} found on this computer"
    return f"The {kind} {device_id!r} is not connected"


def _pcm_format(sample_rate: int, channels: int) -> QAudioFormat:
    # Qt's Int16 is in the machine's byte order: little-endian on every platform Qt ships for.
    fmt = QAudioFormat()
    fmt.setSampleRate(sample_rate)
    fmt.setChannelCount(channels)
    fmt.setSampleFormat(QAudioFormat.SampleFormat.Int16)
    return fmt


def _audio_error(error: QtAudio.Error) -> str:
    return _AUDIO_ERRORS.get(error, "the device failed")


def _precise_timer(interval_ms: int, on_timeout: Callable[[], None]) -> QTimer:
    # A coarse timer may fire up to 5% late each time; media wants an even pace.
    timer = QTimer()
    timer.setTimerType(Qt.TimerType.PreciseTimer)
    timer.setInterval(interval_ms)
    timer.timeout.connect(on_timeout)
    return timer


# --- video ---------------------------------------------------------------------------------------

_RGBA = QImage.Format.Format_RGBA8888
_BARS = (
    QColor(235, 235, 235),
    QColor(235, 235, 16),
    QColor(16, 235, 235),
    QColor(16, 235, 16),
    QColor(235, 16, 235),
    QColor(235, 16, 16),
    QColor(16, 16, 235),
    QColor(16, 16, 16),
)
_BAND = QColor(24, 26, 34)
_INK = QColor(245, 245, 245)
_CLOCK_CHARS = "0123456789:."
#: The bars move one bar width per second: visibly live, yet calm.
_BAR_SECONDS = 1.0


class PatternPainter:
    """Paints test-pattern frames: colour bars that scroll with time over a band holding the
    label and a large clock.

    Everything that does not change is painted once in the constructor (the band and label, a
    double-width strip of bars, one image per clock character); a frame is then one blit of the
    bars and ten small blits for the clock (drawing large text per frame cost ~1.6 ms).

    Frames are painted in place on one canvas, and `render` hands out an implicitly shared copy:
    a fresh 3.6 MB image per frame cost ~4 ms in page faults, as glibc maps and unmaps each one.
    Qt detaches the canvas only while a caller still holds the previous frame.
    """

    def __init__(self, width: int, height: int, label: str) -> None:
        self._width, self._height = width, height
        self._bars_height = height * 2 // 3
        band = height - self._bars_height
        self._px_per_second = width / len(_BARS) / _BAR_SECONDS
        self._strip = self._paint_strip()
        self._glyphs = self._paint_glyphs(_font(round(band * 0.55)))
        self._clock_y = height - self._glyphs["0"].height() - band // 24
        self._clock_row = QRect(0, self._clock_y, width, self._glyphs["0"].height())
        self._canvas = self._paint_static(label, _font(max(8, band // 7)))

    def render(self, now: datetime) -> QImage:
        painter = QPainter(self._canvas)
        # every pixel drawn here is opaque: plain copies, no blending
        painter.setCompositionMode(QPainter.CompositionMode.CompositionMode_Source)
        offset = int(now.timestamp() * self._px_per_second) % self._width
        bars = QRect(offset, 0, self._width, self._bars_height)
        painter.drawImage(QPoint(0, 0), self._strip, bars)
        # a proportional fallback font makes the clock narrower or wider from tick to tick
        painter.fillRect(self._clock_row, _BAND)
        text = f"{now:%H:%M:%S}.{now.microsecond // 100_000}"
        x = (self._width - sum(self._glyphs[c].width() for c in text)) // 2
        for char in text:
            glyph = self._glyphs[char]
            painter.drawImage(QPoint(x, self._clock_y), glyph)
            x += glyph.width()
        painter.end()
        return QImage(self._canvas)

    def _paint_strip(self) -> QImage:
        # Two periods side by side, so any window of one frame's width is a plain copy.
        strip = QImage(self._width * 2, self._bars_height, _RGBA)
        painter = QPainter(strip)
        bars = len(_BARS) * 2
        for i in range(bars):
            left, right = (round(k * self._width / len(_BARS)) for k in (i, i + 1))
            painter.fillRect(QRect(left, 0, right - left, self._bars_height), _BARS[i % len(_BARS)])
        painter.end()
        return strip

    def _paint_glyphs(self, font: QFont) -> dict[str, QImage]:
        metrics = QFontMetrics(font)
        glyphs: dict[str, QImage] = {}
        for char in _CLOCK_CHARS:
            glyph = QImage(metrics.horizontalAdvance(char), metrics.height(), _RGBA)
            glyph.fill(_BAND)
            painter = QPainter(glyph)
            painter.setFont(font)
            painter.setPen(_INK)
            painter.drawText(0, metrics.ascent(), char)
            painter.end()
            glyphs[char] = glyph
        return glyphs

    def _paint_static(self, label: str, font: QFont) -> QImage:
        image = QImage(self._width, self._height, _RGBA)
        image.fill(_BAND)
        painter = QPainter(image)
        painter.setFont(font)
        painter.setPen(_INK)
        label_box = QRect(0, self._bars_height, self._width, self._clock_y - self._bars_height)
        painter.drawText(label_box, Qt.AlignmentFlag.AlignCenter, label)
        painter.end()
        return image


def _font(pixel_size: int) -> QFont:
    # Fixed-width digits keep the clock from jittering sideways as it ticks.
    font = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
    font.setPixelSize(max(1, pixel_size))
    font.setBold(True)
    return font


class TestPattern:
    """The built-in camera, used when there is none or when the host picks it."""

    def __init__(
        self,
        sink: FrameSink,
        width: int = 1280,
        height: int = 720,
        fps: int = 30,
        label: str = "HostDesk",
    ) -> None:
        self._sink = sink
        self._frames = PatternPainter(width, height, label)
        self._timer = _precise_timer(max(1, round(1000 / fps)), self._tick)

    def start(self) -> None:
        self._timer.start()

    def stop(self) -> None:
        self._timer.stop()

    def render(self, now: datetime | None = None) -> QImage:
        """One RGBA8888 frame showing `now` (the local time by default)."""
        return self._frames.render(now or datetime.now())

    def _tick(self) -> None:
        frame = self.render()
        self._sink(frame.width(), frame.height(), rgba_bytes(frame))


class FrameForwarder(QObject):
    """Passes a QVideoSink's frames on to a FrameSink as RGBA bytes.

    A QObject so that frames, which the multimedia backend may deliver from its own thread, are
    queued to the thread this object lives in (the GUI thread) before the sink sees them.
    """

    def __init__(self, sink: FrameSink) -> None:
        super().__init__()
        self._sink = sink

    @Slot(QVideoFrame)
    def forward(self, frame: QVideoFrame) -> None:
        image = frame.toImage()
        if not image.isNull():
            self._sink(image.width(), image.height(), rgba_bytes(image))


class CameraCapture:
    """A real camera through QtMultimedia."""

    def __init__(
        self, device_id: str | None, sink: FrameSink, on_error: Callable[[str], None]
    ) -> None:
        self._device_id = device_id
        self._sink = sink
        self._on_error = on_error
        self._camera: QCamera | None = None
        self._session: QMediaCaptureSession | None = None
        self._video: QVideoSink | None = None
        self._forwarder: FrameForwarder | None = None

    def start(self) -> bool:
        if self._camera is not None:
            return True
        device: QCameraDevice | None = _pick(
            QMediaDevices.videoInputs(), QMediaDevices.defaultVideoInput(), self._device_id
        )
        if device is None:
            return self._fail(_missing("camera", self._device_id))
        camera = QCamera(device)
        session = QMediaCaptureSession()
        video = QVideoSink()
        forwarder = FrameForwarder(self._sink)
        session.setCamera(camera)
        session.setVideoSink(video)
        camera.errorOccurred.connect(self._camera_failed)
        video.videoFrameChanged.connect(forwarder.forward)
        camera.start()
        if camera.error() != QCamera.Error.NoError:
            camera.stop()
            return self._fail(f"The camera {device.description()!r} failed: {camera.errorString()}")
        self._camera, self._session, self._video = camera, session, video
        self._forwarder = forwarder
        return True

    def stop(self) -> None:
        camera = self._camera
        # Deleting the forwarder also discards frames still queued to it.
        self._camera = self._session = self._video = self._forwarder = None
        if camera is not None:
            camera.stop()

    def _fail(self, message: str) -> bool:
        log.warning("camera unavailable: %s", message)
        self._on_error(message)
        return False

    def _camera_failed(self, _error: QCamera.Error, text: str) -> None:
        if self._camera is not None:
            self.stop()
            self._fail(f"The camera stopped: {text}")


# --- audio ---------------------------------------------------------------------------------------


class Pacer:
    """How many fixed periods have come due since `restart`.

    A timer that fires late then catches up, so a stream paced by it keeps to wall time instead of
    drifting behind; after a long stall it skips what is older than `max_burst` periods rather
    than bursting it all out at once.
    """

    def __init__(self, period_ns: int, max_burst: int) -> None:
        self._period_ns = period_ns
        self._max_burst = max_burst
        self._start_ns = 0
        self._done = 0

    def restart(self, now_ns: int) -> None:
        self._start_ns = now_ns
        self._done = 0

    def due(self, now_ns: int) -> int:
        elapsed = (now_ns - self._start_ns) // self._period_ns
        due = max(0, min(elapsed - self._done, self._max_burst))
        self._done = max(self._done, elapsed)
        return due


class ToneSource:
    """The built-in microphone: a soft, steady 440 Hz sine."""

    def __init__(self, sink: PcmSink) -> None:
        self._sink = sink
        self._cycle, self._period = _tone_cycle()
        self._position = 0
        self._pacer = Pacer(CHUNK_MS * 1_000_000, MAX_CATCH_UP_CHUNKS)
        self._timer = _precise_timer(CHUNK_MS, self._tick)

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
        device: QAudioDevice | None = _pick(
            QMediaDevices.audioInputs(), QMediaDevices.defaultAudioInput(), self._device_id
        )
        if device is None:
            return self._fail(_missing("microphone", self._device_id))
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
        self, on_error: Callable[[str], None], sample_rate: int = 48000, channels: int = 1
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
