"""The stage's use cases (`hostdesk.show.stage` holds its rules): the host puts a viewer on stage,
sends a guest back to the audience or out of the show, silences a guest's microphone and sets the
show's limit on a guest's time on stage.

The service owns one `StageService` (`ShowService.stage`); its methods of the same names call it.
The role is the participant's metadata, written by the server with the role's permissions, so
LiveKit stays the source of truth and the change is live.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from hostdesk.room_settings import RoomSettings
from hostdesk.show import messages, rules, stage
from hostdesk.show.errors import InvalidInput
from hostdesk.show.gateways import TokenMinter
from hostdesk.show.participants import Participant, find, hand_down_attributes
from hostdesk.show.roles import PERMISSIONS, Metadata, Role
from hostdesk.show.stage_clock import StageSettings, on_stage_attributes
from hostdesk.show_rooms import ShowRooms

log = logging.getLogger("hostdesk.service")

STAGE_LIMIT_PROBLEM = f"seconds must be an integer from 0 to {rules.STAGE_TIME_LIMIT_MAX_S}"

#: The backstage's `sends_back(room, identity, host_identity)`: a backstage viewer sent back.
SendsBack = Callable[[str, str, str], Awaitable[Participant | None]]


@dataclass(frozen=True)
class StageChange:
    """The result of a promotion or demotion: the participant's new token and what happened."""

    identity: str
    token: str
    ws_url: str
    message: str


def _sent_back(participant: Participant) -> str:
    return f"{participant.identity} has been sent back to the audience"


class StageService:
    """`stage_size()`: how many guests the stage holds now (the host may change it during the
    show); `sends_back`: the backstage's, since demote and remove-guest act there too."""

    def __init__(
        self,
        show_rooms: ShowRooms,
        tokens: TokenMinter,
        room_settings: RoomSettings,
        *,
        stage_size: Callable[[], int],
        clock_ms: Callable[[], int],
        sends_back: SendsBack,
    ) -> None:
        self._show_rooms = show_rooms
        self.rooms = show_rooms.rooms
        self.tokens = tokens
        self._room_settings = room_settings
        self._stage_size = stage_size
        self._clock_ms = clock_ms
        self._sends_back = sends_back

    async def promote(self, room: str, viewer_identity: str, host_identity: str) -> StageChange:
        """Puts a viewer on stage: permissions change live, everyone is told."""
        return await self._change_role(room, viewer_identity, host_identity, Role.GUEST)

    async def demote(self, room: str, guest_identity: str, host_identity: str) -> StageChange:
        """Sends the guest back to the audience: LiveKit unpublishes their tracks. A backstage
        viewer is sent back from the backstage."""
        if back := await self._sends_back(room, guest_identity, host_identity):
            token = self.tokens.mint(room, back.identity, back.display_name, Role.VIEWER)
            return StageChange(back.identity, token, self.tokens.ws_url, _sent_back(back))
        return await self._change_role(room, guest_identity, host_identity, Role.VIEWER)

    async def _change_role(
        self, room: str, identity: str, host_identity: str, to: Role
    ) -> StageChange:
        promoting = to is Role.GUEST
        async with self._show_rooms.lock(room):
            participants = await self._show_rooms.participants(room)
            acting = self._show_rooms.acting_host(room, participants, host_identity)
            if promoting:
                target = stage.check_can_promote(
                    participants, identity, acting_host=acting, stage_size=self._stage_size()
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
        participants = await self._show_rooms.participants(room)
        guest = stage.check_is_guest(
            participants,
            guest_identity,
            acting_host=self._show_rooms.acting_host(room, participants, host_identity),
            denial=denial,
        )
        return participants, guest

    async def remove_guest(self, room: str, guest_identity: str, host_identity: str) -> str:
        if back := await self._sends_back(room, guest_identity, host_identity):
            return _sent_back(back)  # from the backstage, not from the show
        async with self._show_rooms.lock(room):
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
        host = find(participants, host_identity)
        await self._show_rooms.announce(
            room,
            messages.stage_change(
                promoted,
                host_identity,
                host.display_name if host else host_identity,
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
        await self._room_settings.change(
            room, StageSettings, lambda settings: settings.with_time_limit(seconds)
        )
        log.info("stage time limit of %s: %s s", room, seconds)
        return seconds

    async def mute_guest_microphone(
        self, room: str, guest_identity: str, host_identity: str
    ) -> None:
        """The host silences the guest's microphone (the guest may unmute it again)."""
        async with self._show_rooms.lock(room):
            _, guest = await self._the_guest(
                room, guest_identity, host_identity, stage.ONLY_HOST_DEMOTES
            )
        if not await self.rooms.mute_microphone(room, guest.identity, True):
            raise InvalidInput(f"{guest.identity} has no microphone on")
