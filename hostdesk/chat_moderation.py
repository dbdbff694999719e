"""Chat moderation: the use cases that write what every page and the window obey
(`hostdesk.show.chat` reads it the same way on both).

The service owns one `ChatModeration` (`ShowService.chat`); the API and the window call it. The
room's chat settings (hidden messages, slow mode) go into the room's metadata (its `chat` key,
through `hostdesk.room_settings`, which remembers them for a restarted livekit-server), a muted
chat into the participant's attributes: both server-written, so no client can change them.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from hostdesk.room_settings import RoomSettings
from hostdesk.show.chat import ChatSettings, chat_muted_attributes, message_id
from hostdesk.show.errors import InvalidInput
from hostdesk.show.gateways import RoomGateway
from hostdesk.show.participants import Participant
from hostdesk.show.roles import Role
from hostdesk.show.rules import SLOW_MODE_MAX_S
from hostdesk.show.validation import check_name

log = logging.getLogger("hostdesk.moderation")

HOST_NOT_MUTABLE = "The host's chat cannot be muted"
SLOW_MODE_PROBLEM = f"seconds must be an integer from 0 to {SLOW_MODE_MAX_S}"
#: A chat message's timestamp is milliseconds as a page's `Date.now()` gives them: at most the
#: largest integer a JavaScript number holds exactly, so the page names the message the same.
TIMESTAMP_MAX = 2**53 - 1
TIMESTAMP_PROBLEM = f"timestamp must be an integer from 0 to {TIMESTAMP_MAX}"

FindParticipant = Callable[[str, str], Awaitable[Participant]]


def _is_integer(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


class ChatModeration:
    """`settings`: the service's room settings (the metadata is read, changed and written whole
    under the room's lock); `participant(room, identity)`: the service's look-up, with its
    404s."""

    def __init__(
        self, rooms: RoomGateway, settings: RoomSettings, participant: FindParticipant
    ) -> None:
        self.rooms = rooms
        self._room_settings = settings
        self._participant = participant

    async def settings(self, room: str) -> ChatSettings:
        """The room's chat settings as LiveKit holds them now."""
        return await self._room_settings.read(room, ChatSettings)

    async def hide(self, room: str, sender_identity: str, timestamp: int) -> None:
        """Hides one message (named by its sender and timestamp) from every page and the
        window; the room keeps the newest `HIDDEN_CHAT_KEEP` hidden."""
        check_name("senderIdentity", sender_identity)
        if not _is_integer(timestamp) or not 0 <= timestamp <= TIMESTAMP_MAX:
            raise InvalidInput(TIMESTAMP_PROBLEM)
        identifier = message_id(sender_identity, timestamp)
        await self._change(room, lambda settings: settings.hiding(identifier))
        log.info("hid a chat message in %s", room, extra={"message_id": identifier})

    async def slow_mode(self, room: str, seconds: int) -> int:
        """One chat message per `seconds` per viewer (0: off); the host and guests are not
        slowed."""
        if not _is_integer(seconds) or not 0 <= seconds <= SLOW_MODE_MAX_S:
            raise InvalidInput(SLOW_MODE_PROBLEM)
        await self._change(room, lambda settings: settings.with_slow_mode(seconds))
        return seconds

    async def mute(self, room: str, identity: str, muted: bool) -> bool:
        """Mutes (or unmutes) a participant's chat: their lines are dropped everywhere and
        their page tells them; their hand and the stage work as before. Only an attribute is
        written, never their permissions."""
        participant = await self._participant(room, identity)
        if muted and participant.role is Role.HOST:
            raise InvalidInput(HOST_NOT_MUTABLE)
        await self.rooms.update_participant(room, identity, attributes=chat_muted_attributes(muted))
        log.info("chat %s for %s in %s", "muted" if muted else "unmuted", identity, room)
        return muted

    async def restore(self, room: str) -> bool:
        """Writes back the room's settings this service last wrote (the chat's, and the stage's
        limit with them) when LiveKit holds them no longer (a restarted livekit-server forgot
        the room). Returns whether it wrote any."""
        return await self._room_settings.restore(room)

    async def _change(self, room: str, change: Callable[[ChatSettings], ChatSettings]) -> None:
        await self._room_settings.change(room, ChatSettings, change)
