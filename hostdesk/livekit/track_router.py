"""A room's subscribed tracks, read and routed by who sent them and from which source.

Both of the host's connections (the show's room, hostdesk.livekit.session, and the backstage,
hostdesk.livekit.backstage_session) receive remote tracks the same way: one `TrackReader` per
subscribed track, closed when the track is unsubscribed or the room is dropped. This is that
one routing; each session says what to do with a picture or a sound by the track's source
(`camera`, `screen_share`, `microphone`, `screen_share_audio`), so a guest's screen share never
lands on their camera's tile.
"""

from __future__ import annotations

import logging

from livekit import rtc

from hostdesk.livekit.media import TrackReader
from hostdesk.show.events import Event

log = logging.getLogger("hostdesk.livekit")

CAMERA = "camera"
SCREEN_SHARE = "screen_share"
MICROPHONE = "microphone"
SCREEN_SHARE_AUDIO = "screen_share_audio"
_SOURCES = {
    rtc.TrackSource.SOURCE_CAMERA: CAMERA,
    rtc.TrackSource.SOURCE_SCREENSHARE: SCREEN_SHARE,
    rtc.TrackSource.SOURCE_MICROPHONE: MICROPHONE,
    rtc.TrackSource.SOURCE_SCREENSHARE_AUDIO: SCREEN_SHARE_AUDIO,
}


def source_of(publication: rtc.TrackPublication, track: rtc.Track) -> str:
    """The publication's source by name; an unknown source counts as the camera or the
    microphone, by the track's kind (what a client that names no source sends)."""
    named = _SOURCES.get(publication.source)
    if named is not None:
        return named
    return CAMERA if isinstance(track, rtc.RemoteVideoTrack) else MICROPHONE


class TrackRouter:
    """Events (on the loop): `frame(identity, source, width, height, bgra)`,
    `pcm(identity, source, pcm)`."""

    def __init__(self) -> None:
        self.frame: Event[[str, str, int, int, memoryview]] = Event()
        self.pcm: Event[[str, str, bytes]] = Event()
        self._readers: dict[str, TrackReader] = {}  # track sid -> reader

    def subscribed(
        self, track: rtc.Track, publication: rtc.RemoteTrackPublication, identity: str
    ) -> str:
        """Starts reading a subscribed track; returns its source."""
        source = source_of(publication, track)
        if isinstance(track, rtc.RemoteVideoTrack):

            def on_frame(width: int, height: int, bgra: memoryview) -> None:
                self.frame.emit(identity, source, width, height, bgra)

            self._put(publication.sid, TrackReader.video(track, on_frame))
        elif isinstance(track, rtc.RemoteAudioTrack):

            def on_pcm(pcm: bytes) -> None:
                self.pcm.emit(identity, source, pcm)

            self._put(publication.sid, TrackReader.audio(track, on_pcm))
        return source

    def _put(self, sid: str, reader: TrackReader) -> None:
        old = self._readers.pop(sid, None)
        if old is not None:  # subscribed twice without an unsubscribe: keep one reader
            old.cancel()
        self._readers[sid] = reader

    async def unsubscribed(self, publication: rtc.RemoteTrackPublication) -> None:
        """Stops reading the track (its reader is closed before this returns)."""
        reader = self._readers.pop(publication.sid, None)
        if reader is not None:
            await reader.aclose()

    async def aclose(self) -> None:
        """Stops reading every track (the room is being dropped)."""
        readers, self._readers = list(self._readers.values()), {}
        for reader in readers:
            await reader.aclose()

    def __len__(self) -> int:
        return len(self._readers)
