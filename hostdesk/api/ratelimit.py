"""Requests per client address per minute, by endpoint group, as the contract's table says."""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from hostdesk.show.errors import RateLimited
from hostdesk.show.rules import RATE_LIMITS, RATE_WINDOW_S

_PRUNE_AT = 10_000


@dataclass
class RateLimiter:
    limits: dict[str, int] = field(default_factory=lambda: dict(RATE_LIMITS))
    window: float = RATE_WINDOW_S
    clock: Callable[[], float] = time.monotonic
    _counts: dict[tuple[str, str], tuple[float, int]] = field(default_factory=dict)
    _pruned_at: float = float("-inf")

    def hit(self, group: str, client: str) -> None:
        """Counts one request; raises RateLimited once the group's limit is used up."""
        now = self.clock()
        key = (group, client)
        start, count = self._counts.get(key, (now, 0))
        if now - start >= self.window:
            start, count = now, 0
        limit = self.limits.get(group, self.limits["other"])
        if count >= limit:
            raise RateLimited(retry_after=max(1, math.ceil(start + self.window - now)))
        self._counts[key] = (start, count + 1)
        if len(self._counts) > _PRUNE_AT and now - self._pruned_at >= self.window:
            self._prune(now)

    def _prune(self, now: float) -> None:
        self._pruned_at = now
        expired = [k for k, (start, _) in self._counts.items() if now - start >= self.window]
        for key in expired:
            del self._counts[key]
