"""Joining a LiveKit room in a way that may be given up on.

`rtc.Room.connect` (livekit 1.2) must not be cancelled. Once the FFI has the request it finishes
the join on its own, then waits for the "ready for room events" request that `connect` sends as
its very last step. A `connect` cancelled before that step (a timeout, the host pressing Cancel,
the window closing while going live) never sends it, so after 15 s the FFI reports a panic, and
the SDK answers every panic by sending SIGTERM to its own process (livekit/python-sdks#784).
HostDesk would quit 15 s after the Cancel, and until then the abandoned join would sit in the
room as a second copy of the host.

So a join given up on is not cancelled: it is left to end by itself in the background, and the
room it made is left at once after. `join` raises as a cancelled or timed-out wait would;
`settle` waits for the joins given up on (shutdown, tests).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

from livekit import rtc

log = logging.getLogger("hostdesk.livekit")

#: Joins given up on that have not ended yet (kept here so that they are not garbage-collected).
_abandoned: set[asyncio.Task[None]] = set()


async def join(
    room: rtc.Room,
    url: str,
    token: str,
    timeout: float,
    options: rtc.RoomOptions | None = None,
) -> None:
    """`room.connect(url, token)` within `timeout` seconds (TimeoutError after that).

    Cancelling the caller, or the timeout, gives the join up without cancelling it: the room is
    left as soon as the join ends, and the process is not taken down by the FFI 15 s later.
    """
    attempt = asyncio.ensure_future(room.connect(url, token, options or rtc.RoomOptions()))
    try:
        await asyncio.wait_for(asyncio.shield(attempt), timeout)
    except BaseException:
        _give_up(room, attempt)
        raise


def _give_up(room: rtc.Room, attempt: asyncio.Future[None]) -> None:
    leaving = asyncio.ensure_future(_leave_once_joined(room, attempt))
    _abandoned.add(leaving)
    leaving.add_done_callback(_abandoned.discard)


async def _leave_once_joined(room: rtc.Room, attempt: asyncio.Future[None]) -> None:
    try:
        await attempt
    except BaseException:  # the join failed (or its loop is closing): nothing to leave
        return
    log.info("leaving a room whose join was given up on")
    with contextlib.suppress(Exception):
        await room.disconnect()


def pending() -> int:
    """How many joins given up on have not ended yet."""
    return len(_abandoned)


async def settle(timeout: float) -> bool:
    """Waits up to `timeout` seconds for every join given up on to end and leave its room;
    True when none is left."""
    if _abandoned:
        await asyncio.wait(set(_abandoned), timeout=timeout)
    return not _abandoned
