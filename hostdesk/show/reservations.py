"""Short-lived claims the API holds while LiveKit cannot yet show them.

A host token issued moments ago is not a participant until it connects; a promotion being
applied is not visible until LiveKit answers. Holding these for a few seconds stops two racing
requests from both getting a host, or both getting the stage.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

HOST_TOKEN_TTL = 20.0


@dataclass
class Reservations:
    clock: Callable[[], float] = time.monotonic
    _hosts: dict[str, tuple[str, float]] = field(default_factory=dict)

    def host(self, room: str) -> str | None:
        """The identity a host token was issued to for this room, while it is still held."""
        entry = self._hosts.get(room)
        if entry is None:
            return None
        identity, until = entry
        if self.clock() >= until:
            del self._hosts[room]
            return None
        return identity

    def reserve_host(self, room: str, identity: str, ttl: float = HOST_TOKEN_TTL) -> None:
        self._hosts[room] = (identity, self.clock() + ttl)

    def release_host(self, room: str) -> None:
        self._hosts.pop(room, None)
