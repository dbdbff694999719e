"""A stage tile: the latest video frame of one participant, with their name and state.

Frames arrive as the converted buffer itself (BGRA from LiveKit, RGBA from the local capture);
the tile wraps it in a QImage without copying and paints it on the next repaint, so a burst of
frames costs one paint. The buffer is kept referenced as long as the image uses it.
"""

from __future__ import annotations

from PySide6.QtCore import QRect, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QImage, QPainter, QPaintEvent
from PySide6.QtWidgets import QSizePolicy, QWidget

BGRA = QImage.Format.Format_RGB32  # LiveKit's BGRA is Qt's RGB32 on little-endian machines
RGBA = QImage.Format.Format_RGBA8888

_BACKGROUND = QColor(17, 18, 24)
_CAPTION_BG = QColor(0, 0, 0, 160)
_TEXT = QColor(240, 240, 240)
_MUTED = QColor(240, 96, 96)


class VideoView(QWidget):
    def __init__(self, placeholder: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setMinimumSize(240, 135)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent)
        self._placeholder = placeholder
        self._image: QImage | None = None
        self._buffer: object = None
        self.name = ""
        self.mic_on = False
        self.quality = ""
        self.frames_received = 0
        self.frames_painted = 0

    def set_frame(
        self, width: int, height: int, data: bytes | memoryview, fmt: QImage.Format
    ) -> None:
        self._buffer = data  # QImage reads it in place: keep it alive
        self._image = QImage(data, width, height, width * 4, fmt)
        self.frames_received += 1
        self.update()

    def clear(self) -> None:
        self._image = None
        self._buffer = None
        self.update()

    @property
    def has_video(self) -> bool:
        return self._image is not None

    def set_caption(self, name: str, mic_on: bool, quality: str) -> None:
        if (name, mic_on, quality) != (self.name, self.mic_on, self.quality):
            self.name, self.mic_on, self.quality = name, mic_on, quality
            self.update()

    def set_placeholder(self, text: str) -> None:
        self._placeholder = text
        self.update()

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 (Qt's name)
        painter = QPainter(self)
        painter.fillRect(self.rect(), _BACKGROUND)
        image = self._image
        if image is None:
            painter.setPen(QColor(150, 150, 160))
            painter.drawText(self.rect(), Qt.AlignmentFlag.AlignCenter, self._placeholder)
        else:
            painter.drawImage(_fit(image.width(), image.height(), self.rect()), image)
            self.frames_painted += 1
        if self.name:
            self._paint_caption(painter)
        painter.end()

    def _paint_caption(self, painter: QPainter) -> None:
        font = QFont(self.font())
        font.setPointSize(10)
        painter.setFont(font)
        mic = "mic on" if self.mic_on else "mic off"
        parts = [self.name, mic] + ([self.quality] if self.quality else [])
        text = "  ·  ".join(parts)
        metrics = painter.fontMetrics()
        box = QRect(
            8,
            self.height() - metrics.height() - 14,
            metrics.horizontalAdvance(text) + 16,
            metrics.height() + 8,
        )
        painter.fillRect(box, _CAPTION_BG)
        painter.setPen(_TEXT if self.mic_on else _MUTED)
        painter.drawText(box, Qt.AlignmentFlag.AlignCenter, text)


def _fit(width: int, height: int, area: QRect) -> QRectF:
    """The largest rectangle of the frame's aspect ratio centred in `area`."""
    if width <= 0 or height <= 0:
        return QRectF(area)
    scale = min(area.width() / width, area.height() / height)
    w, h = width * scale, height * scale
    return QRectF(area.x() + (area.width() - w) / 2, area.y() + (area.height() - h) / 2, w, h)
