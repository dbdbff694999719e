"""The host's side of a live show: what the window's buttons do, and what comes back.

`HostControl` joins as host through the service (never the HTTP API) and drives the host's
LiveKit session. The one writer of the show mirror, it applies the session's facts, its
invitations and what it remembers to give back after a LiveKit restart (`show.invitations`,
`show.recollection`: pure machines on the loop's clock). No Qt, no livekit here.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import Protocol

from hostdesk.host_restore import HostRestore
from hostdesk.host_shares import HostShares
from hostdesk.service import ShowService, now_ms
from hostdesk.show import messages, rules, stage
from hostdesk.show.blocks import Block
from hostdesk.show.chat import ChatGate, ChatSettings, chat_muted_attributes
from hostdesk.show.connection import ConnectionState
from hostdesk.show.errors import InvalidInput, ShowError
from hostdesk.show.events import Event
from hostdesk.show.invitations import Answer, Invitations
from hostdesk.show.messages import DataMessage, MessageType
from hostdesk.show.mirror import (
    ChatLine,
    ChatSettingsChanged,
    Entered,
    Fact,
    Left,
    Member,
    Seen,
    ShowMirror,
)
from hostdesk.show.recollection import Recollection
from hostdesk.show.roles import Role
from hostdesk.tasks import TaskSet

log = logging.getLogger("hostdesk.host")


class Session(Protocol):
    """What the controller needs of the host's LiveKit session (hostdesk.livekit.session)."""

    state: ConnectionState
    state_changed: Event[[ConnectionState, str]]
    fact: Event[[Fact]]
    message_received: Event[[DataMessage, str]]

    async def connect(
        self, url: str, token: str, renew: Callable[[], str] | None = None
    ) -> None: ...
    async def close(self) -> None: ...
    async def send(self, message: DataMessage, to: list[str] | None = None) -> None: ...


class HostControl(HostShares, HostRestore):
    """Events: `notice(text)` for things the host should read; `failed(text)` for errors."""

    def __init__(
        self,
        service: ShowService,
        session: Session,
        mirror: ShowMirror,
        *,
        invite_timeout: float = rules.INVITE_TIMEOUT_S,
        clock_ms: Callable[[], int] = now_ms,
        host_identity: Callable[[str], str] | None = None,
    ) -> None:
        self.service = service
        self.session = session
        self.mirror = mirror
        self._clock_ms = clock_ms
        self._host_identity = host_identity
        self.invitations: Invitations = mirror.invitations
        self.invitations.timeout = invite_timeout
        self.recollection = Recollection(self.invitations.clock)
        self.room = ""
        self.identity = ""
        self.name = ""
        self.notice: Event[[str]] = Event()
        self.failed: Event[[str]] = Event()
        #: Every answer to an invitation, as `Invitations.answer` gave it (the program's timeline)
        self.invitation_answered: Event[[str, Answer]] = Event()
        self._lapse_timer: asyncio.TimerHandle | None = None
        self._chat_gate = ChatGate()
        self._tasks = TaskSet(log)
        self.to_backstage = False  # accepted invitations go backstage (the window's setting)
        session.fact.connect(self._apply)
        session.message_received.connect(self._on_message)
        session.state_changed.connect(self._on_state)

    @property
    def live(self) -> bool:
        return bool(self.room) and self.session.state is not ConnectionState.OFFLINE

    # -- going live and ending ----------------------------------------------------------------

    async def go_live(self, room: str, name: str) -> None:
        """Joins as the host. With `host_identity`, the same show on this computer always gets
        the same identity, so a restarted window replaces its own dead session at once (LiveKit
        disconnects the older one) instead of being turned away by it."""
        identity = self._host_identity(room) if self._host_identity else None
        joined = await self.service.join(room, name, Role.HOST.value, identity=identity)
        self.room, self.identity, self.name = room, joined.identity, name
        self.mirror.reset(joined.identity)

        def renew() -> str:
            return self.service.tokens.mint(room, joined.identity, name, Role.HOST)

        try:
            await self.session.connect(joined.ws_url, joined.token, renew)
        except BaseException:  # cancelled too: the window gave up waiting
            self.room = ""
            self.service.give_up_host(room, joined.identity)
            raise

    async def end_show(self) -> None:
        """Deletes the room: everyone is disconnected."""
        room = self.room
        await self.leave()
        if room:
            await self.service.end_show(room)

    async def leave(self) -> None:
        """Leaves without ending the show (closing the window)."""
        self._set_lapse_timer(None)
        self.invitations.clear()
        await self._tasks.aclose()
        self._tasks = TaskSet(log)
        await self.session.close()
        self.room = ""

    # -- the stage ----------------------------------------------------------------------------

    def _viewer(self, identity: str) -> Member:
        member = self.mirror.get(identity)
        if member is None:
            raise InvalidInput(f"{identity} is no longer in the show")
        if member.role is not Role.VIEWER:
            raise InvalidInput(f"{member.name} is not a viewer")
        return member

    async def invite(self, identity: str) -> None:
        """Sends `guest_invite`; the promotion happens when the viewer accepts."""
        member = self._viewer(identity)
        stage.check_seat_free(len(self.mirror.guests), self.service.stage_size)
        if identity in self.invitations:
            return
        now = self._clock_ms()
        await self.session.send(
            messages.invite(self.identity, self.name, identity, member.name, now), to=[identity]
        )
        self.invitations.open(identity, now)
        self._set_lapse_timer(self.invitations.next_deadline())

    async def invite_next(self) -> None:
        """Invites the viewer whose hand has been up longest (and is not invited yet)."""
        for member in self.mirror.hand_queue():
            if member.identity not in self.invitations:
                await self.invite(member.identity)
                return
        raise InvalidInput("No raised hands to invite")

    def _set_lapse_timer(self, deadline: float | None) -> None:
        if self._lapse_timer is not None:
            self._lapse_timer.cancel()
            self._lapse_timer = None
        if deadline is not None:
            delay = max(0.0, deadline - self.invitations.clock())
            self._lapse_timer = asyncio.get_running_loop().call_later(delay, self._lapse)

    def _lapse(self) -> None:
        self._lapse_timer = None
        for invitation in self.invitations.lapse_due():
            member = self.mirror.get(invitation.identity)
            name = member.name if member else invitation.identity
            timeout = f"{self.invitations.timeout:g}"
            self.notice.emit(f"The invitation to {name} lapsed: no answer in {timeout} s")
        self._set_lapse_timer(self.invitations.next_deadline())

    async def _answered(self, identity: str, accepted: bool) -> None:
        answer = self.invitations.answer(identity, accepted)
        self.invitation_answered.emit(identity, answer)
        if answer is Answer.NOT_PENDING:
            log.info("ignored an answer from %s: no invitation pending", identity)
            return
        member = self.mirror.get(identity)
        name = member.name if member else identity
        if answer is Answer.DECLINED:
            self.notice.emit(f"{name} declined the invitation")
            return
        try:
            if self.to_backstage:
                await self.service.backstage.send(self.room, identity, self.identity)
            else:
                await self.service.promote(self.room, identity, self.identity)
        except ShowError as exc:
            self.failed.emit(f"Could not bring {name} on stage: {exc}")
            return
        self.notice.emit(f"{name} is {'backstage' if self.to_backstage else 'on stage'}")

    async def take_live(self, identity: str) -> None:
        await self.service.backstage.take_live(self.room, identity, self.identity)

    async def send_back(self, identity: str) -> None:
        await self.service.backstage.send_back(self.room, identity, self.identity)

    def set_stage_size(self, size: int) -> None:
        """How many guests may be on stage at once from now on (the API's promotions too);
        guests already on stage stay."""
        if problem := rules.stage_size_problem("The stage size", size):
            raise InvalidInput(problem)
        self.service.stage_size = size

    async def set_stage_time_limit(self, seconds: int) -> None:
        """The live show's limit on a guest's time on stage (0: none), written by the server
        into the room's metadata; the window and every page read it back from there."""
        if self.room:
            await self.service.stage_limit(self.room, seconds)

    async def demote(self, identity: str) -> None:
        await self.service.demote(self.room, identity, self.identity)

    async def remove_guest(self, identity: str) -> None:
        await self.service.remove_guest(self.room, identity, self.identity)
        self.recollection.forget(identity)

    async def mute_guest(self, identity: str) -> None:
        await self.service.mute_guest_microphone(self.room, identity, self.identity)

    async def remove(self, identity: str) -> None:
        await self.service.remove_participant(self.room, identity)
        self.recollection.forget(identity)

    async def block(self, identity: str) -> None:
        """Removes the participant and keeps them (and their browser) out of this show."""
        await self.service.moderation.block(self.room, identity)
        self.recollection.forget(identity)

    async def unblock(self, identity: str) -> None:
        self.service.moderation.unblock(self.room, identity)

    def blocks(self) -> list[Block]:
        """Who is blocked from this show, oldest first (read from the service, no I/O)."""
        return self.service.moderation.blocks(self.room) if self.room else []

    async def lower_hand(self, identity: str) -> None:
        await self.service.set_hand(self.room, identity, False)

    async def clear_question(self, identity: str) -> None:
        """Takes a raised hand's question away; the hand stays in its place."""
        await self.service.clear_question(self.room, identity)

    # -- chat ---------------------------------------------------------------------------------

    async def chat(self, text: str) -> None:
        try:
            message = messages.chat(self.identity, self.name, text.strip(), self._clock_ms())
        except messages.InvalidMessage as exc:
            raise InvalidInput(str(exc).capitalize()) from None
        await self.session.send(message)
        self.mirror.add_chat(
            ChatLine(self.identity, self.name, message.message or "", message.timestamp, own=True)
        )

    async def hide_chat(self, line: ChatLine) -> None:
        """Takes one message off every page and the window (the server writes it down)."""
        await self.service.chat.hide(self.room, line.sender_id, line.timestamp)

    async def mute_chat(self, identity: str, muted: bool) -> None:
        """Mutes (or unmutes) someone's chat everywhere; their hand and the stage still work."""
        await self.service.chat.mute(self.room, identity, muted)

    async def set_slow_mode(self, seconds: int) -> None:
        """One message per `seconds` per viewer (0 turns slow mode off)."""
        await self.service.chat.slow_mode(self.room, seconds)

    def _admit_chat(self, message: DataMessage, sender: str, member: Member | None) -> bool:
        """Whether a chat line is shown: the same gate as every page's."""
        why = self._chat_gate.admit(
            sender,
            member.role if member else None,
            chat_muted_attributes(bool(member and member.chat_muted)),
            message.timestamp,
            self._clock_ms(),
            self.mirror.chat_settings,
        )
        if why:
            log.info("dropped a chat line from %s: %s", sender, why)
        return why is None

    # -- what comes back ----------------------------------------------------------------------

    def _apply(self, fact: Fact) -> None:
        match fact:
            case Entered(_, participants):
                present = {p.identity for p in participants}
                gone = [i for i in self.mirror.audience if i not in present]
                self.mirror.apply(fact)
                for identity in gone:
                    self._left(identity)
                for participant in participants:
                    self._arrived(participant.identity)
            case Seen(participant, arrived=True):
                self.mirror.apply(fact)
                self._arrived(participant.identity)
            case Seen(participant):
                self.mirror.apply(fact)
                member = self.mirror.get(participant.identity)
                if member is not None:
                    self.recollection.changed(member)
            case Left(identity):
                self.mirror.apply(fact)
                self._left(identity)
            case ChatSettingsChanged(settings):
                self.mirror.apply(fact)
                if settings == ChatSettings():
                    # A restarted LiveKit forgot the room's metadata? The service writes back
                    # the chat settings it last wrote, when they are missing.
                    self._tasks.spawn(self._restore_chat(), name="restore chat settings")
            case _:
                self.mirror.apply(fact)

    def _on_message(self, message: DataMessage, sender: str) -> None:
        member = self.mirror.get(sender)
        if message.type is MessageType.GUEST_INVITE_RESPONSE:
            self._tasks.spawn(self._answered(sender, bool(message.accepted)))
        elif message.type is MessageType.HAND_RAISE and member and not member.hand_raised_at:
            self._hand_by_message(sender, raised=True)
        elif message.type is MessageType.HAND_LOWER and member and member.hand_raised_at:
            self._hand_by_message(sender, raised=False)
        elif message.type is MessageType.CHAT_MESSAGE and self._admit_chat(message, sender, member):
            name = member.name if member else sender
            self.mirror.add_chat(ChatLine(sender, name, message.message or "", message.timestamp))

    def _hand_by_message(self, identity: str, raised: bool) -> None:
        """A hand raised or lowered by message: shown at once, and recorded through the
        service (so the server's time orders the queue). A client written to the contract alone
        announces its hand only by message; `set_hand` leaves a hand already as asked untouched,
        so HostDesk's page, which also calls the API, changes nothing by its second write."""
        shown = self._clock_ms() if raised else None
        self.mirror.hand_seen(identity, shown)
        self._tasks.spawn(self._record_hand(identity, raised, shown), name=f"hand {identity}")

    async def _record_hand(self, identity: str, raised: bool, shown: int | None) -> None:
        try:
            await self.service.set_hand(self.room, identity, raised)
        except ShowError as exc:
            log.warning("could not record the hand of %s: %s", identity, exc)
            member = self.mirror.get(identity)
            if raised and member is not None and member.hand_raised_at == shown:
                # Only the optimistic hand is shown: take back a hand nobody recorded.
                self.mirror.hand_seen(identity, None)

    # -- restoring what LiveKit forgot -------------------------------------------------------

    def _on_state(self, state: ConnectionState, _reason: str) -> None:
        if state is ConnectionState.RECONNECTING:
            self.recollection.connection_lost()

    def _arrived(self, identity: str) -> None:
        """Someone is in the room (again), or the host is back in it: what LiveKit lost of
        them is given back (the session reports everyone present as arrived after a
        reconnection, so this covers the host's own return too)."""
        member = self.mirror.get(identity)
        if member is None:
            return
        self.recollection.arrived(member)
        old = self.recollection.returned(member)
        if old is not None:
            self._tasks.spawn(self._restore(identity, old), name=f"restore {identity}")
        self.recollection.settle(self.mirror.members)

    def _left(self, identity: str) -> None:
        self._chat_gate.forget(identity)
        if self.invitations.withdraw(identity):
            self._set_lapse_timer(self.invitations.next_deadline())
        self.recollection.left(identity)
