"""Chat moderation: which chat lines a client shows, from what the server wrote.

The host's moderation is written by the server where no client can write:
- the room's metadata carries the chat settings, `{"chat": {"slowModeSeconds": N,
  "hidden": ["<sender identity>:<timestamp>", ...]}}` (other keys of the metadata are kept);
- a participant's attribute `chatMuted` is `"1"` while the host has muted their chat.
The window (here, through `ChatGate`) and the page (`resources/viewer/moderation.js`) read the
same fields the same way and drop what the host stopped. A chat message is named by its sender,
as LiveKit stamps the packet (never the JSON's `senderId`), and its `timestamp`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace

from hostdesk.show.roles import Role
from hostdesk.show.room_metadata import section, with_section
from hostdesk.show.rules import HIDDEN_CHAT_KEEP, SLOW_MODE_SLACK_MS

#: Participant attribute: "1" while the host has muted the participant's chat.
CHAT_MUTED_ATTRIBUTE = "chatMuted"
#: The key of the chat settings in the room's metadata.
ROOM_CHAT_KEY = "chat"

#: Why `ChatGate.admit` drops a line.
MUTED = "the sender's chat is muted"
HIDDEN = "the host hid this message"
TOO_SOON = "slow mode: too soon after the sender's last message"


def message_id(sender: str, timestamp: int) -> str:
    """The name of a chat message: who LiveKit says sent it, and when they said they did."""
    return f"{sender}:{timestamp}"


def is_chat_muted(attributes: Mapping[str, str]) -> bool:
    return attributes.get(CHAT_MUTED_ATTRIBUTE, "") == "1"


def chat_muted_attributes(muted: bool) -> dict[str, str]:
    """The attribute update that mutes (or, empty, deletes the mark and unmutes) a chat."""
    return {CHAT_MUTED_ATTRIBUTE: "1" if muted else ""}


@dataclass(frozen=True)
class ChatSettings:
    """The room's chat settings: slow mode (0 is off) and the hidden messages, newest last."""

    slow_mode_s: int = 0
    hidden: tuple[str, ...] = ()

    @classmethod
    def from_room_metadata(cls, metadata: str) -> ChatSettings:
        """What the server wrote; anything else (no metadata, another shape) reads as none."""
        chat = section(metadata, ROOM_CHAT_KEY)
        if chat is None:
            return cls()
        slow = chat.get("slowModeSeconds")
        hidden = chat.get("hidden")
        return cls(
            slow if isinstance(slow, int) and not isinstance(slow, bool) and slow > 0 else 0,
            tuple(h for h in hidden if isinstance(h, str)) if isinstance(hidden, list) else (),
        )

    def to_room_metadata(self, existing: str = "") -> str:
        """The room's metadata with these settings in it (other keys kept as they are)."""
        return with_section(
            existing,
            ROOM_CHAT_KEY,
            {"slowModeSeconds": self.slow_mode_s, "hidden": list(self.hidden)},
        )

    def hiding(self, identifier: str) -> ChatSettings:
        """These settings with one more message hidden (the oldest dropped past the keep)."""
        if identifier in self.hidden:
            return self
        return replace(self, hidden=(*self.hidden, identifier)[-HIDDEN_CHAT_KEEP:])

    def with_slow_mode(self, seconds: int) -> ChatSettings:
        return replace(self, slow_mode_s=seconds)


class ChatGate:
    """Decides, for one client, whether an arriving chat line is shown.

    A muted sender's lines and hidden messages are dropped. In slow mode a viewer's line that
    arrives sooner than the slow mode after their last shown one is dropped, less
    `SLOW_MODE_SLACK_MS` for the network (the sender's page already waits the whole time); the
    host and guests are not slowed.
    """

    def __init__(self) -> None:
        self._last_shown_ms: dict[str, int] = {}

    def admit(
        self,
        sender: str,
        role: Role | None,
        attributes: Mapping[str, str],
        timestamp: int,
        arrived_ms: int,
        settings: ChatSettings,
    ) -> str | None:
        """None when the line is shown (and counted for slow mode), else why it is not."""
        if is_chat_muted(attributes):
            return MUTED
        if message_id(sender, timestamp) in settings.hidden:
            return HIDDEN
        if settings.slow_mode_s and role is not Role.HOST and role is not Role.GUEST:
            last = self._last_shown_ms.get(sender)
            gap = settings.slow_mode_s * 1000 - SLOW_MODE_SLACK_MS
            if last is not None and arrived_ms - last < gap:
                return TOO_SOON
        self._last_shown_ms[sender] = arrived_ms
        return None

    def forget(self, sender: str) -> None:
        """The sender left: their slow-mode clock goes with them."""
        self._last_shown_ms.pop(sender, None)
