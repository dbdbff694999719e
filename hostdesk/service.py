"""The show's use cases: the one place the show's rules are applied.

Both the HTTP API and the host's window call this service; neither talks to LiveKit's room
service directly. LiveKit holds the show's state (roles in metadata, hands in attributes); the
service keeps only short reservations and per-room locks (`show_rooms`, `hostdesk.show_rooms`)
so racing requests stay consistent. Joining, the rooms and ending the show are here; the rest
hangs off the service, each in a module of its own: `stage` (`hostdesk.stage_service`: promote,
demote, remove the guest, the stage's limit), `hands` (`hostdesk.hand_service`), `restorer`
(`hostdesk.restore_service`: what a restarted LiveKit forgot), `backstage`
(`hostdesk.backstage`), `moderation` (`hostdesk.moderation`, the host's blocks), `chat`
(`hostdesk.chat_moderation`) and `room_settings` (`hostdesk.room_settings`, the room's metadata:
the chat's settings, the stage's limit). The service's methods of the same names call them.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass

from hostdesk.backstage import Backstage
from hostdesk.chat_moderation import ChatModeration
from hostdesk.hand_service import HandService
from hostdesk.moderation import Moderation
from hostdesk.restore_service import RestoreService
from hostdesk.room_settings import RoomSettings
from hostdesk.show import rules, stage
from hostdesk.show.backstage import check_room_name
from hostdesk.show.blocks import BLOCKED_JOIN, Blocklist, BlockRecords
from hostdesk.show.errors import Forbidden, InvalidInput, NotFound, ShowError
from hostdesk.show.gateways import RoomGateway, TokenMinter
from hostdesk.show.participants import Participant, RoomSummary, find
from hostdesk.show.reservations import Reservations
from hostdesk.show.roles import JOINABLE_ROLES, Role
from hostdesk.show.validation import check_name, new_identity
from hostdesk.show_rooms import RoomState, ShowRooms
from hostdesk.stage_service import StageChange, StageService

log = logging.getLogger("hostdesk.service")


@dataclass(frozen=True)
class Joined:
    token: str
    ws_url: str
    room: str
    role: Role
    identity: str


def now_ms() -> int:
    return int(time.time() * 1000)


#: The roles a join may ask for, by name (a dict look-up, not an Enum call per join).
_JOINABLE = {role.value: role for role in JOINABLE_ROLES}


class ShowService:
    def __init__(
        self,
        rooms: RoomGateway,
        tokens: TokenMinter,
        *,
        stage_size: int = rules.DEFAULT_STAGE_SIZE,
        clock_ms: Callable[[], int] = now_ms,
        reservations: Reservations | None = None,
        block_records: BlockRecords | None = None,
    ) -> None:
        if problem := rules.stage_size_problem("stage_size", stage_size):
            raise ValueError(problem)
        self.rooms = rooms
        self.tokens = tokens
        self.stage_size = stage_size
        self._reservations = reservations or Reservations()
        self.show_rooms = ShowRooms(rooms, self._reservations)
        lock = self.show_rooms.lock
        self.moderation = Moderation(rooms, Blocklist(block_records), clock_ms)
        self.room_settings = RoomSettings(rooms, lock)
        self.chat = ChatModeration(rooms, self.room_settings, self.show_rooms.require_participant)
        self.backstage = Backstage(
            rooms,
            tokens,
            lock,
            self.show_rooms.participants,
            self.show_rooms.acting_host,
            self.promote,
        )
        self.stage = StageService(
            self.show_rooms,
            tokens,
            self.room_settings,
            stage_size=lambda: self.stage_size,
            clock_ms=clock_ms,
            sends_back=self.backstage.sends_back,
        )
        self.hands = HandService(self.show_rooms, clock_ms)
        self.restorer = RestoreService(
            self.show_rooms, stage_size=lambda: self.stage_size, clock_ms=clock_ms
        )

    # -- joining ------------------------------------------------------------------------------

    async def join(
        self,
        room: str,
        display_name: str,
        role: str,
        *,
        identity: str | None = None,
        client_id: str | None = None,
    ) -> Joined:
        """A token to join `room`. `identity` is for the host's own window only (never from a
        request): the same identity for the same show on the same computer, so that a
        restarted window takes its dead session's place (a host of that identity already in
        the room is its own ghost, not a second host). `client_id` is the viewer's browser:
        a blocked one is refused, any other remembered with the identity it gets."""
        check_name("roomName", room)
        check_room_name(room)
        check_name("participantName", display_name)
        wanted = _JOINABLE.get(role)
        if wanted is None:
            raise InvalidInput(stage.ROLE_NOT_JOINABLE)
        self.moderation.check_join(room, client_id, refusable=wanted is not Role.HOST)
        if identity is None or wanted is not Role.HOST:
            identity = new_identity(wanted.value, display_name)
        if wanted is Role.HOST:
            await self._claim_host(room, identity)
            await self._restore_settings(room)
        token = self.tokens.mint(room, identity, display_name, wanted)
        self.moderation.joined(room, identity, client_id)
        return Joined(token, self.tokens.ws_url, room, wanted, identity)

    async def _claim_host(self, room: str, identity: str) -> None:
        async with self.show_rooms.lock(room):
            participants = await self.show_rooms.participants_or_none(room)
            reserved = self._reservations.host(room)
            if reserved and find(participants, reserved):
                self._reservations.release_host(room)  # connected: LiveKit shows it now
                reserved = None
            if reserved == identity:
                reserved = None  # the same window asking again
            ghost = find(participants, identity)
            if ghost is not None and ghost.role is Role.HOST:
                participants = [p for p in participants if p.identity != identity]
            stage.check_no_host(participants, reserved=reserved is not None)
            await self.rooms.create_room(room)
            self._reservations.reserve_host(room, identity)

    async def _restore_settings(self, room: str) -> None:
        """The room the host joins may be one a restarted LiveKit made anew: its settings (the
        chat's, the stage's limit) come back (a failure is not the host's: they go live, and
        the window may try again)."""
        try:
            await self.room_settings.restore(room)
        except ShowError as exc:
            log.warning("could not restore the settings of %s: %s", room, exc)

    async def renew(
        self, room: str, identity: str, display_name: str, *, host_token: bool
    ) -> Joined:
        """A fresh token for a participant whose own token (of this room, still valid) asks:
        the same identity and name, with the role LiveKit gives them now (a viewer when they
        are not in the room; a host only when the asking token is a host token). A blocked
        identity gets none."""
        if self.moderation.is_blocked(room, identity):
            raise Forbidden(BLOCKED_JOIN)
        try:
            present: Participant | None = await self.rooms.get_participant(room, identity)
        except NotFound:
            present = None
        role = present.role if present is not None else None
        if role is None or (role is Role.HOST and not host_token):
            role = Role.VIEWER
        name = display_name or (present.display_name if present is not None else identity)
        token = self.tokens.mint(room, identity, name, role)
        return Joined(token, self.tokens.ws_url, room, role, identity)

    def give_up_host(self, room: str, identity: str) -> None:
        """The host whose token this was will not connect (its connection failed): the room
        is free again at once rather than after the reservation's time."""
        if self._reservations.host(room) == identity:
            self._reservations.release_host(room)

    # -- rooms --------------------------------------------------------------------------------

    async def list_rooms(self) -> list[RoomSummary]:
        return await self.rooms.list_rooms()

    async def room(self, room: str) -> RoomState:
        return await self.show_rooms.state(room)

    async def participants(self, room: str) -> list[Participant]:
        return (await self.room(room)).participants

    async def end_show(self, room: str) -> None:
        await self.show_rooms.require_room(room)
        await self.rooms.delete_room(room)
        await self.backstage.end(room)
        self._reservations.release_host(room)
        self.room_settings.forget(room)

    async def remove_participant(self, room: str, identity: str) -> None:
        await self.show_rooms.require_participant(room, identity)
        await self.rooms.remove_participant(room, identity)
        await self.backstage.remove(room, identity)  # out of the show is out of its backstage

    # -- the stage, the hands, restoring (each in a module of its own) ---------------------------

    async def promote(self, room: str, viewer_identity: str, host_identity: str) -> StageChange:
        return await self.stage.promote(room, viewer_identity, host_identity)

    async def demote(self, room: str, guest_identity: str, host_identity: str) -> StageChange:
        return await self.stage.demote(room, guest_identity, host_identity)

    async def remove_guest(self, room: str, guest_identity: str, host_identity: str) -> str:
        return await self.stage.remove_guest(room, guest_identity, host_identity)

    async def stage_limit(self, room: str, seconds: int) -> int:
        return await self.stage.stage_limit(room, seconds)

    async def mute_guest_microphone(
        self, room: str, guest_identity: str, host_identity: str
    ) -> None:
        await self.stage.mute_guest_microphone(room, guest_identity, host_identity)

    async def set_hand(
        self, room: str, identity: str, raised: bool, question: str | None = None
    ) -> bool:
        return await self.hands.set_hand(room, identity, raised, question)

    async def clear_question(self, room: str, identity: str) -> None:
        await self.hands.clear_question(room, identity)

    async def restore(
        self,
        room: str,
        identity: str,
        role: Role | None,
        hand_raised_at: int | None,
        question: str = "",
        on_stage_since: int | None = None,
    ) -> bool:
        return await self.restorer.restore(
            room, identity, role, hand_raised_at, question, on_stage_since
        )

    async def livekit_reachable(self) -> bool:
        return await self.rooms.reachable()
