"""What the program studio is fed from the window's side of the show: the guests' pictures, shares
and sound as the session receives them, the host's own camera, microphone and screen share as
the window captures them, the invitations' answers, who the host is, and whom the stage shows
large.

The host's media reaches the studio through `ProgramTap`, which stands between the capture (and
the screen share) and the session: each frame and chunk the session is given goes to the
studio too, and a camera or microphone switched off stops reaching the program as it stops
reaching the room. Everything here runs on the loop and only hands references over
(hostdesk.program.studio).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

from PySide6.QtCore import QObject, QTimer

from hostdesk.program.studio import Studio
from hostdesk.show.connection import ConnectionState
from hostdesk.show.events import Event
from hostdesk.show.invitations import Answer
from hostdesk.ui.capture import CaptureSession
from hostdesk.ui.media.frames import FrameSink, PcmSink
from hostdesk.ui.screen_share import ShareSession
from hostdesk.ui.stage_panel import SPEAKER, StagePanel
from hostdesk.ui.stage_tile import GuestTile

#: How often the stage's focus (the speaker layout follows whoever speaks) is read, in ms.
SPEAKER_EVERY_MS = 250


class ProgramSession(CaptureSession, ShareSession, Protocol):
    """The host's LiveKit session as the program needs it (hostdesk.livekit.session)."""

    guest_frame: Event[[str, int, int, memoryview]]
    guest_audio: Event[[str, bytes]]


class ProgramHost(Protocol):
    """Who the host is, and the invitations' answers (hostdesk.host.HostControl)."""

    identity: str
    name: str
    invitation_answered: Event[[str, Answer]]


class ProgramTap:
    """The session as the host's capture and screen share see it (CaptureSession,
    ShareSession), with the studio listening in."""

    def __init__(self, session: ProgramSession, feed: ProgramFeed) -> None:
        self._session, self._feed = session, feed
        self.share_frame = session.share_frame
        self.share_ended = session.share_ended
        self.state_changed = session.state_changed

    def open_media(self, width: int, height: int) -> tuple[FrameSink, PcmSink]:
        push_video, push_audio = self._session.open_media(width, height)
        feed = self._feed

        def video(width: int, height: int, rgba: bytes) -> None:
            push_video(width, height, rgba)
            feed.host_camera(width, height, rgba)

        def audio(pcm: bytes) -> None:
            push_audio(pcm)
            feed.host_sound(pcm)

        return video, audio

    async def set_track_enabled(self, name: str, enabled: bool) -> None:
        self._feed.host_track(name, enabled)
        await self._session.set_track_enabled(name, enabled)

    async def share_screen(self, width: int, height: int) -> FrameSink:
        push = await self._session.share_screen(width, height)
        feed = self._feed

        def sink(width: int, height: int, rgba: bytes) -> None:
            push(width, height, rgba)
            feed.host_share(width, height, rgba)

        return sink

    async def stop_share(self) -> None:
        self._feed.host_share_ended()
        await self._session.stop_share()


class ProgramFeed(QObject):
    def __init__(
        self,
        studio: Studio,
        session: ProgramSession,
        host: ProgramHost,
        stage: StagePanel,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.studio, self._session, self._host, self._stage = studio, session, host, stage
        self._microphone = self._camera = True
        self._sharing = ""  # the identity the host's share went to the studio under
        self._speaker: str | None = None
        self._speaker_timer = QTimer(self)
        self._speaker_timer.setInterval(SPEAKER_EVERY_MS)
        self._speaker_timer.timeout.connect(self.sync_speaker)
        self._listening: list[tuple[Event[...], Callable[..., object]]] = [
            (session.guest_frame, self._guest_frame),
            (session.share_frame, self._share_frame),
            (session.share_ended, studio.share_ended),
            (session.guest_audio, studio.sound),
            (session.state_changed, self._on_state),
            (host.invitation_answered, studio.invitation_answered),
        ]
        for event, listener in self._listening:
            event.connect(listener)

    def tap(self) -> ProgramTap:
        """The session for the host's capture and screen share."""
        return ProgramTap(self._session, self)

    def went_live(self) -> None:
        """The show is live: the host is in the program under their identity in the room."""
        self.studio.set_host(self._host.identity, self._host.name)
        self._speaker = None
        self.sync_speaker()
        self._speaker_timer.start()

    def sync_speaker(self) -> None:
        """Whom the stage shows large ("" for the grid) is whom the program shows large."""
        speaker = ""
        focused = self._stage.area.focused
        if self._stage.layout_mode == SPEAKER and focused is not None:
            if focused is self._stage.host_tile:
                speaker = self._host.identity
            elif isinstance(focused, GuestTile):
                speaker = focused.identity
        if speaker != self._speaker:
            self._speaker = speaker
            self.studio.set_speaker(speaker)

    # --- the host's own media (from the tap) ---------------------------------------------------
    def host_camera(self, width: int, height: int, rgba: bytes) -> None:
        if self._camera and self._host.identity:
            self.studio.camera(self._host.identity, width, height, rgba, "rgba")

    def host_sound(self, pcm: bytes) -> None:
        if self._microphone and self._host.identity:
            self.studio.sound(self._host.identity, pcm)

    def host_track(self, name: str, enabled: bool) -> None:
        if name == "microphone":
            self._microphone = enabled
        elif name == "camera":
            self._camera = enabled  # the program shows the host's card once frames stop

    def host_share(self, width: int, height: int, rgba: bytes) -> None:
        identity = self._host.identity
        if identity:
            self._sharing = identity
            self.studio.share(identity, width, height, rgba, "rgba")

    def host_share_ended(self) -> None:
        if self._sharing:
            self.studio.share_ended(self._sharing)
            self._sharing = ""

    # --- the room's media ------------------------------------------------------------------------
    def _guest_frame(self, identity: str, width: int, height: int, bgra: memoryview) -> None:
        self.studio.camera(identity, width, height, bgra, "bgra")

    def _share_frame(self, identity: str, width: int, height: int, bgra: memoryview) -> None:
        self.studio.share(identity, width, height, bgra, "bgra")

    def _on_state(self, state: ConnectionState, _reason: str) -> None:
        if state in (ConnectionState.OFFLINE, ConnectionState.DISCONNECTED):
            self._speaker_timer.stop()
            self.host_share_ended()

    def close(self) -> None:
        """Stops listening: the session, the controller and the studio outlive the window."""
        self._speaker_timer.stop()
        for event, listener in self._listening:
            event.disconnect(listener)
        self._listening = []
