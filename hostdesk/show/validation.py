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
    if any(unicodedata.category(ch).startswith("C") for ch in value):
        raise InvalidInput(f"{field} must not contain control characters")
    return value


def new_identity(role: str, display_name: str) -> str:
    """A unique identity that still reads like its owner: `viewer-john-doe-3f9a1c`."""
    slug = _SLUG.sub("-", display_name.lower()).strip("-")[:40]
    suffix = secrets.token_hex(3)
    return f"{role}-{slug}-{suffix}" if slug else f"{role}-{suffix}"
