"""Giving back what a restarted LiveKit forgot, a part of `HostControl` (hostdesk.host): the
role, hand, stage clock, chat mute and backstage of each participant the host remembers
(`hostdesk.show.recollection`), and the room's chat settings.

Kept apart so the controller stays one readable module; like it, no toolkit here.
"""

from __future__ import annotations

import logging

from hostdesk.service import ShowService
from hostdesk.show.errors import ShowError
from hostdesk.show.events import Event
from hostdesk.show.mirror import ShowMirror
from hostdesk.show.recollection import Recollection, Remembered

log = logging.getLogger("hostdesk.host")


class HostRestore:
    """Mixed into `HostControl`, whose service, room, mirror and recollection it uses."""

    service: ShowService
    room: str
    mirror: ShowMirror
    recollection: Recollection
    failed: Event[[str]]
    identity: str

    async def _restore_chat(self) -> None:
        if not self.room:
            return
        try:
            await self.service.chat.restore(self.room)
        except ShowError as exc:
            log.warning("could not restore the chat settings: %s", exc)

    async def _restore(self, identity: str, old: Remembered) -> None:
        try:
            done = await self.service.restore(
                self.room, identity, old.role, old.hand_raised_at, old.question, old.on_stage_since
            )
            member = self.mirror.get(identity)
            if old.chat_muted and member is not None and not member.chat_muted:
                done = await self.service.chat.mute(self.room, identity, True) or done
            if old.backstage and member is not None and not member.backstage:
                done = bool(await self.service.backstage.send(self.room, identity, self.identity))
        except ShowError as exc:
            self.failed.emit(f"Could not restore {identity}: {exc}")
            return
        if done:
            log.info("restored %s of %s", old.role, identity)
        self.recollection.settle(self.mirror.members)
