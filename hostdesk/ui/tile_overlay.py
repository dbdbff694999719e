"""What is drawn on a stage tile's picture: the member's audio level (a meter along the left
edge, green, amber near full scale), a red "mic off" badge, a ring while they speak, a guest's
time on stage (amber at the warning, red at the limit), a badge for a poor connection, and the
name where the tile's bar has no room for it. Drawn over the video in the tile's own paint, so
it costs no widget of its own and no extra repaint.
"""

from __future__ import annotations

from typing import Protocol

from PySide6.QtCore import QRect, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QPainter, QPen

from hostdesk.ui.theme import colour

_METER_WIDTH = 8
_METER_MARGIN = 8
_RING = 4
_CLOCK_BG = QColor(0, 0, 0, 170)
_TRACK = QColor(0, 0, 0, 140)
#: Above this share of the meter (about -9 dBFS) the level is drawn amber: close to clipping.
_HOT = 0.85
_POOR = frozenset({"poor", "lost"})


class TileState(Protocol):
    name: str
    mic_on: bool
    quality: str
    level: float
    speaking: bool
    clock_text: str
    clock_phase: str
    name_on_picture: bool


def meter_area(area: QRect) -> QRect:
    """Where the meter is drawn in a picture of `area` (what a level change repaints)."""
    height = max(24, area.height() * 2 // 5)
    return QRect(
        area.left() + _METER_MARGIN - 2,
        area.bottom() - _METER_MARGIN - height - 2,
        _METER_WIDTH + 4,
        height + 4,
    )


def paint(painter: QPainter, area: QRect, state: TileState) -> None:
    _paint_meter(painter, meter_area(area), state.level if state.mic_on else 0.0)
    font = QFont(painter.font())
    font.setPointSize(9)
    font.setBold(True)
    painter.setFont(font)
    if not state.mic_on:
        _badge(painter, area.left() + 8, area.top() + 8, "MIC OFF", colour("live"), left=True)
    top = area.top() + 8
    if state.clock_text:
        fill = _CLOCK_BG
        if state.clock_phase == "warning":
            fill = colour("warn")
        elif state.clock_phase == "over":
            fill = colour("live")
        top = _badge(painter, area.right() - 8, top, state.clock_text, fill, left=False) + 4
    if state.quality in _POOR:
        text = f"connection {state.quality}"
        _badge(painter, area.right() - 8, top, text, colour("warn"), left=False)
    if state.name_on_picture:
        metrics = painter.fontMetrics()
        room = area.width() - 2 * _METER_MARGIN - _METER_WIDTH - 20
        name = metrics.elidedText(state.name, Qt.TextElideMode.ElideRight, max(0, room))
        x = area.left() + 2 * _METER_MARGIN + _METER_WIDTH
        _badge(painter, x, area.bottom() - metrics.height() - 12, name, _CLOCK_BG, left=True)
    if state.speaking and state.mic_on:
        pen = QPen(colour("speaking"), _RING)
        pen.setJoinStyle(Qt.PenJoinStyle.MiterJoin)
        painter.setPen(pen)
        painter.setBrush(Qt.BrushStyle.NoBrush)
        half = _RING / 2
        painter.drawRect(QRectF(area).adjusted(half, half, -half, -half))


def _paint_meter(painter: QPainter, box: QRect, level: float) -> None:
    inner = box.adjusted(2, 2, -2, -2)
    painter.fillRect(inner, _TRACK)
    filled = round(inner.height() * level)
    if filled <= 0:
        return
    lit = QRect(inner.left(), inner.bottom() - filled + 1, inner.width(), filled)
    painter.fillRect(lit, colour("warn") if level >= _HOT else colour("speaking"))


def _badge(painter: QPainter, x: int, y: int, text: str, fill: QColor, *, left: bool) -> int:
    """Draws a rounded badge from (`x`, `y`), to the right or (not `left`) to the left of `x`;
    returns its bottom."""
    metrics = painter.fontMetrics()
    width = metrics.horizontalAdvance(text) + 14
    box = QRect(x if left else x - width, y, width, metrics.height() + 6)
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(fill)
    painter.drawRoundedRect(box, 4, 4)
    painter.setPen(QColor("#ffffff"))
    painter.drawText(box, Qt.AlignmentFlag.AlignCenter, text)
    return box.bottom()
