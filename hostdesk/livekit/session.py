"""The host's `rtc.Room`: LiveKit events as typed facts, data messages in and out.

Runs on the app's loop; the SDK delivers its events there (STACK-NOTES: Rust threads call
`loop.call_soon_threadsafe`). Handlers are plain functions; the tasks they start are kept in a
`TaskSet`. The session writes nothing of the show: it reports facts (`hostdesk.show.mirror`'s
`Fact`) that the host controller applies to the mirror, and reads the mirror only for roles.
A connection LiveKit drops (a server restart ends it outright) is re-established here with
backoff; what the rebuilt room lacks is restored by the host controller.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable

from livekit import rtc

from hostdesk.livekit.comeback import come_back
from hostdesk.livekit.joining import join
from hostdesk.livekit.media import AudioOut, VideoOut
from hostdesk.livekit.participants import participant_of
from hostdesk.livekit.track_router import (
    CAMERA,
    MICROPHONE,
    SCREEN_SHARE,
    TrackRouter,
    source_of,
)
from hostdesk.show import messages
from hostdesk.show.chat import ChatSettings
from hostdesk.show.connection import ConnectionState
from hostdesk.show.events import Event
from hostdesk.show.messages import DataMessage, InvalidMessage
from hostdesk.show.mirror import (
    ChatSettingsChanged,
    Entered,
    Fact,
    Left,
    MicrophoneChanged,
    QualityChanged,
    Seen,
    ShowMirror,
    StageSettingsChanged,
    VideoChanged,
)
from hostdesk.show.roles import Role
from hostdesk.show.stage_clock import StageSettings
from hostdesk.tasks import TaskSet

log = logging.getLogger("hostdesk.livekit")

CONNECT_TIMEOUT = 10.0
_FINAL = {
    rtc.DisconnectReason.CLIENT_INITIATED: "",
    rtc.DisconnectReason.DUPLICATE_IDENTITY: "the host joined from somewhere else",
    rtc.DisconnectReason.PARTICIPANT_REMOVED: "the host was removed from the room",
    rtc.DisconnectReason.ROOM_DELETED: "the show was ended",
}
_QUALITY = {
    rtc.ConnectionQuality.QUALITY_EXCELLENT: "excellent",
    rtc.ConnectionQuality.QUALITY_GOOD: "good",
    rtc.ConnectionQuality.QUALITY_POOR: "poor",
    rtc.ConnectionQuality.QUALITY_LOST: "lost",
}


class HostSession:
    """One host connection. Events it raises (on the loop):

    - `state_changed(state, reason)`
    - `fact(fact)`: what LiveKit said about the room, its participants and their tracks
    - `message_received(message, sender_identity)`: valid show messages (on HostDesk's topic
      or none, `messages.is_show_topic`) whose LiveKit-stamped sender's role (read from the
      mirror) may send that type; anything else is dropped and logged here
    - `guest_frame(identity, width, height, bgra)`, `guest_audio(identity, pcm)`: a
      member's camera and microphone; `guest_left_stage(identity)`
    - `share_frame(identity, width, height, bgra)`: a member's screen share (never on
      `guest_frame`); `share_ended(identity)` when it goes or is muted (the host's Stop share
      mutes it), and no frame of a muted share is passed on
    - `speakers_changed(identities)`: who LiveKit hears speaking now, loudest first (the host's
      own identity included)
    """

    def __init__(self, mirror: ShowMirror) -> None:
        self.mirror = mirror
        self.state = ConnectionState.OFFLINE
        self.state_changed: Event[[ConnectionState, str]] = Event()
        self.fact: Event[[Fact]] = Event()
        self.message_received: Event[[DataMessage, str]] = Event()
        self.guest_frame: Event[[str, int, int, memoryview]] = Event()
        self.guest_audio: Event[[str, bytes]] = Event()
        self.guest_left_stage: Event[[str]] = Event()
        self.share_frame: Event[[str, int, int, memoryview]] = Event()
        self.share_ended: Event[[str]] = Event()
        self.speakers_changed: Event[[list[str]]] = Event()
        self._room: rtc.Room | None = None
        self._url = ""
        self._token = ""
        self._renew: Callable[[], str] | None = None
        self._closing = False
        self._tasks = TaskSet(log)
        self._router = TrackRouter()
        self._muted_shares: set[str] = set()  # identities whose screen share is muted
        self._router.frame.connect(self._on_frame)
        self._router.pcm.connect(self._on_pcm)
        self._video: VideoOut | None = None
        self._audio: AudioOut | None = None
        self._share: VideoOut | None = None
        self._reconnecting: asyncio.Task[None] | None = None

    # -- connection ---------------------------------------------------------------------------

    def _set_state(self, state: ConnectionState, reason: str = "") -> None:
        self.state = state
        self.state_changed.emit(state, reason)

    async def connect(self, url: str, token: str, renew: Callable[[], str] | None = None) -> None:
        """Joins with `token`; a reconnection after a lost session asks `renew` for a fresh
        one first (tokens live minutes, and a LiveKit restart needs a whole new join)."""
        self._url, self._token, self._renew, self._closing = url, token, renew, False
        self._set_state(ConnectionState.CONNECTING)
        try:
            await self._open()
        except Exception as exc:
            self._set_state(ConnectionState.DISCONNECTED, f"could not connect to LiveKit: {exc}")
            raise
        self._set_state(ConnectionState.LIVE)

    async def _open(self) -> None:
        room = rtc.Room()
        for event, handler in (
            ("participant_connected", self._on_participant),
            ("participant_disconnected", self._on_participant_left),
            ("participant_metadata_changed", self._on_metadata),
            ("participant_attributes_changed", self._on_attributes),
            ("room_metadata_changed", self._on_room_metadata),
            ("track_subscribed", self._on_track_subscribed),
            ("track_unsubscribed", self._on_track_unsubscribed),
            ("track_muted", self._on_mute),
            ("track_unmuted", self._on_mute),
            ("connection_quality_changed", self._on_quality),
            ("active_speakers_changed", self._on_speakers),
            ("data_received", self._on_data),
            ("reconnecting", self._on_reconnecting),
            ("reconnected", self._on_reconnected),
            ("disconnected", self._on_disconnected),
        ):
            room.on(event, handler)  # type: ignore[arg-type]  # names checked by the SDK
        await join(room, self._url, self._token, CONNECT_TIMEOUT)
        self._room = room
        self._entered(room)
        await self._publish()

    async def close(self) -> None:
        """Leaves the room; nothing of this session keeps running."""
        self._closing = True
        if self._reconnecting is not None:
            self._reconnecting.cancel()
        await self.stop_share()
        await self._drop_room()
        await self._tasks.aclose()
        self._tasks = TaskSet(log)  # the session can connect again
        for media in (self._video, self._audio):
            if media is not None:
                await media.aclose()
        self._video = self._audio = None
        self._set_state(ConnectionState.OFFLINE)

    async def _drop_room(self) -> None:
        await self._router.aclose()
        self._muted_shares.clear()
        self.speakers_changed.emit([])
        room, self._room = self._room, None
        if room is not None:
            with contextlib.suppress(Exception):
                await room.disconnect()

    def _on_disconnected(self, reason: rtc.DisconnectReason.ValueType) -> None:
        if self._closing:
            return
        if reason in _FINAL:
            self._set_state(ConnectionState.DISCONNECTED, _FINAL[reason])
            return
        self._set_state(ConnectionState.RECONNECTING, "LiveKit dropped the connection")
        self._reconnecting = self._tasks.spawn(self._reconnect())

    def _on_reconnecting(self) -> None:
        self._set_state(ConnectionState.RECONNECTING, "connection lost, reconnecting")

    def _on_reconnected(self) -> None:
        self._set_state(ConnectionState.LIVE)
        if self._room is not None:
            self._entered(self._room)

    async def _reconnect(self) -> None:
        await self._drop_room()
        if await come_back(
            "the show's room",
            self._renew_token,
            self._open,
            lambda: self._closing,
            lambda reason: self._set_state(ConnectionState.RECONNECTING, reason),
        ):
            self._set_state(ConnectionState.LIVE)

    def _renew_token(self) -> None:
        if self._renew is not None:
            self._token = self._renew()

    # -- outgoing -----------------------------------------------------------------------------

    def use_media(self, video: VideoOut | None, audio: AudioOut | None) -> None:
        """The host's camera and microphone tracks, published now and on every reconnect."""
        self._video, self._audio = video, audio
        if self._room is not None:
            self._tasks.spawn(self._publish())

    async def _publish(self) -> None:
        room = self._room
        if room is None:
            return
        published = {pub.name for pub in room.local_participant.track_publications.values()}
        if self._video is not None and "camera" not in published:
            options = rtc.TrackPublishOptions(source=rtc.TrackSource.SOURCE_CAMERA)
            await room.local_participant.publish_track(self._video.track, options)
        if self._audio is not None and "microphone" not in published:
            options = rtc.TrackPublishOptions(source=rtc.TrackSource.SOURCE_MICROPHONE)
            await room.local_participant.publish_track(self._audio.track, options)
        if self._share is not None and SCREEN_SHARE not in published:  # a share across a drop
            options = rtc.TrackPublishOptions(source=rtc.TrackSource.SOURCE_SCREENSHARE)
            await room.local_participant.publish_track(self._share.track, options)

    def open_media(
        self, width: int, height: int
    ) -> tuple[Callable[[int, int, bytes], None], Callable[[bytes], None]]:
        """Creates the host's camera and microphone tracks (published now or on connect) and
        returns where to push RGBA frames and 10 ms PCM chunks."""
        video, audio = VideoOut(width, height), AudioOut()
        self.use_media(video, audio)
        return video.push_rgba, audio.push_pcm

    async def share_screen(self, width: int, height: int) -> Callable[[int, int, bytes], None]:
        """Publishes the host's screen share (a second video source, `SCREEN_SHARE`) and
        returns where to push its RGBA frames; `stop_share` ends it."""
        await self.stop_share()
        if self._room is None:
            raise ConnectionError("not connected to LiveKit")
        share = self._share = VideoOut(width, height, SCREEN_SHARE)
        options = rtc.TrackPublishOptions(source=rtc.TrackSource.SOURCE_SCREENSHARE)
        await self._room.local_participant.publish_track(share.track, options)
        return share.push_rgba

    async def stop_share(self) -> None:
        share, self._share = self._share, None
        if share is None:
            return
        if self._room is not None:
            with contextlib.suppress(Exception):
                await self._room.local_participant.unpublish_track(share.track.sid)
        await share.aclose()

    async def set_track_enabled(self, name: str, enabled: bool) -> None:
        """Mutes or unmutes the host's own `camera` or `microphone` track."""
        if self._room is None:
            return
        for publication in self._room.local_participant.track_publications.values():
            if publication.name == name and publication.track is not None:
                track = publication.track
                if isinstance(track, rtc.LocalAudioTrack | rtc.LocalVideoTrack):
                    if enabled:
                        track.unmute()
                    else:
                        track.mute()

    async def send(self, message: DataMessage, to: list[str] | None = None) -> None:
        if self._room is None:
            raise ConnectionError("not connected to LiveKit")
        await self._room.local_participant.publish_data(
            message.encode(), reliable=True, destination_identities=to or [], topic=messages.TOPIC
        )

    @property
    def identity(self) -> str:
        return self._room.local_participant.identity if self._room else ""

    # -- incoming: participants ---------------------------------------------------------------

    def _entered(self, room: rtc.Room) -> None:
        others = tuple(participant_of(p) for p in room.remote_participants.values())
        self.fact.emit(Entered(room.local_participant.identity, others))
        self._room_settings(room.metadata)

    def _on_room_metadata(self, _old: str, new: str) -> None:
        self._room_settings(new)

    def _room_settings(self, metadata: str) -> None:
        self.fact.emit(ChatSettingsChanged(ChatSettings.from_room_metadata(metadata)))
        self.fact.emit(StageSettingsChanged(StageSettings.from_room_metadata(metadata)))

    def _on_participant(self, p: rtc.RemoteParticipant) -> None:
        self.fact.emit(Seen(participant_of(p), arrived=True))

    def _on_participant_left(self, p: rtc.RemoteParticipant) -> None:
        self.fact.emit(Left(p.identity))

    def _on_metadata(self, p: rtc.Participant, _old: str, _new: str) -> None:
        if isinstance(p, rtc.RemoteParticipant):
            was = self.mirror.role_of(p.identity)
            self.fact.emit(Seen(participant_of(p)))
            if was is Role.GUEST and self.mirror.role_of(p.identity) is not Role.GUEST:
                self.guest_left_stage.emit(p.identity)

    def _on_attributes(self, _changed: dict[str, str], p: rtc.Participant) -> None:
        if isinstance(p, rtc.RemoteParticipant):
            self.fact.emit(Seen(participant_of(p)))

    def _on_mute(self, p: rtc.Participant, publication: rtc.TrackPublication) -> None:
        if publication.source == rtc.TrackSource.SOURCE_MICROPHONE:
            self.fact.emit(MicrophoneChanged(p.identity, publication.muted))
        elif publication.source == rtc.TrackSource.SOURCE_SCREENSHARE:
            if publication.muted:
                self._muted_shares.add(p.identity)
                self.share_ended.emit(p.identity)
            else:
                self._muted_shares.discard(p.identity)

    def _on_speakers(self, speakers: list[rtc.Participant]) -> None:
        self.speakers_changed.emit([p.identity for p in speakers])

    def _on_quality(self, p: rtc.Participant, quality: rtc.ConnectionQuality) -> None:
        self.fact.emit(QualityChanged(p.identity, _QUALITY.get(quality, "unknown")))

    # -- incoming: media ----------------------------------------------------------------------

    def _on_track_subscribed(
        self, track: rtc.Track, publication: rtc.RemoteTrackPublication, p: rtc.RemoteParticipant
    ) -> None:
        source = self._router.subscribed(track, publication, p.identity)
        if source == CAMERA:
            self.fact.emit(VideoChanged(p.identity, True))
        elif source == MICROPHONE:
            self.fact.emit(MicrophoneChanged(p.identity, publication.muted))
        elif source == SCREEN_SHARE and publication.muted:
            self._muted_shares.add(p.identity)

    def _on_track_unsubscribed(
        self, track: rtc.Track, publication: rtc.RemoteTrackPublication, p: rtc.RemoteParticipant
    ) -> None:
        self._tasks.spawn(self._router.unsubscribed(publication))
        source = source_of(publication, track)
        if source == CAMERA:
            self.fact.emit(VideoChanged(p.identity, False))
            self.guest_left_stage.emit(p.identity)
        elif source == MICROPHONE:
            self.fact.emit(MicrophoneChanged(p.identity, True))
        elif source == SCREEN_SHARE:
            self._muted_shares.discard(p.identity)
            self.share_ended.emit(p.identity)

    def _on_frame(
        self, identity: str, source: str, width: int, height: int, bgra: memoryview
    ) -> None:
        if source == SCREEN_SHARE:
            if identity not in self._muted_shares:
                self.share_frame.emit(identity, width, height, bgra)
        else:
            self.guest_frame.emit(identity, width, height, bgra)

    def _on_pcm(self, identity: str, source: str, pcm: bytes) -> None:
        if source == MICROPHONE:
            self.guest_audio.emit(identity, pcm)

    # -- incoming: data -----------------------------------------------------------------------

    def _on_data(self, packet: rtc.DataPacket) -> None:
        if not messages.is_show_topic(packet.topic):
            return
        if packet.participant is None:
            # The API's own broadcasts (and, on LiveKit 1.9, packets from participants this
            # client has not been told about yet). The host learns the same from metadata and
            # attributes, so nothing unverifiable is acted on.
            return
        sender = packet.participant.identity
        try:
            message = messages.decode(packet.data)
        except InvalidMessage as exc:
            log.warning("dropped a malformed packet from %s: %s", sender, exc)
            return
        role = self.mirror.role_of(sender)
        if not messages.may_send(role, message.type):
            log.warning(
                "dropped %s from %s: a %s may not send it",
                message.type.value,
                sender,
                role.value if role else "participant without a role",
            )
            return
        self.message_received.emit(message, sender)
