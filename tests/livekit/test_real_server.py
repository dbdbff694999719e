"""Smoke tests: real WebRTC through the test run's livekit-server
(see tests/support/livekit_fixtures.py).

Nothing is mocked: two Python SDK rooms talk to a livekit-server running in the test run's own
network namespace, media and data cross the veth pair.
"""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager, suppress

import aiohttp
import pytest
from livekit import api, rtc

from hostdesk.devserver import LiveKitCredentials, LocalLiveKitServer
from hostdesk.livekit.joining import join
from tests.support.livekit_fixtures import join_token

pytestmark = pytest.mark.integration

CONNECT_TIMEOUT = 10.0
COLOUR = (200, 30, 60)  # RGB of the synthetic video
TOLERANCE = 20  # per channel: VP8 and YUV conversion are lossy
WIDTH, HEIGHT = 320, 240


def _room_name(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


@asynccontextmanager
async def _connected(
    creds: LiveKitCredentials, identity: str, room_name: str, room: rtc.Room | None = None
) -> AsyncIterator[rtc.Room]:
    """A Room connected as ``identity`` (handlers may be attached to ``room`` beforehand)."""
    room = room if room is not None else rtc.Room()
    try:
        await join(room, creds.url, join_token(creds, identity, room_name), CONNECT_TIMEOUT)
        yield room
    finally:
        with suppress(Exception):
            await asyncio.wait_for(room.disconnect(), 5)


@asynccontextmanager
async def _server_back_up(server: LocalLiveKitServer) -> AsyncIterator[None]:
    """Leave the session's server running for the next tests, even if this one fails."""
    try:
        yield
    finally:
        if not server.running:
            await server.start()


async def _wait_until(predicate: Callable[[], object], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:g} s waiting for {what}")
        await asyncio.sleep(0.05)


def _close(a: tuple[int, ...], b: tuple[int, ...]) -> bool:
    return all(abs(x - y) <= TOLERANCE for x, y in zip(a, b, strict=True))


async def test_video_reaches_the_subscriber(livekit_server: LocalLiveKitServer) -> None:
    creds = livekit_server.credentials
    room_name = _room_name("video")
    subscriber = rtc.Room()
    subscribed: asyncio.Future[rtc.RemoteVideoTrack] = asyncio.get_running_loop().create_future()

    @subscriber.on("track_subscribed")
    def _on_track(
        track: rtc.Track, _pub: rtc.RemoteTrackPublication, participant: rtc.RemoteParticipant
    ) -> None:
        if isinstance(track, rtc.RemoteVideoTrack) and not subscribed.done():
            assert participant.identity == "publisher"
            subscribed.set_result(track)

    source = rtc.VideoSource(WIDTH, HEIGHT)
    rgba = bytes((*COLOUR, 255)) * (WIDTH * HEIGHT)

    async def produce() -> None:
        while True:
            source.capture_frame(rtc.VideoFrame(WIDTH, HEIGHT, rtc.VideoBufferType.RGBA, rgba))
            await asyncio.sleep(1 / 15)

    async with (
        _connected(creds, "publisher", room_name) as publisher,
        _connected(creds, "subscriber", room_name, subscriber),
    ):
        producer = asyncio.create_task(produce())
        stream: rtc.VideoStream | None = None
        try:
            track = rtc.LocalVideoTrack.create_video_track("synthetic", source)
            await publisher.local_participant.publish_track(
                track, rtc.TrackPublishOptions(source=rtc.TrackSource.SOURCE_CAMERA)
            )
            remote = await asyncio.wait_for(subscribed, 10)
            stream = rtc.VideoStream(remote, format=rtc.VideoBufferType.RGBA)

            centres: list[tuple[int, ...]] = []

            async def read_frames() -> None:
                assert stream is not None
                async for event in stream:
                    frame = event.frame
                    assert frame.type == rtc.VideoBufferType.RGBA
                    assert (frame.width, frame.height) == (WIDTH, HEIGHT)
                    i = ((frame.height // 2) * frame.width + frame.width // 2) * 4
                    centres.append(tuple(frame.data[i : i + 3]))
                    if len(centres) >= 5:
                        return

            await asyncio.wait_for(read_frames(), 10)
        finally:
            producer.cancel()
            with suppress(asyncio.CancelledError):
                await producer
            if stream is not None:
                await stream.aclose()
            await source.aclose()

    # The first frames may still be settling; the later ones must be the colour we sent.
    assert all(_close(c, COLOUR) for c in centres[2:]), f"centre pixels {centres} vs {COLOUR}"


async def test_reliable_data_is_stamped_with_the_sender(
    livekit_server: LocalLiveKitServer,
) -> None:
    creds = livekit_server.credentials
    room_name = _room_name("data")
    alice, bob = rtc.Room(), rtc.Room()
    received: dict[str, list[rtc.DataPacket]] = {"alice": [], "bob": []}
    alice.on("data_received", received["alice"].append)
    bob.on("data_received", received["bob"].append)

    async with (
        _connected(creds, "alice", room_name, alice),
        _connected(creds, "bob", room_name, bob),
    ):
        await _wait_until(
            lambda: "bob" in alice.remote_participants and "alice" in bob.remote_participants,
            10,
            "alice and bob to see each other",
        )
        # The sender is who LiveKit says it is, whatever the payload claims.
        payload = json.dumps({"type": "chat_message", "senderId": "mallory", "message": "hi"})
        await alice.local_participant.publish_data(payload, reliable=True, topic="hostdesk")
        await bob.local_participant.publish_data(
            b"to alice only", reliable=True, topic="direct", destination_identities=["alice"]
        )
        await _wait_until(lambda: received["bob"] and received["alice"], 10, "both data packets")

    to_bob, to_alice = received["bob"][0], received["alice"][0]
    assert to_bob.participant is not None and to_bob.participant.identity == "alice"
    assert to_bob.topic == "hostdesk"
    assert to_bob.kind == rtc.DataPacketKind.KIND_RELIABLE
    assert json.loads(to_bob.data)["senderId"] == "mallory"  # payload untouched, not trusted
    assert to_alice.participant is not None and to_alice.participant.identity == "bob"
    assert (to_alice.topic, to_alice.data) == ("direct", b"to alice only")


async def test_sdk_after_server_crash_and_graceful_restart(
    livekit_server: LocalLiveKitServer,
) -> None:
    """What the host app must handle: a crash is resumed by the SDK by itself; a graceful
    restart (SIGTERM) tells clients SERVER_SHUTDOWN and they stay disconnected."""
    creds = livekit_server.credentials
    room_name = _room_name("crash")
    room = rtc.Room()
    events: list[str] = []
    disconnect_reasons: list[int] = []
    room.on("reconnecting", lambda: events.append("reconnecting"))
    room.on("reconnected", lambda: events.append("reconnected"))
    room.on("disconnected", disconnect_reasons.append)

    async with _connected(creds, "survivor", room_name, room), _server_back_up(livekit_server):
        await livekit_server.kill()
        await _wait_until(lambda: "reconnecting" in events, 10, "the SDK to notice the crash")
        await livekit_server.start()
        await _wait_until(lambda: "reconnected" in events, 20, "the SDK to reconnect")
        assert room.connection_state == rtc.ConnectionState.CONN_CONNECTED
        async with api.LiveKitAPI(creds.http_url, creds.api_key, creds.api_secret) as lkapi:
            rooms = await lkapi.room.list_rooms(api.ListRoomsRequest())
        assert room_name in [r.name for r in rooms.rooms]  # re-created by the rejoin

        await livekit_server.restart()
        await _wait_until(lambda: disconnect_reasons, 10, "the SDK to see the shutdown")
        assert disconnect_reasons == [rtc.DisconnectReason.SERVER_SHUTDOWN]
        assert room.connection_state == rtc.ConnectionState.CONN_DISCONNECTED


async def test_restart_forgets_rooms_and_serves_the_same_url(
    livekit_server: LocalLiveKitServer,
) -> None:
    creds = livekit_server.credentials
    room_name = _room_name("restart")
    async with api.LiveKitAPI(creds.http_url, creds.api_key, creds.api_secret) as lkapi:
        await lkapi.room.create_room(api.CreateRoomRequest(name=room_name, empty_timeout=300))
        rooms = await lkapi.room.list_rooms(api.ListRoomsRequest())
        assert room_name in [r.name for r in rooms.rooms]

        await livekit_server.restart()

        assert livekit_server.credentials == creds  # same URL and keys
        async with aiohttp.ClientSession() as http, http.get(creds.http_url + "/") as resp:
            assert resp.status == 200
        rooms = await lkapi.room.list_rooms(api.ListRoomsRequest())
        assert list(rooms.rooms) == []

    # And clients can join again on the same URL with tokens signed by the same key.
    async with _connected(creds, "after-restart", _room_name("restart")) as room:
        assert room.connection_state == rtc.ConnectionState.CONN_CONNECTED
