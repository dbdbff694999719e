"""Runs the controller's coroutines for the window and turns failures into readable messages.

Widgets call `bridge.run("Invite", control.invite(identity))`; the bridge keeps the task,
reports `ShowError`s as the message they carry and anything unexpected as a short sentence
(the traceback goes to the log, never to the host's screen).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Coroutine
from typing import Any

from PySide6.QtCore import QObject, Signal

from hostdesk.config import ConfigError
from hostdesk.show.errors import ShowError

log = logging.getLogger("hostdesk.ui")


class Bridge(QObject):
    error = Signal(str)
    info = Signal(str)
    busy_changed = Signal(bool)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._tasks: dict[str, asyncio.Task[Any]] = {}

    def run(self, action: str, coro: Coroutine[Any, Any, Any]) -> asyncio.Task[Any]:
        """Starts `coro`; a second run of the same action replaces a first still running."""
        earlier = self._tasks.get(action)
        if earlier is not None and not earlier.done():
            earlier.cancel()
        task = asyncio.ensure_future(self._guard(action, coro))
        self._tasks[action] = task
        self.busy_changed.emit(True)
        task.add_done_callback(lambda _t: self._finished(action, task))
        return task

    def _finished(self, action: str, task: asyncio.Task[Any]) -> None:
        if self._tasks.get(action) is task:
            del self._tasks[action]
        self.busy_changed.emit(bool(self._tasks))

    async def _guard(self, action: str, coro: Coroutine[Any, Any, Any]) -> Any:
        try:
            return await coro
        except asyncio.CancelledError:
            raise
        except ShowError as exc:
            self.error.emit(f"{action}: {exc.message}")
        except ConfigError as exc:  # the host's settings cannot work: the sentence says why
            self.error.emit(f"{action}: {exc}")
        except (ConnectionError, TimeoutError, OSError) as exc:
            log.warning("%s failed: %r", action, exc)
            self.error.emit(f"{action}: cannot reach LiveKit ({exc or type(exc).__name__})")
        except Exception:
            log.exception("%s failed", action)
            self.error.emit(f"{action} failed unexpectedly; see the log for details")
        return None

    async def aclose(self) -> None:
        tasks = list(self._tasks.values())
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
