"""LiveKit's signalling relayed through HostDesk's origin (hostdesk/api/relay.py), on a real
livekit-server: what a viewer's client does through it, and what it never does."""

from __future__ import annotations

import asyncio

import aiohttp
from livekit import rtc

from hostdesk.devserver import LocalLiveKitServer
from tests.support.api_fixtures import RunningApi, StartApi, new_room
from tests.support.bots import Bot


def _relay_url(api: RunningApi) -> str:
    return "ws://" + api.url.removeprefix("http://")


def _open_pairs(api: RunningApi) -> int:
    return api.backend.relay.open_pairs


def _connected(bot: Bot) -> bool:
    return bool(bot.room.connection_state == rtc.ConnectionState.CONN_CONNECTED)


async def _bot_through_relay(api: RunningApi, room: str, name: str) -> Bot:
    joined = await api.join(room, name)
    bot = Bot(joined["identity"], joined["token"], _relay_url(api))
    api.bots.append(bot)
    return await bot.connect()


async def test_a_participant_joins_and_exchanges_data_through_the_relay(api: RunningApi) -> None:
    room = new_room()
    ada = await _bot_through_relay(api, room, "Ada")
    bo = await _bot_through_relay(api, room, "Bo")
    await ada.wait_for(lambda: ada.remote(bo.identity) is not None)
    assert _open_pairs(api) == 2
    await bo.send({"type": "chat_message", "message": "hello", "senderId": bo.identity})
    message = await ada.wait_message("chat_message")
    assert message["message"] == "hello"


async def test_only_livekits_signalling_paths_are_relayed(api: RunningApi) -> None:
    for path in ("/rtc/other", "/rtc/v1/other", "/rtc//evil.example/rtc", "/rtc/v1/v1"):
        reply = await api.request("GET", path)
        assert reply.status == 404 and reply.body == {"error": "Not found"}, (path, reply.body)
    # the validate probe answers as LiveKit does (no token: 401 from LiveKit itself)
    reply = await api.request("GET", "/rtc/validate")
    assert reply.status == 401


async def test_a_viewer_dropping_mid_handshake_leaves_the_relay_serving(api: RunningApi) -> None:
    room = new_room()
    joined = await api.join(room, "Ghost")
    host, port = api.url.removeprefix("http://").split(":")
    for _ in range(5):
        reader, writer = await asyncio.open_connection(host, int(port))
        writer.write(
            f"GET /rtc?access_token={joined['token']} HTTP/1.1\r\nHost: {host}:{port}\r\n"
            "Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\n"
            "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n".encode()
        )
        await writer.drain()
        writer.close()  # gone before the relay has reached LiveKit
        await writer.wait_closed()
    ada = await _bot_through_relay(api, room, "Ada")
    assert _connected(ada)
    # Ada's pair is the one left: the dropped handshakes' pairs, if any was made, are gone.
    await ada.wait_for(lambda: _open_pairs(api) == 1, 5)


async def test_after_a_livekit_restart_a_client_connects_through_the_relay_again(
    start_api: StartApi, livekit_server: LocalLiveKitServer
) -> None:
    api = await start_api()
    room = new_room()
    ada = await _bot_through_relay(api, room, "Ada")
    await livekit_server.restart()
    await ada.wait_for(lambda: _open_pairs(api) == 0 or not _connected(ada), 15)
    bo = await _bot_through_relay(api, room, "Bo")
    assert _connected(bo)
    assert _open_pairs(api) >= 1


async def test_more_than_a_hundred_viewers_signal_through_the_relay_at_once(
    api: RunningApi,
) -> None:
    """Each relayed viewer keeps an upstream websocket for as long as they watch: the 101st
    must get in like the first (aiohttp's default connection pool is 100)."""
    room = new_room()
    viewers = 120
    tokens = [(await api.join(room, f"Viewer {i}"))["token"] for i in range(viewers)]
    sockets = []
    # The viewers' side must not be capped either: each viewer is another browser.
    viewers_side = aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0))
    try:
        async with asyncio.timeout(60):
            for token in tokens:
                url = f"{_relay_url(api)}/rtc?access_token={token}"
                sockets.append(await viewers_side.ws_connect(url))
            for ws in sockets:  # the server's join response comes through
                first = await ws.receive()
                assert first.type is aiohttp.WSMsgType.BINARY, first
        assert _open_pairs(api) == viewers
    finally:
        for ws in sockets:
            await ws.close()
        await viewers_side.close()
