"""A stage tile's picture: the latest video frame of one participant, with their state on it.

Frames arrive as the converted buffer itself (BGRA from LiveKit, RGBA from the local capture);
the view wraps it in a QImage without copying and paints it on the next repaint, so a burst of
frames costs one paint. The buffer is kept referenced as long as the image uses it. On the
picture (hostdesk.ui.tile_overlay): the audio level, a red "mic off" badge, a ring while the
member speaks, a guest's time on stage, a poor connection.
"""

from __future__ import annotations

from PySide6.QtCore import QRect, QRectF, Qt
from PySide6.QtGui import QColor, QImage, QPainter, QPaintEvent
from PySide6.QtWidgets import QSizePolicy, QWidget

from hostdesk.ui import tile_overlay

BGRA = QImage.Format.Format_RGB32  # LiveKit's BGRA is Qt's RGB32 on little-endian machines
RGBA = QImage.Format.Format_RGBA8888

_BACKGROUND = QColor(0, 0, 0)
_PLACEHOLDER = QColor(150, 155, 168)
#: A level change smaller than this is not worth a repaint.
_LEVEL_STEP = 0.02


class VideoView(QWidget):
    def __init__(self, placeholder: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setMinimumSize(160, 90)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent)
        self._placeholder = placeholder
        self._image: QImage | None = None
        self._buffer: object = None
        self.name = ""
        self.mic_on = False
        self.quality = ""
        self.camera_off = False
        self.level = 0.0
        self.speaking = False
        self.clock_text = ""
        self.clock_phase = ""
        #: the name is drawn on the picture too (a tile too narrow for it in its bar)
        self.name_on_picture = False
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

    def set_camera_off(self, off: bool) -> None:
        """A camera switched off: the picture gives way to a plain "Camera off"."""
        if off != self.camera_off:
            self.camera_off = off
            self.update()

    def set_name_on_picture(self, shown: bool) -> None:
        if shown != self.name_on_picture:
            self.name_on_picture = shown
            self.update()

    def set_clock(self, text: str, phase: str) -> None:
        """A guest's time on stage ("" for none) and its phase ("on", "warning", "over")."""
        if (text, phase) != (self.clock_text, self.clock_phase):
            self.clock_text, self.clock_phase = text, phase
            self.update()

    def set_level(self, level: float, speaking: bool) -> None:
        """The member's audio level (0..1) and whether they are speaking."""
        if speaking != self.speaking:
            self.level, self.speaking = level, speaking
            self.update()
        elif abs(level - self.level) >= _LEVEL_STEP or (level == 0.0 < self.level):
            self.level = level
            self.update(tile_overlay.meter_area(self.rect()))

    def set_placeholder(self, text: str) -> None:
        self._placeholder = text
        self.update()

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 (Qt's name)
        painter = QPainter(self)
        area = self.rect()
        painter.fillRect(area, _BACKGROUND)
        image = self._image
        if self.camera_off and self.name:
            self._paint_text(painter, area, "Camera off")
        elif image is None:
            self._paint_text(painter, area, self._placeholder)
        else:
            painter.drawImage(_fit(image.width(), image.height(), area), image)
            self.frames_painted += 1
        if self.name:
            tile_overlay.paint(painter, area, self)
        painter.end()

    def _paint_text(self, painter: QPainter, area: QRect, text: str) -> None:
        painter.setPen(_PLACEHOLDER)
        painter.drawText(
            area.adjusted(12, 12, -12, -12),
            Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap,
            text,
        )


def _fit(width: int, height: int, area: QRect) -> QRectF:
    """The largest rectangle of the frame's aspect ratio centred in `area`."""
    if width <= 0 or height <= 0:
        return QRectF(area)
    scale = min(area.width() / width, area.height() / height)
    w, h = width * scale, height * scale
    return QRectF(area.x() + (area.width() - w) / 2, area.y() + (area.height() - h) / 2, w, h)
