"""The built-in camera: a test pattern of scrolling colour bars, the host's name and a clock."""

from __future__ import annotations

from datetime import datetime

from PySide6.QtCore import QPoint, QRect, Qt
from PySide6.QtGui import QColor, QFont, QFontDatabase, QFontMetrics, QImage, QPainter

from hostdesk.ui.media.frames import FrameSink, rgba_bytes
from hostdesk.ui.media.pacing import precise_timer

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
        self._timer = precise_timer(max(1, round(1000 / fps)), self._tick)

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
