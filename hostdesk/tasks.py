"""Background tasks that are never lost: each one's exception is logged, and closing awaits them.

`asyncio.ensure_future` alone keeps a task only by a weak reference and drops its exception
into "Task exception was never retrieved" at garbage collection. A `TaskSet` holds its tasks,
logs what each raised (other than cancellation) under its owner's logger as it finishes, and
`aclose()` cancels what is left and waits until all of it has stopped.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Coroutine
from typing import Any, TypeVar

T = TypeVar("T")


class TaskSet:
    def __init__(self, log: logging.Logger) -> None:
        self._log = log
        self._tasks: set[asyncio.Task[Any]] = set()
        self._closed = False

    def __len__(self) -> int:
        return len(self._tasks)

    def spawn(self, coro: Coroutine[Any, Any, T], name: str = "") -> asyncio.Task[T]:
        """Runs `coro` on the running loop; after `aclose` it is closed unrun and cancelled."""
        task = asyncio.ensure_future(coro)
        if name:
            task.set_name(name)
        if self._closed:
            task.cancel()
        self._tasks.add(task)
        task.add_done_callback(self._finished)
        return task

    def _finished(self, task: asyncio.Task[Any]) -> None:
        self._tasks.discard(task)
        if task.cancelled():
            return
        exc = task.exception()
        if exc is not None:
            self._log.error("%s failed", task.get_name(), exc_info=exc)

    def cancel(self) -> None:
        """Cancels every running task; the set stays usable."""
        for task in list(self._tasks):
            task.cancel()

    async def aclose(self) -> None:
        """Cancels every task and waits for all of them to finish; later spawns are cancelled."""
        self._closed = True
        while self._tasks:
            tasks = list(self._tasks)
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
