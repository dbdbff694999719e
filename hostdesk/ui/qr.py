"""A QR code of one text (the viewer link), painted crisp enough for a phone to scan off a screen.

The code is encoded once per `set_text` into a one-pixel-per-module image, quiet zone included;
painting scales that image by a whole number of device pixels per module with no smoothing, so
every module is an exact square of black or white at any size and any screen scale.
"""

from __future__ import annotations

import math

import segno
from PySide6.QtCore import QRect, QSize, Qt
from PySide6.QtGui import QImage, QPainter, QPaintEvent, QPalette
from PySide6.QtWidgets import QSizePolicy, QWidget

QUIET_ZONE = 4  # modules of white around the code, as the QR standard asks
EMPTY_TEXT = "No link yet"
TOO_LONG_TEXT = "Link too long for a QR code"
_MIN_MODULE_PX = 3  # below this, phone cameras struggle to read a laptop screen
_HINT_MODULE_PX = 4
_HINT_SIDE = 180
_MIN_SIDE = 120
_DARK = 0
_LIGHT = 255


def _module_image(text: str) -> QImage:
    """The code as a grayscale image, one pixel per module, quiet zone included."""
    code = segno.make(text, error="m", micro=False, boost_error=False)
    rows = [
        bytes(_DARK if dark else _LIGHT for dark in row)
        for row in code.matrix_iter(border=QUIET_ZONE)
    ]
    side = len(rows)
    stride = (side + 3) & ~3  # QImage rows start on 32-bit boundaries
    data = b"".join(row.ljust(stride, bytes([_LIGHT])) for row in rows)
    return QImage(data, side, side, stride, QImage.Format.Format_Grayscale8).copy()


class QrCode(QWidget):
    """Shows `text` as a QR code (error correction M), square and centred in the widget."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        policy = QSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Preferred)
        policy.setHeightForWidth(True)
        self.setSizePolicy(policy)
        self._text = ""
        self._image: QImage | None = None
        self._placeholder = EMPTY_TEXT
        self.set_text("")

    @property
    def text(self) -> str:
        return self._text

    @property
    def modules(self) -> int:
        """Modules per side, quiet zone included; 0 when there is no code."""
        return self._image.width() if self._image is not None else 0

    def set_text(self, text: str) -> None:
        self._text = text
        self._image = None
        self._placeholder = EMPTY_TEXT
        if text:
            try:
                self._image = _module_image(text)
            except segno.DataOverflowError:
                self._placeholder = TOO_LONG_TEXT
        label = text if self._image is not None else self._placeholder
        self.setAccessibleName(label)
        self.setToolTip(label if text else "")
        self.updateGeometry()
        self.update()

    def hasHeightForWidth(self) -> bool:  # noqa: N802 (Qt's name)
        return True

    def heightForWidth(self, width: int) -> int:  # noqa: N802 (Qt's name)
        return width

    def sizeHint(self) -> QSize:  # noqa: N802 (Qt's name)
        modules = self.modules
        if not modules:
            return QSize(_HINT_SIDE, _HINT_SIDE)
        side = modules * max(_HINT_MODULE_PX, math.ceil(_HINT_SIDE / modules))
        return QSize(side, side)

    def minimumSizeHint(self) -> QSize:  # noqa: N802 (Qt's name)
        side = max(_MIN_SIDE, self.modules * _MIN_MODULE_PX)
        return QSize(side, side)

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 (Qt's name)
        painter = QPainter(self)
        image = self._image
        if image is None:
            painter.fillRect(
                self.rect(), self.palette().color(QPalette.ColorRole.Window).darker(108)
            )
            painter.setPen(self.palette().color(QPalette.ColorRole.PlaceholderText))
            flags = Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap
            painter.drawText(self.rect().adjusted(8, 8, -8, -8), flags, self._placeholder)
            painter.end()
            return
        # Work in device pixels, so that a module is a whole number of them at any screen scale.
        ratio = self.devicePixelRatioF()
        painter.scale(1 / ratio, 1 / ratio)
        width, height = int(self.width() * ratio), int(self.height() * ratio)
        module = max(1, min(width, height) // image.width())
        side = module * image.width()
        target = QRect((width - side) // 2, (height - side) // 2, side, side)
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform, False)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, False)
        painter.fillRect(
            QRect(0, 0, width, height), self.palette().color(QPalette.ColorRole.Window)
        )
        painter.drawImage(target, image)
        painter.end()
