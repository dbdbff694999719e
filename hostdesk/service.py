"""The show's use cases: the one place the show's rules are applied.

Both the HTTP API and the host's window call this service; neither talks to LiveKit's room
service directly. LiveKit holds the show's state (roles in metadata, hands in attributes); the
service keeps only short reservations and per-room locks so racing requests stay consistent,
and, through `moderation` (`hostdesk.moderation`), the host's blocks; `chat`
(`hostdesk.chat_moderation`) writes the host's chat moderation; `room_settings`
(`hostdesk.room_settings`) keeps the room's metadata (the chat's settings, the stage's limit).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, replace

from hostdesk.backstage import Backstage
from hostdesk.chat_moderation import ChatModeration
from hostdesk.moderation import ROOM_NOT_FOUND as ROOM_NOT_FOUND
from hostdesk.moderation import Moderation
from hostdesk.room_settings import RoomSettings
from hostdesk.show import messages, rules, stage
from hostdesk.show.backstage import check_room_name
from hostdesk.show.blocks import BLOCKED_JOIN, Blocklist, BlockRecords
from hostdesk.show.chat import ChatSettings
from hostdesk.show.errors import Forbidden, InvalidInput, NotFound, ShowError
from hostdesk.show.gateways import RoomGateway, TokenMinter
from hostdesk.show.messages import DataMessage
from hostdesk.show.participants import (
    Participant,
    RoomSummary,
    find,
    hand_attributes,
    hand_down_attributes,
    question_attributes,
    with_role,
)
from hostdesk.show.reservations import Reservations
from hostdesk.show.roles import JOINABLE_ROLES, PERMISSIONS, Metadata, Role
from hostdesk.show.stage_clock import StageSettings, on_stage_attributes
from hostdesk.show.validation import check_name, new_identity

log = logging.getLogger("hostdesk.service")


@dataclass(frozen=True)
class Joined:
    token: str
    ws_url: str
    room: str
    role: Role
    identity: str


@dataclass(frozen=True)
class RoomState:
    summary: RoomSummary
    participants: list[Participant]

    @property
    def has_host(self) -> bool:
        return bool(with_role(self.participants, Role.HOST))

    @property
    def has_guest(self) -> bool:
        return bool(with_role(self.participants, Role.GUEST))

    @property
    def guests(self) -> list[Participant]:
        """Who is on stage, longest on stage first (a guest without a clock last)."""
        on_stage = with_role(self.participants, Role.GUEST)
        return sorted(on_stage, key=lambda p: (p.on_stage_since is None, p.on_stage_since or 0))

    @property
    def chat(self) -> ChatSettings:
        return ChatSettings.from_room_metadata(self.summary.metadata)

    @property
    def stage(self) -> StageSettings:
        return StageSettings.from_room_metadata(self.summary.metadata)


@dataclass(frozen=True)
class StageChange:
    """The result of a promotion or demotion: the participant's new token and what happened."""

    identity: str
    token: str
    ws_url: str
    message: str


def now_ms() -> int:
    return int(time.time() * 1000)


def _sent_back(participant: Participant) -> str:
    return f"{participant.identity} has been sent back to the audience"


STAGE_LIMIT_PROBLEM = f"seconds must be an integer from 0 to {rules.STAGE_TIME_LIMIT_MAX_S}"

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
        self._clock_ms = clock_ms
        self._reservations = reservations or Reservations()
        self._locks: dict[str, asyncio.Lock] = {}
        self.moderation = Moderation(rooms, Blocklist(block_records), clock_ms)
        self.room_settings = RoomSettings(rooms, self._room_lock)
        self.chat = ChatModeration(rooms, self.room_settings, self._require_participant)
        self.backstage = Backstage(
            rooms, tokens, self._room_lock, self.participants, self._acting_host, self.promote
        )

    def _room_lock(self, room: str) -> asyncio.Lock:
        """Serialises the checks-then-changes of one room (a lock is a few bytes; kept)."""
        return self._locks.setdefault(room, asyncio.Lock())

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
        async with self._room_lock(room):
            participants = await self._participants_or_none(room)
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

    async def _participants_or_none(self, room: str) -> list[Participant]:
        try:
            return await self.rooms.list_participants(room)
        except NotFound:
            return []

    # -- rooms --------------------------------------------------------------------------------

    async def list_rooms(self) -> list[RoomSummary]:
        return await self.rooms.list_rooms()

    async def room(self, room: str) -> RoomState:
        found = await self.rooms.list_rooms([room])
        if not found:
            raise NotFound(ROOM_NOT_FOUND)
        participants = await self.rooms.list_participants(room)
        return RoomState(replace(found[0], num_participants=len(participants)), participants)

    async def participants(self, room: str) -> list[Participant]:
        return (await self.room(room)).participants

    async def end_show(self, room: str) -> None:
        await self._require_room(room)
        await self.rooms.delete_room(room)
        await self.backstage.end(room)
        self._reservations.release_host(room)
        self.room_settings.forget(room)

    async def remove_participant(self, room: str, identity: str) -> None:
        await self._require_participant(room, identity)
        await self.rooms.remove_participant(room, identity)
        await self.backstage.remove(room, identity)  # out of the show is out of its backstage

    async def _require_room(self, room: str) -> None:
        if not await self.rooms.list_rooms([room]):
            raise NotFound(ROOM_NOT_FOUND)

    async def _require_participant(self, room: str, identity: str) -> Participant:
        try:
            return await self.rooms.get_participant(room, identity)
        except NotFound:
            await self._require_room(room)  # say which of the two is missing
            raise

    # -- the stage ----------------------------------------------------------------------------

    def _acting_host(self, room: str, participants: list[Participant], identity: str) -> bool:
        return stage.is_host(participants, identity, self._reservations.host(room))

    def _host_name(self, participants: list[Participant], identity: str) -> str:
        host = find(participants, identity)
        return host.display_name if host else identity

    async def promote(self, room: str, viewer_identity: str, host_identity: str) -> StageChange:
        """Puts a viewer on stage: permissions change live, everyone is told."""
        return await self._change_role(room, viewer_identity, host_identity, Role.GUEST)

    async def demote(self, room: str, guest_identity: str, host_identity: str) -> StageChange:
        """Sends the guest back to the audience: LiveKit unpublishes their tracks. A backstage
        viewer is sent back from the backstage."""
        if back := await self.backstage.sends_back(room, guest_identity, host_identity):
            token = self.tokens.mint(room, back.identity, back.display_name, Role.VIEWER)
            return StageChange(back.identity, token, self.tokens.ws_url, _sent_back(back))
        return await self._change_role(room, guest_identity, host_identity, Role.VIEWER)

    async def _change_role(
        self, room: str, identity: str, host_identity: str, to: Role
    ) -> StageChange:
        promoting = to is Role.GUEST
        async with self._room_lock(room):
            participants = await self.participants(room)
            acting = self._acting_host(room, participants, host_identity)
            if promoting:
                target = stage.check_can_promote(
                    participants, identity, acting_host=acting, stage_size=self.stage_size
                )
            else:
                target = stage.check_is_guest(
                    participants, identity, acting_host=acting, denial=stage.ONLY_HOST_DEMOTES
                )
            # A promotion answers the hand and starts the stage clock; a demotion stops it.
            clock = on_stage_attributes(self._clock_ms() if promoting else None)
            await self.rooms.update_participant(
                room,
                target.identity,
                metadata=Metadata(to, target.display_name),
                permissions=PERMISSIONS[to],
                attributes={**hand_down_attributes(), **clock} if promoting else clock,
            )
            await self._announce_stage(room, promoting, participants, host_identity, target)
        token = self.tokens.mint(room, target.identity, target.display_name, to)
        done = "promoted to guest" if promoting else "demoted to viewer"
        message = f"{target.identity} has been {done}"
        return StageChange(target.identity, token, self.tokens.ws_url, message)

    async def _the_guest(
        self, room: str, guest_identity: str, host_identity: str, denial: str
    ) -> tuple[list[Participant], Participant]:
        """The room's participants and the guest a host acts on (under the room lock)."""
        participants = await self.participants(room)
        guest = stage.check_is_guest(
            participants,
            guest_identity,
            acting_host=self._acting_host(room, participants, host_identity),
            denial=denial,
        )
        return participants, guest

    async def remove_guest(self, room: str, guest_identity: str, host_identity: str) -> str:
        if back := await self.backstage.sends_back(room, guest_identity, host_identity):
            return _sent_back(back)  # from the backstage, not from the show
        async with self._room_lock(room):
            participants, guest = await self._the_guest(
                room, guest_identity, host_identity, stage.ONLY_HOST_REMOVES
            )
            await self.rooms.remove_participant(room, guest.identity)
            await self._announce_stage(room, False, participants, host_identity, guest)
        return f"{guest.identity} has been removed from the room"

    async def _announce_stage(
        self,
        room: str,
        promoted: bool,
        participants: list[Participant],
        host_identity: str,
        target: Participant,
    ) -> None:
        # Sent under the room lock, so a quick promote-then-demote reaches clients in order.
        host_name = self._host_name(participants, host_identity)
        await self._announce(
            room,
            messages.stage_change(
                promoted,
                host_identity,
                host_name,
                target.identity,
                target.display_name,
                self._clock_ms(),
            ),
        )

    async def stage_limit(self, room: str, seconds: int) -> int:
        """Sets the show's limit on a guest's time on stage (0: none), in the room's metadata
        for the window and every page; at the limit the host is asked to send the guest back,
        nobody is removed by it."""
        whole = isinstance(seconds, int) and not isinstance(seconds, bool)
        if not whole or not 0 <= seconds <= rules.STAGE_TIME_LIMIT_MAX_S:
            raise InvalidInput(STAGE_LIMIT_PROBLEM)
        await self.room_settings.change(
            room, StageSettings, lambda settings: settings.with_time_limit(seconds)
        )
        log.info("stage time limit of %s: %s s", room, seconds)
        return seconds

    async def mute_guest_microphone(
        self, room: str, guest_identity: str, host_identity: str
    ) -> None:
        """The host silences the guest's microphone (the guest may unmute it again)."""
        async with self._room_lock(room):
            _, guest = await self._the_guest(
                room, guest_identity, host_identity, stage.ONLY_HOST_DEMOTES
            )
        if not await self.rooms.mute_microphone(room, guest.identity, True):
            raise InvalidInput(f"{guest.identity} has no microphone on")

    async def restore(
        self,
        room: str,
        identity: str,
        role: Role | None,
        hand_raised_at: int | None,
        question: str = "",
        on_stage_since: int | None = None,
    ) -> bool:
        """Re-applies a guest role (with the time they went on stage) or a raised hand (with
        its question) that LiveKit forgot (a restarted livekit-server forgets its rooms),
        keeping the original times so the queue's order and the stage clock survive. A guest
        whose time was not remembered starts their clock now. Returns whether anything was
        re-applied."""
        async with self._room_lock(room):
            participants = await self._participants_or_none(room)
            current = find(participants, identity)
            if current is None:
                return False
            if role is Role.GUEST and current.role is Role.VIEWER:
                if stage.stage_full(len(with_role(participants, Role.GUEST)), self.stage_size):
                    return False
                await self.rooms.update_participant(
                    room,
                    identity,
                    metadata=Metadata(Role.GUEST, current.display_name),
                    permissions=PERMISSIONS[Role.GUEST],
                    attributes=on_stage_attributes(on_stage_since or self._clock_ms()),
                )
                return True
            if role is Role.GUEST and on_stage_since and current.role is Role.GUEST:
                if current.on_stage_since is None:  # back as the guest, without their clock
                    attributes = on_stage_attributes(on_stage_since)
                    await self.rooms.update_participant(room, identity, attributes=attributes)
                    return True
                return False
            if role is Role.VIEWER and hand_raised_at and current.hand_raised_at is None:
                attributes = hand_attributes(hand_raised_at)
                if question:
                    attributes.update(question_attributes(question))
                await self.rooms.update_participant(room, identity, attributes=attributes)
                return True
        return False

    # -- hands --------------------------------------------------------------------------------

    async def set_hand(
        self, room: str, identity: str, raised: bool, question: str | None = None
    ) -> bool:
        """Raises or lowers a hand; a hand raised again keeps its place in the queue. A raise
        sets the hand's `question` (trimmed, "" for none; None keeps it, for callers that do
        not speak of questions); lowering takes the question with it."""
        if question is not None:
            if problem := rules.question_problem(question):
                raise InvalidInput(problem)
            question = question.strip()
        async with self._room_lock(room):  # a raise cannot interleave with a promotion
            participant = await self._require_participant(room, identity)
            if raised and participant.role is not Role.VIEWER:
                raise Forbidden(stage.ONLY_VIEWERS_RAISE)
            if raised and participant.hand_raised_at:
                if question not in (None, participant.hand_question):
                    changed = question_attributes(question or "")
                    await self.rooms.update_participant(room, identity, attributes=changed)
                return True
            if not raised and participant.hand_raised_at is None:
                return False
            stamp = self._clock_ms()
            up = {**hand_attributes(stamp), **question_attributes(question or "")}
            changes = up if raised else hand_down_attributes()
            await self.rooms.update_participant(room, identity, attributes=changes)
            await self._announce(
                room, messages.hand(identity, participant.display_name, raised, stamp)
            )
        return raised

    async def clear_question(self, room: str, identity: str) -> None:
        """The host takes a hand's question away (a troll's words, or one answered): the hand
        stays up, in its place."""
        async with self._room_lock(room):
            participant = await self._require_participant(room, identity)
            if participant.hand_question:
                cleared = question_attributes("")
                await self.rooms.update_participant(room, identity, attributes=cleared)

    # -- messages -----------------------------------------------------------------------------

    async def _announce(self, room: str, message: DataMessage) -> None:
        """Broadcasts a message; the change it announces is already made, so a failure is
        logged rather than undoing it (clients also see the change in LiveKit's own events)."""
        try:
            await self.rooms.send_data(room, message)
        except Exception:
            log.exception("could not broadcast %s in %s", message.type.value, room)

    async def livekit_reachable(self) -> bool:
        return await self.rooms.reachable()
