"""Real LiveKit participants for tests (the Python RTC SDK), joined with tokens the API returns.

A `Bot` records what it sees so tests can await what a user would notice: a data message, a
permission change, a remote track, a disconnection.
"""

from __future__ import annotations

import array
import asyncio
import contextlib
import json
import logging
import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from livekit import rtc

from hostdesk.livekit.joining import join
from hostdesk.tasks import TaskSet

CONNECT_TIMEOUT = 15.0
TONE_RATE = 48_000
#: 10 ms of sound per frame, as a microphone delivers it.
TONE_CHUNK = TONE_RATE // 100


@dataclass
class Tone:
    """A published microphone track playing a sine while `loud`, digital silence while not (the
    track stays published, so a silent guest is still a guest with a microphone)."""

    frequency: float
    loud: bool = True
    #: peak amplitude of the sine, of the 16-bit range
    level: float = 0.5


def _sine_period(frequency: float, level: float) -> bytes:
    """100 ms of a sine at `frequency` (a whole number of periods for any multiple of 10 Hz),
    as 16-bit mono PCM: looped, it plays without a click."""
    samples = TONE_RATE // 10
    peak = int(32767 * level)
    step = 2 * math.pi * frequency / TONE_RATE
    wave = array.array("h", (round(peak * math.sin(step * n)) for n in range(samples)))
    return wave.tobytes()


class Bot:
    def __init__(self, identity: str, token: str, url: str) -> None:
        self.identity = identity
        self.token = token
        self.url = url
        self.room = rtc.Room()
        self.messages: list[tuple[str | None, dict[str, Any]]] = []
        self.disconnected = asyncio.Event()
        self.disconnect_reason: Any = None
        self._changed = asyncio.Event()
        #: what the bot feeds its tracks with, stopped (and awaited) by `close`
        self._feeders = TaskSet(logging.getLogger("tests.support.bots"))
        #: the sources those feed, closed (not left to the garbage collector) by `close`
        self._sources: list[rtc.AudioSource | rtc.VideoSource] = []
        self.room.on("data_received", self._on_data)
        self.room.on("disconnected", self._on_disconnected)
        for event in (
            "participant_connected",
            "participant_disconnected",
            "participant_permissions_changed",
            "participant_metadata_changed",
            "participant_attributes_changed",
            "track_subscribed",
            "track_unsubscribed",
            "track_unpublished",
            "local_track_unpublished",
        ):
            self.room.on(event, self._poke)

    async def connect(self) -> Bot:
        await join(self.room, self.url, self.token, CONNECT_TIMEOUT)
        return self

    def _poke(self, *_: Any) -> None:
        self._changed.set()

    def _on_data(self, packet: rtc.DataPacket) -> None:
        sender = packet.participant.identity if packet.participant else None
        try:
            body = json.loads(packet.data)
        except ValueError:
            body = {"raw": packet.data.decode(errors="replace")}
        self.messages.append((sender, body))
        self._changed.set()

    def _on_disconnected(self, reason: Any) -> None:
        self.disconnect_reason = reason
        self.disconnected.set()
        self._changed.set()

    async def wait_for(self, condition: Callable[[], Any], timeout: float = 10.0) -> Any:
        """Waits until `condition()` is truthy (re-checked on every room event)."""

        async def loop() -> Any:
            while True:
                value = condition()
                if value:
                    return value
                self._changed.clear()
                try:
                    await asyncio.wait_for(self._changed.wait(), 0.2)
                except TimeoutError:
                    pass

        return await asyncio.wait_for(loop(), timeout)

    async def wait_message(self, type_: str, timeout: float = 10.0) -> dict[str, Any]:
        def found() -> dict[str, Any] | None:
            return next((m for _, m in self.messages if m.get("type") == type_), None)

        result: dict[str, Any] = await self.wait_for(found, timeout)
        return result

    def remote(self, identity: str) -> rtc.RemoteParticipant | None:
        return self.room.remote_participants.get(identity)

    def remote_video_tracks(self, identity: str) -> list[rtc.RemoteVideoTrack]:
        participant = self.remote(identity)
        if participant is None:
            return []
        return [
            pub.track
            for pub in participant.track_publications.values()
            if isinstance(pub.track, rtc.RemoteVideoTrack)
        ]

    async def publish_colour(
        self,
        rgb: tuple[int, int, int],
        size: tuple[int, int] = (320, 240),
        kind: rtc.TrackSource.ValueType = rtc.TrackSource.SOURCE_CAMERA,
    ) -> rtc.LocalTrackPublication:
        """Publishes a camera track (or another `kind`, a screen share) of one solid colour,
        fed at 15 fps until disconnect."""
        width, height = size
        return await self.publish_picture(bytes([*rgb, 255]) * (width * height), size, kind)

    async def publish_picture(
        self,
        rgba: bytes,
        size: tuple[int, int],
        kind: rtc.TrackSource.ValueType = rtc.TrackSource.SOURCE_CAMERA,
    ) -> rtc.LocalTrackPublication:
        """Publishes a camera track (or another `kind`) of one still picture (RGBA rows), fed
        at 15 fps until disconnect."""
        width, height = size
        source = rtc.VideoSource(width, height)
        self._sources.append(source)
        name = "screen" if kind == rtc.TrackSource.SOURCE_SCREENSHARE else "camera"
        track = rtc.LocalVideoTrack.create_video_track(name, source)
        options = rtc.TrackPublishOptions(source=kind)
        frame = rtc.VideoFrame(width, height, rtc.VideoBufferType.RGBA, rgba)

        async def feed() -> None:
            while True:
                source.capture_frame(frame)
                await asyncio.sleep(1 / 15)

        self._feeders.spawn(feed(), name=f"{self.identity} {name}")
        return await self.room.local_participant.publish_track(track, options)

    async def publish_tone(
        self, frequency: float = 440.0, *, loud: bool = True, level: float = 0.5
    ) -> Tone:
        """Publishes a microphone track of a sine tone, fed in real time until disconnect.
        Flip the returned `Tone.loud` to make it fall silent or sound again."""
        tone = Tone(frequency, loud, level)
        source = rtc.AudioSource(TONE_RATE, 1, queue_size_ms=100)
        self._sources.append(source)
        track = rtc.LocalAudioTrack.create_audio_track("microphone", source)
        options = rtc.TrackPublishOptions(source=rtc.TrackSource.SOURCE_MICROPHONE)
        chunk_bytes = TONE_CHUNK * 2
        sine = _sine_period(frequency, level)
        silence = bytes(chunk_bytes)

        async def feed() -> None:
            offset = 0
            while True:
                pcm = sine[offset : offset + chunk_bytes] if tone.loud else silence
                offset = (offset + chunk_bytes) % len(sine)
                # Waits while the source's queue is full: the track plays in real time.
                await source.capture_frame(rtc.AudioFrame(pcm, TONE_RATE, 1, TONE_CHUNK))

        self._feeders.spawn(feed(), name=f"{self.identity} microphone")
        await self.room.local_participant.publish_track(track, options)
        return tone

    async def send(self, message: dict[str, Any], to: list[str] | None = None) -> None:
        await self.room.local_participant.publish_data(
            json.dumps(message), reliable=True, destination_identities=to or [], topic="hostdesk"
        )

    async def send_raw(self, data: bytes) -> None:
        await self.room.local_participant.publish_data(data, reliable=True, topic="hostdesk")

    async def close(self) -> None:
        await self._feeders.aclose()
        # Closed here, on purpose: a source dropped by the garbage collector in the middle of
        # a callback once left the FFI's audio capture thread spinning and the loop blocked.
        for source in self._sources:
            with contextlib.suppress(Exception):
                await source.aclose()
        self._sources.clear()
        await self.room.disconnect()


async def first_frame_rgb(track: rtc.RemoteVideoTrack, timeout: float = 15.0) -> tuple[int, ...]:
    """The centre pixel (r, g, b) of the first decoded frame of a track."""
    stream = rtc.VideoStream(track, format=rtc.VideoBufferType.RGBA)
    try:

        async def first() -> tuple[int, ...]:
            seen = 0
            async for event in stream:
                seen += 1
                if seen < 3:  # the first frames may still be the decoder warming up
                    continue
                frame = event.frame
                centre = ((frame.height // 2) * frame.width + frame.width // 2) * 4
                return tuple(frame.data[centre : centre + 3])
            raise AssertionError("track ended before a frame arrived")

        return await asyncio.wait_for(first(), timeout)
    finally:
        await stream.aclose()
