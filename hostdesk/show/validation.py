"""Checks of names and identities that come from outside."""

from __future__ import annotations

import re
import secrets
import unicodedata

from hostdesk.show.errors import InvalidInput

MAX_NAME_LENGTH = 128
_SLUG = re.compile(r"[^a-z0-9]+")


def check_name(field: str, value: str) -> str:
    """A room name, display name or identity: 1-128 characters, no control characters."""
    if not value.strip():
        raise InvalidInput(f"{field} must not be empty")
    if len(value) > MAX_NAME_LENGTH:
        raise InvalidInput(f"{field} must be at most {MAX_NAME_LENGTH} characters")
    if any(_is_control(ch) for ch in value):
        raise InvalidInput(f"{field} must not contain control characters")
    return value


#: Invisible characters that reorder or hide text (bidi overrides and isolates, zero-width
#: space, byte-order mark). The joiners (U+200C, U+200D) stay allowed: emoji sequences and
#: Persian words need them.
_INVISIBLE = frozenset("\u200b\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\ufeff")


def _is_control(ch: str) -> bool:
    # Cc: C0/C1 controls (newline, NUL, ...); Cs: lone surrogates. Unassigned characters (Cn)
    # are allowed so emoji newer than this Python's Unicode tables still work.
    return ch in _INVISIBLE or unicodedata.category(ch) in ("Cc", "Cs")


def new_identity(role: str, display_name: str) -> str:
    """A unique identity that still reads like its owner: `viewer-john-doe-3f9a1c07`."""
    slug = _SLUG.sub("-", display_name.lower()).strip("-")[:40]
    suffix = secrets.token_hex(4)
    return f"{role}-{slug}-{suffix}" if slug else f"{role}-{suffix}"
