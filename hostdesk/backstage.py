"""The backstage's use cases (`hostdesk.show.backstage` holds its rules): the host sends a viewer
backstage, where they meet the host in a second LiveKit room the audience cannot reach, then
takes them live through the service's one promotion path, or sends them back.

The service owns one `Backstage` (`ShowService.backstage`); the API and the window call it.
Whether a viewer is backstage is the server-written attribute `backstage` in the show's room, so
LiveKit stays the source of truth and no client can put itself there.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

from hostdesk.show import stage
from hostdesk.show.backstage import (
    backstage_attributes,
    backstage_room,
    check_can_send,
    check_is_backstage,
    check_token_holder,
    is_backstage,
)
from hostdesk.show.errors import NotFound
from hostdesk.show.gateways import RoomGateway, TokenMinter
from hostdesk.show.participants import Participant, find, hand_down_attributes
from hostdesk.show.roles import Role

if TYPE_CHECKING:
    from hostdesk.stage_service import StageChange

log = logging.getLogger("hostdesk.service")

Participants = Callable[[str], Awaitable[list[Participant]]]
ActingHost = Callable[[str, list[Participant], str], bool]
Promote = Callable[[str, str, str], Awaitable["StageChange"]]


@dataclasses.dataclass(frozen=True)
class BackstageToken:
    token: str
    ws_url: str
    room: str
    identity: str


class Backstage:
    """`participants(room)`: the service's look-up of a room (with its 404s); `lock(room)`: the
    room's lock; `acting_host`: whether an identity acts as the room's host; `promote`: the
    service's one promotion path (stage size, racing rules, the stage clock)."""

    def __init__(
        self,
        rooms: RoomGateway,
        tokens: TokenMinter,
        lock: Callable[[str], asyncio.Lock],
        participants: Participants,
        acting_host: ActingHost,
        promote: Promote,
    ) -> None:
        self.rooms = rooms
        self.tokens = tokens
        self._lock = lock
        self._participants = participants
        self._acting_host = acting_host
        self._promote = promote

    async def send(self, room: str, viewer_identity: str, host_identity: str) -> Participant:
        """The host sends a viewer backstage: their page may then ask for a backstage token.
        Their raised hand is answered (lowered with its question, in the same update), so the
        queue does not list someone already backstage and Send back does not bring it back."""
        async with self._lock(room):  # not between a promotion's check and its change
            participants = await self._participants(room)
            viewer = check_can_send(
                participants,
                viewer_identity,
                self._acting_host(room, participants, host_identity),
                stage.ONLY_HOST_PROMOTES,
            )
            sent = {**backstage_attributes(True), **hand_down_attributes()}
            await self.rooms.update_participant(room, viewer.identity, attributes=sent)
        log.info("%s sent backstage in %s", viewer.identity, room)
        return viewer

    async def token(self, room: str, identity: str, display_name: str = "") -> BackstageToken:
        """A token for the backstage room (camera, microphone, subscribe, data), only for a
        participant the host sent there (403 for anyone else)."""
        try:
            present: Participant | None = await self.rooms.get_participant(room, identity)
        except NotFound:
            present = None
        holder = check_token_holder(present)
        name = display_name or holder.display_name
        backstage = backstage_room(room)
        token = self.tokens.mint(backstage, identity, name, Role.GUEST)
        return BackstageToken(token, self.tokens.ws_url, backstage, identity)

    def host_token(self, room: str, host_identity: str, name: str) -> BackstageToken:
        """The host's token for the backstage room (room admin; publishes the talkback)."""
        backstage = backstage_room(room)
        token = self.tokens.mint(backstage, host_identity, name, Role.HOST)
        return BackstageToken(token, self.tokens.ws_url, backstage, host_identity)

    async def take_live(self, room: str, guest_identity: str, host_identity: str) -> StageChange:
        """Puts a backstage viewer on stage through the one promotion path, then clears the
        attribute and takes them out of the backstage room."""
        participants = await self._participants(room)
        check_is_backstage(
            participants,
            guest_identity,
            self._acting_host(room, participants, host_identity),
            stage.ONLY_HOST_PROMOTES,
        )
        change = await self._promote(room, guest_identity, host_identity)
        await self._leave(room, guest_identity)
        return dataclasses.replace(change, message=f"{guest_identity} has been taken live")

    async def send_back(self, room: str, identity: str, host_identity: str) -> Participant:
        """The host sends a backstage viewer back to the audience (400 when not backstage)."""
        async with self._lock(room):
            participants = await self._participants(room)
            viewer = check_is_backstage(
                participants,
                identity,
                self._acting_host(room, participants, host_identity),
                stage.ONLY_HOST_DEMOTES,
            )
            await self._leave(room, viewer.identity)
        return viewer

    async def sends_back(self, room: str, identity: str, host_identity: str) -> Participant | None:
        """Demote and remove-guest act on a backstage viewer too: sends them back and returns
        them; None (nothing done) for anyone else, whom the stage's own rules answer."""
        async with self._lock(room):
            participants = await self._participants(room)
            found = find(participants, identity)
            if found is None or not is_backstage(found):
                return None
            if not self._acting_host(room, participants, host_identity):
                return None
            await self._leave(room, found.identity)
        return found

    async def remove(self, room: str, identity: str) -> None:
        """Disconnects them from the backstage room, if they are there."""
        try:
            await self.rooms.remove_participant(backstage_room(room), identity)
        except NotFound:
            pass  # not (or no longer) connected backstage

    async def _leave(self, room: str, identity: str) -> None:
        """Clears the attribute (in the show's room) and removes them from the backstage."""
        try:
            await self.rooms.update_participant(
                room, identity, attributes=backstage_attributes(False)
            )
        except NotFound:
            pass  # gone from the show's room: nothing to clear
        await self.remove(room, identity)
        log.info("%s left the backstage of %s", identity, room)

    async def end(self, room: str) -> None:
        """The show ends: its backstage room goes with it."""
        try:
            await self.rooms.delete_room(backstage_room(room))
        except NotFound:
            pass  # nobody was ever backstage
