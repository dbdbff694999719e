"""A join given up on (the host's Cancel while going live, a timeout) against a real livekit-server.

livekit 1.2's FFI finishes a join whose `connect` was cancelled, waits 15 s for the request
`connect` would have sent last, then reports a panic, and the SDK sends SIGTERM to its own
process: HostDesk would quit 15 s after the host pressed Cancel. These tests give joins up the
ways HostDesk does, wait past those 15 s with SIGTERM caught, and check that nothing came and
that the room holds no leftover copy of the participant.
"""

from __future__ import annotations

import asyncio
import time
import uuid

import pytest
from livekit import rtc

from hostdesk.devserver import LiveKitCredentials, LocalLiveKitServer
from hostdesk.livekit import joining
from hostdesk.livekit.rooms import LiveKitRooms
from hostdesk.livekit.session import HostSession
from hostdesk.show.connection import ConnectionState
from hostdesk.show.mirror import ShowMirror
from tests.support.livekit_fixtures import join_token, sigterms

pytestmark = pytest.mark.integration

__all__ = ["sigterms"]

#: livekit-ffi's ROOM_EVENT_READY_TIMEOUT, and a margin for the panic to reach Python.
FFI_READY_TIMEOUT = 15.0
MARGIN = 3.0


async def _identities(creds: LiveKitCredentials, room: str) -> set[str]:
    rooms = LiveKitRooms(creds.url, creds.api_key, creds.api_secret)
    try:
        return {p.identity for p in await rooms.list_participants(room)}
    finally:
        await rooms.aclose()


#: A join given up on is left as soon as it ends: well before the FFI would close it (15 s).
LEAVES_WITHIN = 6.0


async def _gone(creds: LiveKitCredentials, room: str, identities: set[str], since: float) -> None:
    await asyncio.sleep(max(0.0, since + LEAVES_WITHIN - time.monotonic()))
    left = await _identities(creds, room) & identities
    assert not left, f"{sorted(left)} still in the room {LEAVES_WITHIN:g} s after giving up"


async def test_a_join_cancelled_or_timed_out_neither_kills_the_process_nor_stays_in_the_room(
    livekit_server: LocalLiveKitServer, sigterms: list[float]
) -> None:
    creds = livekit_server.credentials
    room_name = f"given-up-{uuid.uuid4().hex[:8]}"
    cancelled, timed_out = rtc.Room(), rtc.Room()

    # The way the host's Cancel reaches it: the task awaiting the join is cancelled once the
    # request is with the FFI (connect sends it before its first await).
    joining_task = asyncio.ensure_future(
        joining.join(cancelled, creds.url, join_token(creds, "cancelled", room_name), 10)
    )
    await asyncio.sleep(0)
    joining_task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await joining_task
    # The way a slow server reaches it: the timeout runs out before the join ends.
    with pytest.raises(TimeoutError):
        await joining.join(timed_out, creds.url, join_token(creds, "timed-out", room_name), 0.001)
    given_up_at = time.monotonic()

    assert await joining.settle(LEAVES_WITHIN), "a join given up on never ended"
    await _gone(creds, room_name, {"cancelled", "timed-out"}, given_up_at)
    assert not cancelled.isconnected() and not timed_out.isconnected()

    await asyncio.sleep(max(0.0, given_up_at + FFI_READY_TIMEOUT + MARGIN - time.monotonic()))
    assert sigterms == [], "the LiveKit SDK sent SIGTERM: the app would have quit"


async def test_closing_the_host_session_while_it_joins_leaves_no_host_behind(
    livekit_server: LocalLiveKitServer, sigterms: list[float]
) -> None:
    """HostSession.connect, cancelled as going live is (HostDesk's Cancel, the window closing)."""
    creds = livekit_server.credentials
    room_name = f"cancel-go-live-{uuid.uuid4().hex[:8]}"
    session = HostSession(ShowMirror())
    token = join_token(creds, "host", room_name)
    going_live = asyncio.ensure_future(session.connect(creds.url, token))
    await asyncio.sleep(0)
    going_live.cancel()
    with pytest.raises(asyncio.CancelledError):
        await going_live
    given_up_at = time.monotonic()
    await session.close()
    assert session.state is ConnectionState.OFFLINE

    assert await joining.settle(LEAVES_WITHIN), "the join given up on never ended"
    await _gone(creds, room_name, {"host"}, given_up_at)
    await asyncio.sleep(max(0.0, given_up_at + FFI_READY_TIMEOUT + MARGIN - time.monotonic()))
    assert sigterms == [], "the LiveKit SDK sent SIGTERM: the app would have quit"
