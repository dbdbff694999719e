"""The host's own camera and microphone while live (or waiting to go live): which source runs,
and switching them on and off.

The host's pick is honoured when it can be: a camera that is missing or fails gives way to the
test pattern, a microphone to the tone, and the host is told why. The show never waits for a
device.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

from hostdesk.ui.media.audio import MicrophoneCapture, ToneSource
from hostdesk.ui.media.camera import CameraCapture
from hostdesk.ui.media.devices import audio_inputs, video_inputs
from hostdesk.ui.media.frames import FrameSink, PcmSink
from hostdesk.ui.media.pattern import TestPattern
from hostdesk.ui.settings import TEST_PATTERN, TONE
from hostdesk.ui.video_view import RGBA, VideoView

#: The size the host's camera is published at.
PUBLISHED_SIZE = (1280, 720)


class CaptureSession(Protocol):
    """Where the host's media goes (hostdesk.livekit.session)."""

    def open_media(self, width: int, height: int) -> tuple[FrameSink, PcmSink]: ...
    async def set_track_enabled(self, name: str, enabled: bool) -> None: ...


class HostCapture:
    """`on_audio` hears every chunk of the host's microphone that is sent (the level meter)."""

    def __init__(
        self,
        session: CaptureSession,
        preview: VideoView,
        on_problem: Callable[[str], None],
        on_audio: PcmSink | None = None,
    ) -> None:
        self._session = session
        self._preview = preview
        self._on_problem = on_problem
        self._on_audio = on_audio
        self._camera: TestPattern | CameraCapture | None = None
        self._microphone: ToneSource | MicrophoneCapture | None = None

    @property
    def running(self) -> bool:
        return self._camera is not None

    def start(self, camera_id: str, microphone_id: str, label: str) -> None:
        """Starts the picked camera and microphone ("" = the system's default; the TEST_PATTERN
        and TONE ids = the built-in ones), feeding the session and the host's preview."""
        self.stop()
        push_video, push_audio = self._session.open_media(*PUBLISHED_SIZE)
        preview = self._preview

        def video(width: int, height: int, rgba: bytes) -> None:
            push_video(width, height, rgba)
            preview.set_frame(width, height, rgba, RGBA)

        listener = self._on_audio

        def audio(pcm: bytes) -> None:
            push_audio(pcm)
            if listener is not None:
                listener(pcm)

        self._camera = self._start_camera(camera_id, video, label)
        self._microphone = self._start_microphone(microphone_id, audio)

    def stop(self) -> None:
        for source in (self._camera, self._microphone):
            if source is not None:
                source.stop()
        self._camera = self._microphone = None
        self._preview.clear()

    async def set_microphone(self, on: bool) -> None:
        await self._session.set_track_enabled("microphone", on)

    async def set_camera(self, on: bool) -> None:
        await self._session.set_track_enabled("camera", on)

    def _start_camera(
        self, camera_id: str, sink: FrameSink, label: str
    ) -> TestPattern | CameraCapture:
        if camera_id != TEST_PATTERN and video_inputs():
            camera = CameraCapture(camera_id or None, sink, self._fell_back)
            if camera.start():
                return camera
        pattern = TestPattern(sink, *PUBLISHED_SIZE, label=label or "HostDesk")
        pattern.start()
        return pattern

    def _start_microphone(
        self, microphone_id: str, sink: PcmSink
    ) -> ToneSource | MicrophoneCapture:
        if microphone_id != TONE and audio_inputs():
            microphone = MicrophoneCapture(microphone_id or None, sink, self._fell_back)
            if microphone.start():
                return microphone
        tone = ToneSource(sink)
        tone.start()
        return tone

    def _fell_back(self, problem: str) -> None:
        self._on_problem(f"{problem}; using the built-in test source instead")
