"""The moderation's bodies (`hostdesk.api.models` says what a body is): hiding a chat message,
muting a participant's chat, slow mode and the host's blocks."""

from __future__ import annotations

from typing import Annotated

from msgspec import Meta

from hostdesk.api.models import NAME_RULE, Name, Reply, Request, SlowModeSeconds, SuccessFlag
from hostdesk.chat_moderation import TIMESTAMP_MAX

# -- requests -------------------------------------------------------------------------------------


class HideChatRequest(Request):
    """Which chat message the host hides: its sender (as LiveKit stamped the packet) and the
    message's own `timestamp`."""

    REQUIRED = ("senderIdentity", "timestamp")
    sender_identity: Annotated[
        Name, Meta(description="Identity of the message's sender. " + NAME_RULE)
    ]
    timestamp: Annotated[
        int,
        Meta(
            ge=0,
            le=TIMESTAMP_MAX,
            description="The `timestamp` of the `chat_message` (milliseconds since the epoch, "
            "as its sender wrote it).",
        ),
    ]


class ChatMuteRequest(Request):
    """Mute or unmute a participant's chat."""

    REQUIRED = ("muted",)
    muted: Annotated[bool, Meta(description="true to mute the chat, false to unmute it.")]


class SlowModeRequest(Request):
    """The room's slow mode."""

    REQUIRED = ("seconds",)
    seconds: SlowModeSeconds


# -- replies --------------------------------------------------------------------------------------


class ChatMuteState(Reply):
    """The participant's chat now."""

    success: SuccessFlag
    chat_muted: Annotated[bool, Meta(description="Whether the participant's chat is muted now.")]


class SlowModeState(Reply):
    """The room's slow mode now."""

    success: SuccessFlag
    slow_mode_seconds: SlowModeSeconds


class BlockEntry(Reply):
    """A participant the host blocked."""

    identity: Annotated[str, Meta(description="The identity that was blocked.")]
    name: Annotated[str, Meta(description="Their display name when they were blocked.")]
    blocked_at: Annotated[
        str,
        Meta(
            description="When, UTC, with milliseconds.",
            extra_json_schema={"format": "date-time"},
        ),
    ]


class BlockList(Reply):
    """Everyone blocked from the room, oldest first."""

    blocks: list[BlockEntry]
