"""What the host can share: a whole screen (Qt's `QScreenCapture`) or one window
(`QWindowCapture`), picked from a small menu under Share screen; and the picture that stands in
for a screen where there is none (offscreen Qt, the tests).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Protocol

from PySide6.QtCore import QSize, QTimer
from PySide6.QtGui import QGuiApplication, QImage, QScreen
from PySide6.QtMultimedia import (
    QCapturableWindow,
    QMediaCaptureSession,
    QScreenCapture,
    QVideoSink,
    QWindowCapture,
)
from PySide6.QtWidgets import QMenu, QWidget

from hostdesk.ui.media.camera import FrameForwarder
from hostdesk.ui.media.frames import FrameSink, rgba_bytes
from hostdesk.ui.media.pacing import precise_timer

#: How often a stand-in picture is sent.
PICTURE_FPS = 15
UNTITLED = "Untitled window"


class ScreenLike(Protocol):
    def name(self) -> str: ...
    def size(self) -> QSize: ...


class WindowLike(Protocol):
    def description(self) -> str: ...
    def isValid(self) -> bool: ...  # noqa: N802 (Qt's name)


@dataclass(frozen=True)
class ShareChoice:
    """One thing to share: `screen` or `window` is set."""

    label: str
    screen: ScreenLike | None = None
    window: WindowLike | None = None


def share_choices(
    screens: Sequence[ScreenLike], windows: Sequence[WindowLike]
) -> list[ShareChoice]:
    """The screens first (numbered as the system orders them, with their name and size), then
    the windows by their title; windows Qt can no longer capture are left out."""
    choices = []
    for number, screen in enumerate(screens, start=1):
        size = screen.size()
        name = f" {screen.name()}" if screen.name() else ""
        label = f"Screen {number}{name} ({size.width()}×{size.height()})"
        choices.append(ShareChoice(label, screen=screen))
    for window in windows:
        if window.isValid():
            title = window.description().strip() or UNTITLED
            choices.append(ShareChoice(f"Window: {title}", window=window))
    return choices


def available_choices() -> list[ShareChoice]:
    """What this computer offers now."""
    return share_choices(QGuiApplication.screens(), QWindowCapture.capturableWindows())


class ShareMenu(QMenu):
    """The choices under the Share screen button: `on_chosen(choice)`, or `on_dismissed()` when
    the menu closes with nothing picked."""

    def __init__(
        self,
        choices: Sequence[ShareChoice],
        on_chosen: Callable[[ShareChoice], None],
        on_dismissed: Callable[[], None],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._chosen = False
        self._on_chosen, self._on_dismissed = on_chosen, on_dismissed
        for choice in choices:
            action = self.addAction(choice.label)
            action.triggered.connect(lambda _checked=False, c=choice: self._choose(c))
        # QMenu hides before it reports the action: decide once both have happened.
        self.aboutToHide.connect(lambda: QTimer.singleShot(0, self._closed))

    def _choose(self, choice: ShareChoice) -> None:
        self._chosen = True
        self._on_chosen(choice)

    def _closed(self) -> None:
        if not self._chosen:
            self._on_dismissed()


class CaptureSource:
    """A screen or a window through QtMultimedia."""

    def __init__(
        self, choice: ShareChoice, sink: FrameSink, on_error: Callable[[str], None]
    ) -> None:
        self._session = QMediaCaptureSession()
        self._capture: QScreenCapture | QWindowCapture
        if isinstance(choice.window, QCapturableWindow):
            window = self._capture = QWindowCapture()
            window.setWindow(choice.window)
            window.errorOccurred.connect(lambda _e, text: on_error(f"Window share: {text}"))
            self._session.setWindowCapture(window)
        else:
            screen = self._capture = QScreenCapture()
            chosen = choice.screen
            screen.setScreen(
                chosen if isinstance(chosen, QScreen) else QGuiApplication.primaryScreen()
            )
            screen.errorOccurred.connect(lambda _e, text: on_error(f"Screen share: {text}"))
            self._session.setScreenCapture(screen)
        self._video = QVideoSink()
        self._session.setVideoSink(self._video)
        self._forwarder = FrameForwarder(sink)
        self._video.videoFrameChanged.connect(self._forwarder.forward)

    def start(self) -> None:
        self._capture.start()

    def stop(self) -> None:
        self._capture.stop()


class PictureSource:
    """One picture sent over and over, as a screen that never changes."""

    def __init__(self, picture: QImage, sink: FrameSink) -> None:
        self._frame = (picture.width(), picture.height(), rgba_bytes(picture))
        self._timer = precise_timer(1000 // PICTURE_FPS, lambda: sink(*self._frame))

    def start(self) -> None:
        self._timer.start()

    def stop(self) -> None:
        self._timer.stop()
