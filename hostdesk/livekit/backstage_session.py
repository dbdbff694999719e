"""The host's second LiveKit connection, to the show's backstage room (`<show>~backstage`,
`hostdesk.show.backstage`): the host's microphone goes there as talkback, and each backstage
guest's picture and sound come back as plain bytes, so the window never touches the SDK.

It is open only while someone is backstage (the window decides); the show's own session and
its on-air tracks are not touched. Like the show's session it comes back by itself after a
drop, with a fresh token per attempt, and publishes the same talkback track again.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable

from livekit import rtc

from hostdesk.livekit.comeback import come_back
from hostdesk.livekit.joining import join
from hostdesk.livekit.media import AudioOut
from hostdesk.livekit.track_router import CAMERA, MICROPHONE, TrackRouter, source_of
from hostdesk.show.connection import ConnectionState
from hostdesk.show.events import Event
from hostdesk.tasks import TaskSet

log = logging.getLogger("hostdesk.livekit")

CONNECT_TIMEOUT = 10.0
TALKBACK = "talkback"
#: Disconnections that are not a drop: the host left, joined the backstage from somewhere else,
#: or the show ended (its backstage room deleted). Anything else (a server that restarted or
#: shut down, a lost network, the host's place in the room removed) is retried while the window
#: still wants the backstage.
_FINAL = {
    rtc.DisconnectReason.CLIENT_INITIATED: "",
    rtc.DisconnectReason.DUPLICATE_IDENTITY: "the host joined the backstage from somewhere else",
    rtc.DisconnectReason.ROOM_DELETED: "the backstage was closed",
}

#: A fresh token for each attempt to come back (tokens live minutes).
Renew = Callable[[], str]


class BackstageSession:
    """Events (on the loop): `guest_frame(identity, width, height, bgra)`,
    `guest_audio(identity, pcm)`, `guest_gone(identity)` (their tracks or they left, or the
    connection dropped), `guest_microphone(identity, on)` (their microphone there and
    unmuted), `state_changed(state, reason)` (LIVE, RECONNECTING while it comes back by itself,
    DISCONNECTED when it will not, OFFLINE once closed)."""

    def __init__(self) -> None:
        self.guest_frame: Event[[str, int, int, memoryview]] = Event()
        self.guest_audio: Event[[str, bytes]] = Event()
        self.guest_gone: Event[[str]] = Event()
        self.guest_microphone: Event[[str, bool]] = Event()
        self.state_changed: Event[[ConnectionState, str]] = Event()
        self.state = ConnectionState.OFFLINE
        self._room: rtc.Room | None = None
        self._talkback: AudioOut | None = None
        self._talkback_on = True
        self._url = ""
        self._token = ""
        self._renew: Renew | None = None
        self._closing = False
        self._reconnecting: asyncio.Task[None] | None = None
        self._router = TrackRouter()
        self._router.frame.connect(self._on_frame)
        self._router.pcm.connect(self._on_pcm)
        self._tasks = TaskSet(log)

    @property
    def connected(self) -> bool:
        return self._room is not None

    def _set_state(self, state: ConnectionState, reason: str = "") -> None:
        self.state = state
        self.state_changed.emit(state, reason)

    async def connect(self, url: str, token: str, renew: Renew | None = None) -> None:
        """Joins the backstage room with the host's token and publishes the talkback; after a
        drop it comes back by itself (asking `renew` for a fresh token each time) until
        `close`."""
        self._closing = False
        self._url, self._token, self._renew = url, token, renew
        self._talkback = AudioOut(TALKBACK)
        try:
            await self._open()
        except BaseException:
            await self.close()
            raise
        self._set_state(ConnectionState.LIVE)

    async def _open(self) -> None:
        room = rtc.Room()
        room.on("track_subscribed", self._on_track_subscribed)
        room.on("track_unsubscribed", self._on_track_unsubscribed)
        room.on("participant_disconnected", self._on_participant_left)
        room.on("track_muted", self._on_mute)
        room.on("track_unmuted", self._on_mute)
        # A late event of a room already dropped must not touch the one that replaced it.
        room.on("disconnected", lambda reason: self._on_disconnected(room, reason))
        try:
            await join(room, self._url, self._token, CONNECT_TIMEOUT)
            self._room = room
            await self._publish(room)
        except BaseException:
            self._room = None
            with contextlib.suppress(Exception):
                await room.disconnect()
            raise

    async def _publish(self, room: rtc.Room) -> None:
        talkback = self._talkback
        if talkback is None:
            return
        options = rtc.TrackPublishOptions(source=rtc.TrackSource.SOURCE_MICROPHONE)
        await room.local_participant.publish_track(talkback.track, options)
        self._apply_talkback()

    def push_talkback(self, pcm: bytes) -> None:
        """A 10 ms chunk of the host's microphone (the same capture the show's room gets)."""
        if self._talkback is not None and self._talkback_on:
            self._talkback.push_pcm(pcm)

    def set_talkback(self, on: bool) -> None:
        """The host's microphone on or off: off, the talkback is muted and nothing is sent (also
        after a reconnection)."""
        self._talkback_on = on
        self._apply_talkback()

    def _apply_talkback(self) -> None:
        if self._talkback is not None:
            if self._talkback_on:
                self._talkback.track.unmute()
            else:
                self._talkback.track.mute()

    async def close(self) -> None:
        self._closing = True
        reconnecting, self._reconnecting = self._reconnecting, None
        if reconnecting is not None:
            reconnecting.cancel()
        await self._drop_room()
        await self._tasks.aclose()
        self._tasks = TaskSet(log)
        talkback, self._talkback = self._talkback, None
        if talkback is not None:
            await talkback.aclose()
        if self.state is not ConnectionState.OFFLINE:
            self._set_state(ConnectionState.OFFLINE)

    async def _drop_room(self) -> None:
        await self._router.aclose()
        room, self._room = self._room, None
        if room is not None:
            for identity in list(room.remote_participants):
                self.guest_microphone.emit(identity, False)
                self.guest_gone.emit(identity)
            with contextlib.suppress(Exception):
                await room.disconnect()

    def _on_disconnected(self, room: rtc.Room, reason: rtc.DisconnectReason.ValueType) -> None:
        if self._closing or room is not self._room or self._reconnecting is not None:
            return
        if reason in _FINAL:
            self._set_state(ConnectionState.DISCONNECTED, _FINAL[reason])
            self._tasks.spawn(self._drop_room(), name="backstage dropped")
            return
        log.info("the backstage connection dropped (reason %s): reconnecting", reason)
        self._set_state(ConnectionState.RECONNECTING, "LiveKit dropped the connection")
        self._reconnecting = self._tasks.spawn(self._reconnect(), name="backstage reconnect")

    async def _reconnect(self) -> None:
        await self._drop_room()
        try:
            if await come_back(
                "the backstage",
                self._renew_token,
                self._open,
                lambda: self._closing,
                lambda reason: self._set_state(ConnectionState.RECONNECTING, reason),
            ):
                self._set_state(ConnectionState.LIVE)
        finally:
            self._reconnecting = None

    def _renew_token(self) -> None:
        if self._renew is not None:
            self._token = self._renew()

    def _on_track_subscribed(
        self, track: rtc.Track, publication: rtc.RemoteTrackPublication, p: rtc.RemoteParticipant
    ) -> None:
        self._router.subscribed(track, publication, p.identity)
        if source_of(publication, track) == MICROPHONE:
            self.guest_microphone.emit(p.identity, not publication.muted)

    def _on_track_unsubscribed(
        self, track: rtc.Track, publication: rtc.RemoteTrackPublication, p: rtc.RemoteParticipant
    ) -> None:
        self._tasks.spawn(self._router.unsubscribed(publication))
        source = source_of(publication, track)
        if source == CAMERA:
            self.guest_gone.emit(p.identity)
        elif source == MICROPHONE:
            self.guest_microphone.emit(p.identity, False)

    def _on_mute(self, p: rtc.Participant, publication: rtc.TrackPublication) -> None:
        if isinstance(p, rtc.RemoteParticipant) and publication.track is not None:
            if source_of(publication, publication.track) == MICROPHONE:
                self.guest_microphone.emit(p.identity, not publication.muted)

    def _on_frame(
        self, identity: str, source: str, width: int, height: int, bgra: memoryview
    ) -> None:
        if source == CAMERA:  # a backstage share is not shown: backstage is for the camera check
            self.guest_frame.emit(identity, width, height, bgra)

    def _on_pcm(self, identity: str, source: str, pcm: bytes) -> None:
        if source == MICROPHONE:
            self.guest_audio.emit(identity, pcm)

    def _on_participant_left(self, p: rtc.RemoteParticipant) -> None:
        self.guest_microphone.emit(p.identity, False)
        self.guest_gone.emit(p.identity)
