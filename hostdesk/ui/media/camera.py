"""A real camera through QtMultimedia, its frames passed on as RGBA bytes."""

from __future__ import annotations

import logging
from collections.abc import Callable

from PySide6.QtCore import QObject, Slot
from PySide6.QtMultimedia import (
    QCamera,
    QCameraDevice,
    QMediaCaptureSession,
    QMediaDevices,
    QVideoFrame,
    QVideoSink,
)

from hostdesk.ui.media.devices import missing, pick
from hostdesk.ui.media.frames import FrameSink, rgba_bytes

log = logging.getLogger("hostdesk.ui")


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
        device: QCameraDevice | None = pick(
            QMediaDevices.videoInputs(), QMediaDevices.defaultVideoInput(), self._device_id
        )
        if device is None:
            return self._fail(missing("camera", self._device_id))
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
