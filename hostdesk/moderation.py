"""Blocking: the use cases that keep a participant the host blocked out of the show.

The service owns one `Moderation` (`ShowService.moderation`) and asks it at every join; the API
and the window call it for blocks. A block removes the participant from LiveKit and records
them (and the browser they joined from) in the room's blocklist, which survives a restart.
LiveKit cannot revoke a token it signed, so whoever comes back with one is removed again by
`sweep_forever`, which the backend runs (with or without the window): LiveKit's room service
lists a participant as they join, while other participants (the host's window included) and
webhooks hear of the arrival only once its media connection is up, seconds later. One path for
the rule, and it holds under `hostdesk serve` too.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable

from hostdesk.show.blocks import (
    BLOCK_NOT_FOUND,
    BLOCKED_JOIN,
    HOST_NOT_BLOCKABLE,
    Block,
    Blocklist,
)
from hostdesk.show.errors import Forbidden, InvalidInput, NotFound, ShowError
from hostdesk.show.gateways import RoomGateway
from hostdesk.show.participants import Participant
from hostdesk.show.roles import Role
from hostdesk.show.validation import check_name

log = logging.getLogger("hostdesk.moderation")

#: The 404 of a room that is not there (also the service's, which takes it from here).
ROOM_NOT_FOUND = "Room not found"
#: How often the rooms with blocks are looked through for a blocked participant who came back
#: (the issue's bound is removal within 2 s of reconnecting).
SWEEP_INTERVAL_S = 0.5
#: The room the start-up check asks LiveKit about (any name: only the answer's kind matters).
ACCESS_PROBE_ROOM = "hostdesk-access-check"


class Moderation:
    def __init__(
        self, rooms: RoomGateway, blocklist: Blocklist, clock_ms: Callable[[], int]
    ) -> None:
        self.rooms = rooms
        self.blocklist = blocklist
        self._clock_ms = clock_ms

    # -- joining ------------------------------------------------------------------------------

    def check_join(self, room: str, client_id: str | None, *, refusable: bool = True) -> None:
        """Checks the `clientId` by the name rule (400) and, when the join is `refusable` (a
        viewer's: a host is not kept out of their own show), refuses a blocked browser (403)."""
        if client_id is None:
            return
        check_name("clientId", client_id)
        if refusable and self.blocklist.room(room).refuses(client_id):
            raise Forbidden(BLOCKED_JOIN)

    def joined(self, room: str, identity: str, client_id: str | None) -> None:
        """Remembers which browser `identity` came from, so blocking it blocks the browser."""
        if client_id is not None:
            self.blocklist.room(room).remember(identity, client_id)

    # -- blocks -------------------------------------------------------------------------------

    async def block(self, room: str, identity: str) -> Block:
        """Disconnects the participant and keeps them out (their browser too, when known)."""
        participant = await self._participant(room, identity)
        if participant.role is Role.HOST:
            raise InvalidInput(HOST_NOT_BLOCKABLE)
        blocks = self.blocklist.room(room)
        block = blocks.block(identity, participant.display_name, self._clock_ms())
        self.blocklist.saved(room)  # recorded first: a reconnect racing the removal is caught
        await self.rooms.remove_participant(room, identity)
        log.info("blocked %s in %s", identity, room)
        return block

    def unblock(self, room: str, identity: str) -> None:
        if not self.blocklist.room(room).unblock(identity):
            raise NotFound(BLOCK_NOT_FOUND)
        self.blocklist.saved(room)
        log.info("unblocked %s in %s", identity, room)

    def blocks(self, room: str) -> list[Block]:
        return self.blocklist.room(room).all()

    def is_blocked(self, room: str, identity: str) -> bool:
        return self.blocklist.room(room).is_blocked(identity)

    async def remove_if_blocked(self, room: str, identity: str) -> bool:
        """Removes a blocked participant who came back (with a token they still held)."""
        if not self.is_blocked(room, identity):
            return False
        try:
            await self.rooms.remove_participant(room, identity)
        except NotFound:
            return False  # gone already
        log.info("removed %s again from %s: blocked", identity, room)
        return True

    async def access_problem(self) -> str | None:
        """Why blocks cannot be kept, as a sentence for the host, or None: LiveKit refuses
        HostDesk's key (keeping someone out needs its room service). Asked once at start, so
        the host reads it before a troll finds out; a LiveKit that is not up yet is not a
        problem of configuration (every call says so when it matters)."""
        try:
            await self.rooms.list_rooms([ACCESS_PROBE_ROOM])
        except ShowError:
            return None
        except Exception as exc:
            status = getattr(exc, "status", None)
            answer = f"HTTP {status}" if isinstance(status, int) else type(exc).__name__
            return (
                f"LiveKit refused HostDesk's API key ({answer}): HostDesk cannot run the show, "
                "remove anyone or keep blocked viewers out. Give it a key and secret from "
                "livekit-server's `keys` (LIVEKIT_API_KEY, LIVEKIT_API_SECRET)."
            )
        return None

    async def sweep(self) -> int:
        """Removes every blocked participant found in a room that has blocks; returns how
        many. No blocks, no call to LiveKit at all."""
        removed = 0
        for room in sorted(self.blocklist.blocked_rooms()):
            blocks = self.blocklist.room(room)
            try:
                present = await self.rooms.list_participants(room)
            except NotFound:
                continue  # the show is not on now
            for participant in present:
                if blocks.is_blocked(participant.identity):
                    removed += await self.remove_if_blocked(room, participant.identity)
        return removed

    async def sweep_forever(self, interval_s: float = SWEEP_INTERVAL_S) -> None:
        """`sweep`, every `interval_s`, until cancelled. A failed round is not fatal: LiveKit
        being down is said once (until it answers again), anything else is logged in full."""
        unreachable = False
        while True:
            await asyncio.sleep(interval_s)
            try:
                await self.sweep()
            except ShowError as exc:
                if not unreachable:
                    log.warning("cannot look for blocked participants: %s", exc)
                unreachable = True
            except Exception:
                log.exception("could not look through the rooms for blocked participants")
            else:
                unreachable = False

    async def _participant(self, room: str, identity: str) -> Participant:
        try:
            return await self.rooms.get_participant(room, identity)
        except NotFound:
            if not await self.rooms.list_rooms([room]):
                raise NotFound(ROOM_NOT_FOUND) from None
            raise
