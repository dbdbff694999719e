"""The host stops someone's screen share (guests and the host may publish one: the roles'
publish sources in `hostdesk.show.roles`)."""

from __future__ import annotations

import logging

from hostdesk.show.errors import NotFound
from hostdesk.show.gateways import RoomGateway

log = logging.getLogger("hostdesk.service")

NO_SHARE = "No screen share to stop"


async def stop_share(rooms: RoomGateway, room: str, identity: str) -> None:
    """Mutes the participant's screen share (its picture and its sound) through the room
    service: their client is told and stops sending, every subscriber sees it muted. 404 when
    they share nothing (or are not in the room)."""
    if not await rooms.stop_screen_share(room, identity):
        raise NotFound(NO_SHARE)
    log.info("stopped the screen share of %s in %s", identity, room)
