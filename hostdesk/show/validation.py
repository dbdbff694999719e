"""Checks of names and identities that come from outside."""

from __future__ import annotations

import hashlib
import os
import re

from hostdesk.show import rules
from hostdesk.show.errors import InvalidInput

_SLUG = re.compile(r"[^a-z0-9]+")


def check_name(field: str, value: str) -> str:
    """A room name, display name or identity, by the rule in `rules.name_problem`."""
    problem = rules.name_problem(field, value)
    if problem is not None:
        raise InvalidInput(problem)
    return value


def new_identity(role: str, display_name: str) -> str:
    """A unique identity that still reads like its owner: `viewer-john-doe-3f9a1c07`."""
    slug = _SLUG.sub("-", display_name.lower()).strip("-")[:40]
    suffix = os.urandom(4).hex()  # secrets.token_hex, without its 1.8 µs of wrapping
    return f"{role}-{slug}-{suffix}" if slug else f"{role}-{suffix}"


def window_host_identity(install_id: str, room: str) -> str:
    """The identity of this computer's window as the host of `room`: the same on every start
    (so LiveKit replaces a crashed window's session with the new one), different on every other
    computer (whose request is still refused with "Room already has a host")."""
    digest = hashlib.sha256(f"{install_id}\0{room}".encode()).hexdigest()[:8]
    slug = _SLUG.sub("-", room.lower()).strip("-")[:40]
    return f"host-{slug}-{digest}" if slug else f"host-{digest}"
