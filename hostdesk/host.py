"""The host's side of a live show: what the window's buttons do, and what comes back.

`HostControl` joins as host through the service (never through the HTTP API), drives the host's
LiveKit session, runs invitations (a `guest_invite` out, a `guest_invite_response` back, a
promotion through the service; a lapse after 60 s), and restores what a restarted LiveKit server
forgot. It imports neither Qt nor livekit: the window calls it, the session feeds it.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from typing import Any, Protocol

from hostdesk.service import ShowService, now_ms
from hostdesk.show import messages, rules, stage
from hostdesk.show.connection import ConnectionState
from hostdesk.show.errors import Forbidden, InvalidInput, ShowError
from hostdesk.show.events import Event
from hostdesk.show.messages import DataMessage, MessageType
from hostdesk.show.mirror import ChatLine, Member, ShowMirror
from hostdesk.show.roles import Role

log = logging.getLogger("hostdesk.host")

#: How long a participant who dropped out is remembered, to restore their role and hand.
REMEMBER_FOR = 180.0


class Session(Protocol):
    """What the controller needs of the host's LiveKit session (hostdesk.livekit.session)."""

    state: ConnectionState
    state_changed: Event[[ConnectionState, str]]
    message_received: Event[[DataMessage, str]]
    participant_joined: Event[[str]]

    async def connect(self, url: str, token: str) -> None: ...
    async def close(self) -> None: ...
    async def send(self, message: DataMessage, to: list[str] | None = None) -> None: ...


@dataclass(frozen=True)
class Remembered:
    role: Role | None
    hand_raised_at: int | None
    seen: float


class HostControl:
    """Events: `notice(text)` for things the host should read; `failed(text)` for errors."""

    def __init__(
        self,
        service: ShowService,
        session: Session,
        mirror: ShowMirror,
        *,
        invite_timeout: float = rules.INVITE_TIMEOUT_S,
        clock_ms: Callable[[], int] = now_ms,
    ) -> None:
        self.service = service
        self.session = session
        self.mirror = mirror
        self.invite_timeout = invite_timeout
        self._clock_ms = clock_ms
        self.room = ""
        self.identity = ""
        self.name = ""
        self.notice: Event[[str]] = Event()
        self.failed: Event[[str]] = Event()
        self._timers: dict[str, asyncio.TimerHandle] = {}
        self._remembered: dict[str, Remembered] = {}
        self._restoring_until: float | None = None
        self._tasks: set[asyncio.Task[Any]] = set()
        session.message_received.connect(self._on_message)
        session.participant_joined.connect(self._on_joined)
        session.state_changed.connect(self._on_state)
        mirror.member_added.connect(self._remember_arrival)
        mirror.member_changed.connect(self._remember_change)
        mirror.member_removed.connect(self._on_member_removed)

    @property
    def live(self) -> bool:
        return bool(self.room) and self.session.state is not ConnectionState.OFFLINE

    # -- going live and ending ----------------------------------------------------------------

    async def go_live(self, room: str, name: str) -> None:
        joined = await self.service.join(room, name, Role.HOST.value)
        self.room, self.identity, self.name = room, joined.identity, name
        self.mirror.clear()
        self.mirror.local_identity = joined.identity
        try:
            await self.session.connect(joined.ws_url, joined.token)
        except Exception:
            self.room = ""
            raise

    async def end_show(self) -> None:
        """Deletes the room: everyone is disconnected."""
        room = self.room
        await self.leave()
        if room:
            await self.service.end_show(room)

    async def leave(self) -> None:
        """Leaves without ending the show (closing the window)."""
        for timer in self._timers.values():
            timer.cancel()
        self._timers.clear()
        for task in list(self._tasks):
            task.cancel()
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
        if len(self.mirror.guests) >= self.service.stage_size:
            raise Forbidden(stage.ROOM_HAS_GUEST)
        if identity in self._timers:
            return
        now = self._clock_ms()
        await self.session.send(
            messages.invite(self.identity, self.name, identity, member.name, now), to=[identity]
        )
        self.mirror.update(identity, invited_at=now)
        loop = asyncio.get_running_loop()
        self._timers[identity] = loop.call_later(self.invite_timeout, self._lapse, identity)

    async def invite_next(self) -> None:
        """Invites the viewer whose hand has been up longest (and is not invited yet)."""
        for member in self.mirror.hand_queue():
            if member.identity not in self._timers:
                await self.invite(member.identity)
                return
        raise InvalidInput("No raised hands to invite")

    def _lapse(self, identity: str) -> None:
        self._timers.pop(identity, None)
        member = self.mirror.update(identity, invited_at=None)
        name = member.name if member else identity
        self.notice.emit(f"The invitation to {name} lapsed: no answer in {self.invite_timeout:g} s")

    async def _answered(self, identity: str, accepted: bool) -> None:
        timer = self._timers.pop(identity, None)
        if timer is None:
            log.info("ignored an answer from %s: no invitation pending", identity)
            return
        timer.cancel()
        member = self.mirror.update(identity, invited_at=None)
        name = member.name if member else identity
        if not accepted:
            self.notice.emit(f"{name} declined the invitation")
            return
        try:
            await self.service.promote(self.room, identity, self.identity)
        except ShowError as exc:
            self.failed.emit(f"Could not bring {name} on stage: {exc}")
            return
        self.notice.emit(f"{name} is on stage")

    async def demote(self, identity: str) -> None:
        await self.service.demote(self.room, identity, self.identity)

    async def remove_guest(self, identity: str) -> None:
        await self.service.remove_guest(self.room, identity, self.identity)
        self._remembered.pop(identity, None)

    async def mute_guest(self, identity: str) -> None:
        await self.service.mute_guest_microphone(self.room, identity, self.identity)

    async def remove(self, identity: str) -> None:
        await self.service.remove_participant(self.room, identity)
        self._remembered.pop(identity, None)

    async def lower_hand(self, identity: str) -> None:
        await self.service.set_hand(self.room, identity, False)

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

    # -- what comes back ----------------------------------------------------------------------

    def _on_message(self, message: DataMessage, sender: str) -> None:
        member = self.mirror.get(sender)
        if message.type is MessageType.GUEST_INVITE_RESPONSE:
            self._spawn(self._answered(sender, bool(message.accepted)))
        elif message.type is MessageType.HAND_RAISE and member and not member.hand_raised_at:
            # Shown at once; the server-written attribute (authoritative time) follows.
            self.mirror.update(sender, hand_raised_at=self._clock_ms())
        elif message.type is MessageType.HAND_LOWER and member and member.hand_raised_at:
            self.mirror.update(sender, hand_raised_at=None)
        elif message.type is MessageType.CHAT_MESSAGE:
            name = member.name if member else sender
            self.mirror.add_chat(ChatLine(sender, name, message.message or "", message.timestamp))

    # -- restoring what LiveKit forgot -------------------------------------------------------
    #
    # While the connection is down and until everyone remembered is back as they were (or
    # REMEMBER_FOR has passed), what LiveKit reports is compared with what we remembered rather
    # than taken as the truth: a restarted server hands back guests as viewers and hands down.

    def _restoring(self) -> bool:
        return self._restoring_until is not None and time.monotonic() < self._restoring_until

    def _on_state(self, state: ConnectionState, _reason: str) -> None:
        if state is ConnectionState.RECONNECTING and not self._restoring():
            self._restoring_until = time.monotonic() + REMEMBER_FOR
        elif state is ConnectionState.LIVE and self._restoring():
            for identity in list(self.mirror.members):
                self._on_joined(identity)

    def _remember_change(self, _index: int, member: Member) -> None:
        if member.role in (Role.GUEST, Role.VIEWER) and not self._restoring():
            self._remembered[member.identity] = Remembered(
                member.role, member.hand_raised_at, time.monotonic()
            )

    def _remember_arrival(self, index: int, member: Member) -> None:
        # Someone coming back keeps what we knew of them until `_on_joined` has compared it
        # with what LiveKit says now.
        old = self._remembered.get(member.identity)
        if old is None or time.monotonic() - old.seen > REMEMBER_FOR:
            self._remember_change(index, member)

    def _on_member_removed(self, _index: int, member: Member) -> None:
        if member.identity in self._timers:
            self._timers.pop(member.identity).cancel()
        old = self._remembered.get(member.identity)
        if old is not None:
            self._remembered[member.identity] = Remembered(
                old.role, old.hand_raised_at, time.monotonic()
            )

    def _lost(self, old: Remembered, member: Member) -> bool:
        lost_guest = old.role is Role.GUEST and member.role is Role.VIEWER
        lost_hand = (
            old.role is Role.VIEWER and bool(old.hand_raised_at) and not member.hand_raised_at
        )
        return lost_guest or lost_hand

    def _on_joined(self, identity: str) -> None:
        old = self._remembered.get(identity)
        member = self.mirror.get(identity)
        if old is None or member is None or time.monotonic() - old.seen > REMEMBER_FOR:
            return
        if self._lost(old, member):
            self._spawn(self._restore(identity, old))
        elif not self._restoring():
            self._remember_change(0, member)
        self._end_restoring_when_whole()

    def _end_restoring_when_whole(self) -> None:
        if not self._restoring():
            return
        for identity, old in self._remembered.items():
            member = self.mirror.get(identity)
            if member is None or self._lost(old, member):
                return
        self._restoring_until = None

    async def _restore(self, identity: str, old: Remembered) -> None:
        try:
            done = await self.service.restore(self.room, identity, old.role, old.hand_raised_at)
        except ShowError as exc:
            self.failed.emit(f"Could not restore {identity}: {exc}")
            return
        if done:
            log.info("restored %s of %s", old.role, identity)
        self._end_restoring_when_whole()

    def _spawn(self, coro: Coroutine[Any, Any, Any]) -> asyncio.Task[Any]:
        task = asyncio.ensure_future(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task
