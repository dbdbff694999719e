"""The host's second LiveKit connection, to the show's backstage room (`<show>~backstage`,
`hostdesk.show.backstage`): the host's microphone goes there as talkback, and each backstage
guest's picture and sound come back as plain bytes, so the window never touches the SDK.

It is open only while someone is backstage (the window decides); the show's own session and
its on-air tracks are not touched.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

from livekit import rtc

from hostdesk.livekit.media import AudioOut
from hostdesk.livekit.track_router import CAMERA, MICROPHONE, TrackRouter, source_of
from hostdesk.show.events import Event
from hostdesk.tasks import TaskSet

log = logging.getLogger("hostdesk.livekit")

CONNECT_TIMEOUT = 10.0
TALKBACK = "talkback"


class BackstageSession:
    """Events (on the loop): `guest_frame(identity, width, height, bgra)`,
    `guest_audio(identity, pcm)`, `guest_gone(identity)` (their tracks or they left)."""

    def __init__(self) -> None:
        self.guest_frame: Event[[str, int, int, memoryview]] = Event()
        self.guest_audio: Event[[str, bytes]] = Event()
        self.guest_gone: Event[[str]] = Event()
        self._room: rtc.Room | None = None
        self._talkback: AudioOut | None = None
        self._router = TrackRouter()
        self._router.frame.connect(self._on_frame)
        self._router.pcm.connect(self._on_pcm)
        self._tasks = TaskSet(log)

    @property
    def connected(self) -> bool:
        return self._room is not None

    async def connect(self, url: str, token: str) -> None:
        """Joins the backstage room with the host's token and publishes the talkback."""
        room = rtc.Room()
        room.on("track_subscribed", self._on_track_subscribed)
        room.on("track_unsubscribed", self._on_track_unsubscribed)
        room.on("participant_disconnected", self._on_participant_left)
        try:
            await asyncio.wait_for(room.connect(url, token), CONNECT_TIMEOUT)
            talkback = AudioOut(TALKBACK)
            self._room, self._talkback = room, talkback
            options = rtc.TrackPublishOptions(source=rtc.TrackSource.SOURCE_MICROPHONE)
            await room.local_participant.publish_track(talkback.track, options)
        except BaseException:
            await self.close()
            with contextlib.suppress(Exception):
                await room.disconnect()
            raise

    def push_talkback(self, pcm: bytes) -> None:
        """A 10 ms chunk of the host's microphone (the same capture the show's room gets)."""
        if self._talkback is not None:
            self._talkback.push_pcm(pcm)

    async def close(self) -> None:
        await self._router.aclose()
        await self._tasks.aclose()
        self._tasks = TaskSet(log)
        room, self._room = self._room, None
        if room is not None:
            with contextlib.suppress(Exception):
                await room.disconnect()
        talkback, self._talkback = self._talkback, None
        if talkback is not None:
            await talkback.aclose()

    def _on_track_subscribed(
        self, track: rtc.Track, publication: rtc.RemoteTrackPublication, p: rtc.RemoteParticipant
    ) -> None:
        self._router.subscribed(track, publication, p.identity)

    def _on_track_unsubscribed(
        self, track: rtc.Track, publication: rtc.RemoteTrackPublication, p: rtc.RemoteParticipant
    ) -> None:
        self._tasks.spawn(self._router.unsubscribed(publication))
        if source_of(publication, track) == CAMERA:
            self.guest_gone.emit(p.identity)

    def _on_frame(
        self, identity: str, source: str, width: int, height: int, bgra: memoryview
    ) -> None:
        if source == CAMERA:  # a backstage share is not shown: backstage is for the camera check
            self.guest_frame.emit(identity, width, height, bgra)

    def _on_pcm(self, identity: str, source: str, pcm: bytes) -> None:
        if source == MICROPHONE:
            self.guest_audio.emit(identity, pcm)

    def _on_participant_left(self, p: rtc.RemoteParticipant) -> None:
        self.guest_gone.emit(p.identity)
