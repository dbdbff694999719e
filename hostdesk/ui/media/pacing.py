"""Keeping generated media (the test pattern, the tone) to wall-clock time."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt, QTimer


def precise_timer(interval_ms: int, on_timeout: Callable[[], None]) -> QTimer:
    """A repeating timer of `interval_ms`; a coarse one may fire up to 5% late each time, and
    media wants an even pace."""
    timer = QTimer()
    timer.setTimerType(Qt.TimerType.PreciseTimer)
    timer.setInterval(interval_ms)
    timer.timeout.connect(on_timeout)
    return timer


class Pacer:
    """How many fixed periods have come due since `restart`.

    A timer that fires late then catches up, so a stream paced by it keeps to wall time instead of
    drifting behind; after a long stall it skips what is older than `max_burst` periods rather
    than bursting it all out at once.
    """

    def __init__(self, period_ns: int, max_burst: int) -> None:
        self._period_ns = period_ns
        self._max_burst = max_burst
        self._start_ns = 0
        self._done = 0

    def restart(self, now_ns: int) -> None:
        self._start_ns = now_ns
        self._done = 0

    def due(self, now_ns: int) -> int:
        elapsed = (now_ns - self._start_ns) // self._period_ns
        due = max(0, min(elapsed - self._done, self._max_burst))
        self._done = max(self._done, elapsed)
        return due
