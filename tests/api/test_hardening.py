"""Bad input, limits and a LiveKit outage: a clear `{"error": ...}`, never a traceback or a hang."""

from __future__ import annotations

import asyncio
import socket
import time

import pytest

from hostdesk.devserver import LocalLiveKitServer
from tests.support.api_fixtures import RunningApi, StartApi, new_room
from tests.support.netns import TestNetns


@pytest.mark.parametrize(
    ("raw", "error"),
    [
        (b"{not json", "Request body must be valid JSON"),
        (b"", "Request body must be a JSON object"),
        (b"[1, 2]", "Request body must be a JSON object"),
        (b'"text"', "Request body must be a JSON object"),
        (b"\xff\xfe", "Request body must be valid JSON"),
    ],
)
async def test_malformed_bodies_get_400(open_api: RunningApi, raw: bytes, error: str) -> None:
    reply = await open_api.request(
        "POST", "/api/rooms/join", data=raw, headers={"Content-Type": "application/json"}
    )
    assert (reply.status, reply.body) == (400, {"error": error})


async def test_fields_of_the_wrong_type_or_shape_are_named(open_api: RunningApi) -> None:
    cases = [
        ({"roomName": 5, "participantName": "a", "role": "viewer"}, "roomName must be a string"),
        (
            {"roomName": "r", "participantName": ["a"], "role": "viewer"},
            "participantName must be a string",
        ),
        (
            {"roomName": "r" * 129, "participantName": "a", "role": "viewer"},
            "roomName must be at most 128 characters",
        ),
        (
            {"roomName": "r", "participantName": "a\nb", "role": "viewer"},
            "participantName must not contain control characters",
        ),
    ]
    for body, error in cases:
        reply = await open_api.request("POST", "/api/rooms/join", body)
        assert (reply.status, reply.body) == (400, {"error": error})
    accepted = await open_api.request(
        "POST",
        "/api/rooms/join",
        {"roomName": "r" * 128, "participantName": "Zoë 🎤", "role": "viewer"},
    )
    assert accepted.status == 200


async def test_bodies_over_64_kib_get_413(open_api: RunningApi) -> None:
    body = {"roomName": "r", "participantName": "x" * (65 * 1024), "role": "viewer"}
    reply = await open_api.request("POST", "/api/rooms/join", body)
    assert (reply.status, reply.body) == (413, {"error": "Request body too large"})


async def test_unknown_paths_and_wrong_methods_answer_in_json(open_api: RunningApi) -> None:
    missing = await open_api.request("GET", "/api/nothing-here")
    assert (missing.status, missing.body) == (404, {"error": "Not found"})
    wrong = await open_api.request("PUT", "/api/rooms/join", {})
    assert (wrong.status, wrong.body) == (405, {"error": "Method not allowed"})
    assert "POST" in wrong.headers["Allow"]


async def test_the_eleventh_join_in_a_minute_gets_429(start_api: StartApi) -> None:
    limited = await start_api(auth=False, rate_limits=True)
    body = {"roomName": new_room(), "participantName": "Sam", "role": "viewer"}
    statuses = [(await limited.request("POST", "/api/rooms/join", body)).status for _ in range(10)]
    assert statuses == [200] * 10
    eleventh = await limited.request("POST", "/api/rooms/join", body)
    assert (eleventh.status, eleventh.body) == (429, {"error": "Too many requests"})
    assert 1 <= int(eleventh.headers["Retry-After"]) <= 60
    other = await limited.request("GET", "/health")
    assert other.status == 200  # another endpoint group keeps its own budget


async def test_with_rate_limits_off_the_eleventh_join_succeeds(start_api: StartApi) -> None:
    unlimited = await start_api(auth=False, rate_limits=False)
    body = {"roomName": new_room(), "participantName": "Sam", "role": "viewer"}
    statuses = [
        (await unlimited.request("POST", "/api/rooms/join", body)).status for _ in range(11)
    ]
    assert statuses == [200] * 11


async def test_livekit_down_gives_503_fast_and_recovers_without_restart(
    start_api: StartApi, livekit_netns: TestNetns
) -> None:
    server = LocalLiveKitServer(ip=livekit_netns.ns_ip, netns=livekit_netns.name)
    await server.start()
    try:
        running = await start_api(auth=False, livekit=server)
        room = new_room()
        host_join = {"roomName": room, "participantName": "Jane", "role": "host"}
        await server.stop()

        started = time.monotonic()
        down = await running.request("POST", "/api/rooms/join", host_join)
        assert time.monotonic() - started < 3.0
        assert (down.status, down.body) == (503, {"error": "LiveKit server unavailable"})
        health = await running.request("GET", "/health")
        assert health.status == 200 and health.body["livekitReachable"] is False

        await server.start()
        up = await running.request("POST", "/api/rooms/join", host_join)
        assert up.status == 200, up.body
        assert (await running.request("GET", "/health")).body["livekitReachable"] is True
    finally:
        await server.stop()


async def test_livekit_that_accepts_but_never_answers_gives_503_within_3_s(
    start_api: StartApi, livekit_server: LocalLiveKitServer
) -> None:
    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen(16)
    port = silent.getsockname()[1]
    try:
        fake = _SilentLiveKit(f"ws://127.0.0.1:{port}", livekit_server)
        running = await start_api(auth=False, livekit=fake)  # type: ignore[arg-type]
        started = time.monotonic()
        reply = await running.request("GET", f"/api/rooms/{new_room()}")
        assert time.monotonic() - started < 3.0
        assert (reply.status, reply.body) == (503, {"error": "LiveKit server unavailable"})
    finally:
        silent.close()
        await asyncio.sleep(0)


class _SilentLiveKit:
    """Credentials of the real server but the URL of a port that never answers."""

    def __init__(self, url: str, real: LocalLiveKitServer) -> None:
        from hostdesk.devserver import LiveKitCredentials

        self.credentials = LiveKitCredentials(
            url=url, api_key=real.credentials.api_key, api_secret=real.credentials.api_secret
        )
