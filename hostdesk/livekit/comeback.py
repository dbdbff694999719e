"""Coming back after LiveKit dropped a connection: the one retry loop of both of the host's
connections (the show's room, hostdesk.livekit.session, and the backstage,
hostdesk.livekit.backstage_session).

Each attempt waits a little longer than the one before (the last wait repeats), asks for a fresh
token first (tokens live minutes, and a restarted LiveKit needs a whole new join) and opens a new
room; a failed attempt is reported and retried until the connection is given up.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

log = logging.getLogger("hostdesk.livekit")

#: Waits before each attempt (seconds); the last one repeats.
RECONNECT_DELAYS = (0.5, 1.0, 2.0, 4.0, 8.0)


async def come_back(
    what: str,
    renew: Callable[[], None],
    open_room: Callable[[], Awaitable[None]],
    given_up: Callable[[], bool],
    on_retry: Callable[[str], None],
) -> bool:
    """Retries `renew` then `open_room` until one attempt succeeds (True) or `given_up()`
    (False); `on_retry(reason)` after each failed attempt."""
    attempt = 0
    while not given_up():
        await asyncio.sleep(RECONNECT_DELAYS[min(attempt, len(RECONNECT_DELAYS) - 1)])
        attempt += 1
        try:
            renew()
            await open_room()
        except Exception as exc:
            log.info("%s: reconnect attempt %d failed: %s", what, attempt, exc)
            on_retry(f"retrying ({exc})")
            continue
        return True
    return False
