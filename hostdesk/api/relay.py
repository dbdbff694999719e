"""LiveKit's signalling, relayed through HostDesk's own origin.

A page served over https may not open a ``ws://`` websocket, and a LiveKit server on this
machine or the LAN is often plain ws on an address viewers cannot reach. So HostDesk relays
``/rtc`` (livekit-client's signalling websocket, its ``/rtc/v1`` variant and their
``validate`` probes) to the one LiveKit server it is configured with, and to nothing else:
the upstream is fixed at start, and only these paths and their query strings pass. Media does
not come through here; it flows between the viewer and LiveKit's RTC ports.

Each viewer's websocket is paired with one upstream websocket; frames are copied as they come,
either way, and a close on one side closes the other with its code. A viewer who drops in the
middle of the handshake, or a LiveKit server that restarts, ends only that pair: the page's own
reconnect comes through here again.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator

import aiohttp
from aiohttp import WSMsgType, web

from hostdesk.api.clients import CLIENTS
from hostdesk.show.errors import LIVEKIT_UNAVAILABLE, NotFound, Unavailable

log = logging.getLogger("hostdesk.api.relay")

#: livekit-client 2.x: "/rtc/v1" first, "/rtc" as the fallback, "validate" after a failure.
PATHS = frozenset({"", "v1", "validate", "v1/validate"})
#: A join response lists every participant: big in a big show, never unbounded.
MAX_MESSAGE = 16 * 1024 * 1024
_CONNECT_TIMEOUT = 10.0


def _http_base(livekit_url: str) -> str:
    for ws, http in (("wss://", "https://"), ("ws://", "http://")):
        if livekit_url.startswith(ws):
            return http + livekit_url.removeprefix(ws)
    return livekit_url


class SignallingRelay:
    """Relays ``/rtc…`` requests to one LiveKit server (``livekit_url``, as HostDesk reaches it)."""

    def __init__(self, livekit_url: str) -> None:
        self._base = _http_base(livekit_url).rstrip("/") + "/rtc"
        self._session: aiohttp.ClientSession | None = None
        self.open_pairs = 0

    async def cleanup_ctx(self, app: web.Application) -> AsyncIterator[None]:
        self._session = aiohttp.ClientSession(
            # Every relayed viewer holds one upstream connection for the whole show: aiohttp's
            # default pool of 100 would turn the 101st viewer away (503 after the timeout).
            connector=aiohttp.TCPConnector(limit=0),
            timeout=aiohttp.ClientTimeout(total=None, connect=_CONNECT_TIMEOUT),
            auto_decompress=False,
        )
        try:
            yield
        finally:
            await self._session.close()

    def _upstream(self, request: web.Request) -> str:
        tail = request.match_info.get("tail", "")
        if tail not in PATHS:
            raise NotFound("Not found")
        url = self._base + (f"/{tail}" if tail else "")
        return f"{url}?{request.query_string}" if request.query_string else url

    def _headers(self, request: web.Request) -> dict[str, str]:
        headers = {"X-Forwarded-For": request.app[CLIENTS].address(request)}
        for name in ("User-Agent", "Authorization"):
            if name in request.headers:
                headers[name] = request.headers[name]
        return headers

    async def handle(self, request: web.Request) -> web.StreamResponse:
        upstream = self._upstream(request)
        if self._session is None:
            raise Unavailable(LIVEKIT_UNAVAILABLE)
        if request.headers.get("Upgrade", "").lower() == "websocket":
            return await self._websocket(request, upstream)
        return await self._plain(request, upstream)

    async def _plain(self, request: web.Request, upstream: str) -> web.Response:
        assert self._session is not None
        try:
            async with self._session.get(upstream, headers=self._headers(request)) as answer:
                body = await answer.read()
                content_type = answer.headers.get("Content-Type", "text/plain")
                return web.Response(
                    status=answer.status, body=body, headers={"Content-Type": content_type}
                )
        except (aiohttp.ClientError, TimeoutError):
            raise Unavailable(LIVEKIT_UNAVAILABLE) from None

    async def _websocket(self, request: web.Request, upstream: str) -> web.StreamResponse:
        assert self._session is not None
        try:
            up = await self._session.ws_connect(
                upstream, headers=self._headers(request), max_msg_size=MAX_MESSAGE
            )
        except aiohttp.WSServerHandshakeError as exc:
            # LiveKit refused (bad token, unknown path): the viewer's client reads the reason
            # from the validate probe, which answers as LiveKit does.
            return web.Response(status=exc.status or 502, text=exc.message or "")
        except (aiohttp.ClientError, TimeoutError):
            raise Unavailable(LIVEKIT_UNAVAILABLE) from None
        down = web.WebSocketResponse(max_msg_size=MAX_MESSAGE)
        try:
            await down.prepare(request)
        except (ConnectionError, RuntimeError):
            await up.close()  # the viewer left during the handshake
            return down
        self.open_pairs += 1
        try:
            await _pump_both(down, up)
        finally:
            self.open_pairs -= 1
            await up.close()
            await down.close()
        return down


#: Close codes that only report what happened and may not be sent (RFC 6455, 7.4.1).
_UNSENDABLE = frozenset({1005, 1006, 1015})
_Socket = web.WebSocketResponse | aiohttp.ClientWebSocketResponse


async def _copy(source: _Socket, target: _Socket) -> None:
    """Copies frames until `source` closes; then closes `target` with its code."""
    with contextlib.suppress(ConnectionError, RuntimeError):
        async for message in source:
            if message.type is WSMsgType.BINARY:
                await target.send_bytes(message.data)
            elif message.type is WSMsgType.TEXT:
                await target.send_str(message.data)
            elif message.type is WSMsgType.ERROR:
                break
    code = source.close_code
    if code is None or code in _UNSENDABLE:
        code = aiohttp.WSCloseCode.GOING_AWAY
    with contextlib.suppress(ConnectionError, RuntimeError):
        await target.close(code=code)


async def _pump_both(down: web.WebSocketResponse, up: aiohttp.ClientWebSocketResponse) -> None:
    tasks = [asyncio.ensure_future(_copy(down, up)), asyncio.ensure_future(_copy(up, down))]
    try:
        await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError, ConnectionError, RuntimeError):
                await task
