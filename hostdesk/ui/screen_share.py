"""The host's own screen share from the window: Share screen publishes the host's screen
(Qt's `QScreenCapture`) as a second video track (`SCREEN_SHARE`, hostdesk.livekit.session) and
shows it large above the stage; Stop sharing ends it. Where there is no screen to capture
(offscreen Qt, the tests), `test_picture` stands in for it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

from PySide6.QtGui import QGuiApplication, QImage
from PySide6.QtMultimedia import QMediaCaptureSession, QScreenCapture, QVideoSink

from hostdesk.ui.bridge import Bridge
from hostdesk.ui.media.camera import FrameForwarder
from hostdesk.ui.media.frames import FrameSink, rgba_bytes
from hostdesk.ui.media.pacing import precise_timer
from hostdesk.ui.stage_panel import StagePanel
from hostdesk.ui.video_view import RGBA, VideoView

#: The size a share is published at, and how often a test picture is sent.
SHARE_SIZE = (1280, 720)
PICTURE_FPS = 15


class ShareSession(Protocol):
    async def share_screen(self, width: int, height: int) -> FrameSink: ...
    async def stop_share(self) -> None: ...


class ScreenSource:
    """The primary screen through QtMultimedia."""

    def __init__(self, sink: FrameSink, on_error: Callable[[str], None]) -> None:
        self._capture = QScreenCapture()
        self._capture.setScreen(QGuiApplication.primaryScreen())
        self._capture.errorOccurred.connect(lambda _e, text: on_error(f"Screen share: {text}"))
        self._session = QMediaCaptureSession()
        self._session.setScreenCapture(self._capture)
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


class ScreenShareView:
    def __init__(
        self,
        panel: StagePanel,
        session: ShareSession,
        bridge: Bridge,
        on_problem: Callable[[str], None],
    ) -> None:
        self._panel, self._session, self._bridge = panel, session, bridge
        self._on_problem = on_problem
        self.test_picture: QImage | None = None
        self.view = VideoView("Your screen share")
        self.view.hide()
        layout = panel.layout()
        assert layout is not None
        layout.insertWidget(0, self.view, 2)  # type: ignore[attr-defined]  # a QVBoxLayout
        self._source: ScreenSource | PictureSource | None = None
        panel.share_toggled.connect(self._toggled)

    @property
    def sharing(self) -> bool:
        return self._source is not None

    def _toggled(self, on: bool) -> None:
        self._bridge.run("Screen share", self._start() if on else self._stop())

    async def _start(self) -> None:
        try:
            push = await self._session.share_screen(*SHARE_SIZE)
        except Exception:
            self._panel.share_button.setChecked(False)
            raise
        view = self.view

        def sink(width: int, height: int, rgba: bytes) -> None:
            push(width, height, rgba)
            view.set_frame(width, height, rgba, RGBA)

        picture = self.test_picture
        if picture is not None:
            self._source = PictureSource(picture, sink)
        else:
            self._source = ScreenSource(sink, self._on_problem)
        self._source.start()
        view.show()

    async def _stop(self) -> None:
        self.stop()
        await self._session.stop_share()

    def stop(self) -> None:
        """Stops capturing (the window closes; the session ends the track as it closes)."""
        if self._source is not None:
            self._source.stop()
            self._source = None
        self.view.hide()
        self.view.clear()
