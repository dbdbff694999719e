"""Every limit of a show, in one place.

The service and the API enforce these, the window imports them, and the viewer page gets them
from the server (`for_clients`, embedded in the page), so no other file holds a copy of a limit.
The name rule is also given as a regular-expression character class that reads the same in
Python's `re` and in ECMAScript with the `u` flag, for the page and for the OpenAPI document.
"""

from __future__ import annotations

import re
from typing import Any

#: Room names, display names and identities: 1 to this many characters.
NAME_MAX_LENGTH = 128
#: A chat message: 1 to this many characters.
CHAT_MAX_LENGTH = 1000
#: The question a raised hand may carry: at most this many characters (none when empty).
QUESTION_MAX_LENGTH = 200
#: Slow mode: at most one chat message per this many seconds per viewer (0 turns it off).
SLOW_MODE_MAX_S = 3600
#: How much sooner than the slow mode a viewer's next line may arrive and still be shown: the
#: network may delay one message more than the next (the sender's page waits the whole time).
SLOW_MODE_SLACK_MS = 1000
#: Hidden chat messages the room's metadata names, the newest (a line is taken off every page
#: when it is hidden, and a page that joins later never had the older ones).
HIDDEN_CHAT_KEEP = 200
#: A data packet larger than this is dropped unread.
PACKET_MAX_BYTES = 16 * 1024
#: An invitation nobody answers lapses after this many seconds.
INVITE_TIMEOUT_S = 60.0
#: Guests on stage at once: the contract's one by default, at most STAGE_SIZE_MAX (the host and
#: six guests still fit one screen as a grid).
DEFAULT_STAGE_SIZE = 1
STAGE_SIZE_MIN = 1
STAGE_SIZE_MAX = 6
#: A show's limit on a guest's time on stage, in seconds: 0 (none) to this many (four hours).
STAGE_TIME_LIMIT_MAX_S = 4 * 60 * 60
#: The stage clock warns when at most this many seconds of the limit are left.
STAGE_WARNING_S = 60
#: Requests per client address per window, by endpoint group (the contract's table).
RATE_WINDOW_S = 60.0
RATE_LIMITS: dict[str, int] = {"join": 10, "invite": 5, "hand_raise": 10, "other": 100}

#: Invisible characters that reorder or hide text (bidi overrides and isolates, zero-width
#: space, byte-order mark). The joiners (U+200C, U+200D) stay allowed: emoji sequences and
#: Persian words need them.
INVISIBLE = "\u200b\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\ufeff"
#: What a name may not contain: C0 and C1 controls (Unicode category Cc), lone surrogates (Cs)
#: and the invisible characters above. Unassigned characters (Cn) are allowed so that emoji
#: newer than this Python's Unicode tables still work.
NAME_FORBIDDEN_CLASS = r"[\x00-\x1f\x7f-\x9f\u200b\u202a-\u202e\u2066-\u2069\ufeff\ud800-\udfff]"
#: The whole name rule as one pattern: not blank, nothing forbidden (length is separate).
NAME_PATTERN = "^(?!\\s*$)[^" + NAME_FORBIDDEN_CLASS[1:-1] + "]+$"

_FORBIDDEN = re.compile(NAME_FORBIDDEN_CLASS)


def name_problem(field: str, value: str) -> str | None:
    """Why `value` is not a valid name (the message the API answers with), or None."""
    if not value.strip():
        return f"{field} must not be empty"
    if len(value) > NAME_MAX_LENGTH:
        return f"{field} must be at most {NAME_MAX_LENGTH} characters"
    if _FORBIDDEN.search(value):
        return f"{field} must not contain control characters"
    return None


def chat_problem(text: str) -> str | None:
    """Why `text` cannot be sent as a chat message, or None."""
    if not text.strip():
        return "message must not be empty"
    if len(text) > CHAT_MAX_LENGTH:
        return f"message longer than {CHAT_MAX_LENGTH} characters"
    return None


def question_problem(text: str) -> str | None:
    """Why `text` cannot go with a raised hand as its question, or None. The name rule's
    forbidden characters apply (a question is shown in the host's one-line queue, so no line
    breaks or tabs either); ordinary spaces are fine, and an empty or blank text means none."""
    if len(text) > QUESTION_MAX_LENGTH:
        return f"question must be at most {QUESTION_MAX_LENGTH} characters"
    if _FORBIDDEN.search(text):
        return "question must not contain control characters"
    return None


def stage_size_problem(field: str, value: object) -> str | None:
    """Why `value` is not a stage size (`field` names where it came from), or None."""
    if (
        not isinstance(value, int)
        or isinstance(value, bool)
        or not STAGE_SIZE_MIN <= value <= STAGE_SIZE_MAX
    ):
        return f"{field} must be from {STAGE_SIZE_MIN} to {STAGE_SIZE_MAX}"
    return None


def for_clients(stage_size: int) -> dict[str, Any]:
    """The limits a client needs to tell its user before the server refuses (the page's copy)."""
    return {
        "nameMaxLength": NAME_MAX_LENGTH,
        "nameForbidden": NAME_FORBIDDEN_CLASS,
        "chatMaxLength": CHAT_MAX_LENGTH,
        "questionMaxLength": QUESTION_MAX_LENGTH,
        "inviteTimeoutMs": int(INVITE_TIMEOUT_S * 1000),
        "slowModeSlackMs": SLOW_MODE_SLACK_MS,
        "stageSize": stage_size,
        "stageWarningSeconds": STAGE_WARNING_S,
        "rateLimits": {"windowSeconds": int(RATE_WINDOW_S), **RATE_LIMITS},
    }
