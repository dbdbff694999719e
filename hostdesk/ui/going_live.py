"""Going live, and keeping at it: a show that cannot start yet is tried again until it can.

Two things stop a host from going live that fix themselves: the room still has a host (the
same show open on another computer, or this one's previous run not yet gone from LiveKit), and
LiveKit being out of reach. Both are retried, 1, 2, 4 s apart and then every 5 s, and the
window says what it waits for and when it tries next. Input that is wrong (a bad show name) or
settings that cannot work stay wrong however often they are tried: they are shown once.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

from PySide6.QtCore import QObject, Signal

from hostdesk.config import ConfigError
from hostdesk.show.errors import Conflict, InvalidInput, ShowError
from hostdesk.ui.bridge import Bridge

log = logging.getLogger("hostdesk.ui")

#: Seconds between the first attempts; after them, STEADY_RETRY_S.
FIRST_RETRIES_S = (1, 2, 4)
STEADY_RETRY_S = 5
HOST_ELSEWHERE = "the show already has a host (another computer?)"

Step = Callable[[], Awaitable[None]]


def retry_delay(failures: int) -> int:
    """Seconds to wait after `failures` attempts in a row have failed (1 or more)."""
    return FIRST_RETRIES_S[failures - 1] if failures <= len(FIRST_RETRIES_S) else STEADY_RETRY_S


def why_waiting(exc: Exception) -> str | None:
    """What going live waits for after `exc`; None when trying again cannot help."""
    if isinstance(exc, InvalidInput | ConfigError):
        return None
    if isinstance(exc, Conflict):
        return HOST_ELSEWHERE
    reason = exc.message if isinstance(exc, ShowError) else str(exc) or type(exc).__name__
    return f"cannot reach LiveKit ({reason})"


def waiting_text(room: str, reason: str, seconds: int) -> str:
    when = f"trying again in {seconds} s" if seconds > 0 else "trying again now…"
    return f"Waiting to go live in {room}: {reason} — {when}"


class GoLiveAttempts(QObject):
    """Runs the attempts through the bridge (one run at a time: a new start replaces the
    running one, which is abandoned first). `waiting(text)` while it waits, `stopped()` once it
    no longer does (live, cancelled, or an error shown by the bridge)."""

    waiting = Signal(str)
    stopped = Signal()

    def __init__(self, bridge: Bridge, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._bridge = bridge
        self._task: asyncio.Task[object] | None = None
        self.failures = 0

    @property
    def active(self) -> bool:
        return self._task is not None and not self._task.done()

    def start(self, room: str, prepare: Step, attempt: Step, abandon: Step) -> None:
        """`prepare` once, then `attempt` until it succeeds; `abandon` undoes `prepare` when
        the attempts end without the show live."""
        previous = self._task
        self._task = self._bridge.run(
            "Go live", self._run(previous, room, prepare, attempt, abandon)
        )

    def cancel(self) -> None:
        if self._task is not None:
            self._task.cancel()

    async def _run(
        self,
        previous: asyncio.Task[object] | None,
        room: str,
        prepare: Step,
        attempt: Step,
        abandon: Step,
    ) -> None:
        if previous is not None:  # the bridge cancelled it: let it undo what it started
            await asyncio.gather(previous, return_exceptions=True)
        self.failures = 0
        live = False
        try:
            await prepare()
            while not live:
                live = await self._try(room, attempt)
        finally:
            if not live:
                await asyncio.shield(abandon())
            if asyncio.current_task() is self._task:  # not replaced by a later start
                self._task = None
                self.stopped.emit()

    async def _try(self, room: str, attempt: Step) -> bool:
        try:
            await attempt()
        except Exception as exc:
            reason = why_waiting(exc)
            if reason is None:
                raise
            self.failures += 1
            if self.failures == 1:
                # The SDK's own connect error is a bare Exception, and so is a bug: the trace
                # of one that is neither ours nor the network's goes to the log, once.
                expected = isinstance(exc, ShowError | OSError)
                log.warning("cannot go live yet: %s", reason, exc_info=None if expected else exc)
            for seconds in range(retry_delay(self.failures), 0, -1):
                self.waiting.emit(waiting_text(room, reason, seconds))
                await asyncio.sleep(1)
            self.waiting.emit(waiting_text(room, reason, 0))
            return False
        return True
