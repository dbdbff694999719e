"""A blocked participant coming back with a token they still hold, watched from outside.

LiveKit cannot revoke a token, so HostDesk removes a blocked identity as it arrives. What a
host cares about is how long the troll is in the room: `come_back` connects the bot and asks
LiveKit's room service (through HostDesk's API, with the API key) every 50 ms whether the
identity is listed, from the connect on. The removal can land while the troll's client is still
connecting; the Python SDK's `connect` then never returns (its leave is dropped with the
half-made transport), so the connect is watched, not awaited.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from dataclasses import dataclass

from tests.support.api_fixtures import RunningApi
from tests.support.bots import Bot

POLL_S = 0.05
#: The issue's bound: a blocked participant back in the room is out again within this.
REMOVED_WITHIN_S = 2.0


@dataclass(frozen=True)
class Comeback:
    #: when LiveKit first and last listed the identity (s after the connect began), or None
    first_seen: float | None
    last_seen: float | None
    #: the identity is listed at the end of the watch
    listed_at_end: bool
    #: the bot's client still thinks it is in the room at the end
    connected_at_end: bool

    @property
    def time_in_room_s(self) -> float:
        """How long LiveKit listed the identity (0 when it was out before the first look)."""
        if self.first_seen is None or self.last_seen is None:
            return 0.0
        return self.last_seen - self.first_seen + POLL_S

    def describe(self) -> str:
        return (
            f"first listed at {self.first_seen}, last at {self.last_seen} s; listed at the end: "
            f"{self.listed_at_end}; client connected at the end: {self.connected_at_end}"
        )


async def _listed(api: RunningApi, room: str, identity: str) -> bool:
    reply = await api.request("GET", f"/api/rooms/{room}/participants", key=True)
    if reply.status == 404:
        return False
    assert reply.status == 200, reply.body
    return any(p["identity"] == identity for p in reply.body["participants"])


async def come_back(api: RunningApi, room: str, bot: Bot, watch_s: float = 6.0) -> Comeback:
    """Connects `bot` (a new Bot with an old token) and watches the room for `watch_s`."""
    api.bots.append(bot)
    started = time.monotonic()
    connecting = asyncio.ensure_future(bot.connect())
    first = last = None
    try:
        while (now := time.monotonic() - started) < watch_s:
            if await _listed(api, room, bot.identity):
                first = now if first is None else first
                last = now
            await asyncio.sleep(POLL_S)
        listed = await _listed(api, room, bot.identity)
        connected = (
            connecting.done() and connecting.exception() is None and not bot.disconnected.is_set()
        )
    finally:
        if not connecting.done():
            connecting.cancel()
        with contextlib.suppress(BaseException):
            await connecting
    return Comeback(first, last, listed, connected)
