"""Where the window opens: inside the screen's available area (the screen less its taskbars and
panels, `QScreen.availableGeometry`), frame included, so that nothing of it, its bottom row
included, is off a laptop's screen. A large screen gets most of it, never all of it."""

from __future__ import annotations

from PySide6.QtCore import QMargins, QRect, QSize, QTimer
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QWidget

#: The share of a big screen the window takes at first; a smaller one than BIG is all its.
SHARE = 0.9
BIG = QSize(1600, 1000)
#: What a window manager usually adds (title bar and borders) before it says how much it adds.
DECORATION = QMargins(4, 32, 4, 4)
#: How often and how long apart `fit_frame_to_screen` looks for the window manager's frame.
FRAME_TRIES = 10
FRAME_WAIT_MS = 100


def placement(available: QRect, frame: QMargins = DECORATION) -> QRect:
    """The window's own geometry (inside its frame) centred in `available`, the frame inside
    `available` too."""
    room = available.marginsRemoved(frame)
    width, height = room.width(), room.height()
    if available.width() >= BIG.width():
        width = min(width, round(available.width() * SHARE))
    if available.height() >= BIG.height():
        height = min(height, round(available.height() * SHARE))
    x = room.x() + (room.width() - width) // 2
    y = room.y() + (room.height() - height) // 2
    return QRect(x, y, width, height)


def place_on_screen(window: QWidget) -> QRect:
    """Sizes and places a window not shown yet on its screen (the primary one by default);
    returns where."""
    screen = window.screen() or QGuiApplication.primaryScreen()
    if screen is not None:
        window.setGeometry(placement(screen.availableGeometry()))
    return window.geometry()


def fit_frame_to_screen(window: QWidget, placed: QRect, tries: int = FRAME_TRIES) -> None:
    """Once shown and framed: places the window again with the window manager's real frame
    instead of DECORATION's guess, so the frame fits the available area exactly. The frame is
    known only once the window manager has framed the window, a moment after it is shown:
    until then this looks again a few times. A window resized since it was `placed` (by the
    host, or maximized) is left as it is, and so is one without a window manager's frame."""
    screen = window.screen()
    if screen is None or window.size() != placed.size() or window.isMaximized():
        return
    frame, inner = window.frameGeometry(), window.geometry()
    if frame == inner:  # not framed (yet)
        if tries > 1:
            QTimer.singleShot(
                FRAME_WAIT_MS, window, lambda: fit_frame_to_screen(window, placed, tries - 1)
            )
        return
    margins = QMargins(
        inner.left() - frame.left(),
        inner.top() - frame.top(),
        frame.right() - inner.right(),
        frame.bottom() - inner.bottom(),
    )
    wanted = placement(screen.availableGeometry(), margins)
    if wanted != inner:
        window.setGeometry(wanted)
