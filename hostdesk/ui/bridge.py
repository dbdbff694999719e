"""Runs the controller's coroutines for the window and turns failures into readable messages.

Widgets call `bridge.run("Invite", control.invite(identity), identity)`; the bridge keeps the task,
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
from hostdesk.tasks import TaskSet

log = logging.getLogger("hostdesk.ui")


class Bridge(QObject):
    error = Signal(str)
    info = Signal(str)
    busy_changed = Signal(bool)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        #: the latest run of each (action, target): a second click on the same thing wins
        self._latest: dict[tuple[str, str], asyncio.Task[Any]] = {}
        self._tasks = TaskSet(log)

    def run(
        self, action: str, coro: Coroutine[Any, Any, Any], target: str = ""
    ) -> asyncio.Task[Any]:
        """Starts `coro`; a second run of the same action on the same target replaces a first
        still running (two clicks on Go live, on one microphone toggle). The same action on
        another target runs beside it: inviting B never cancels A's invitation."""
        key = (action, target)
        earlier = self._latest.get(key)
        if earlier is not None and not earlier.done():
            earlier.cancel()
        task = self.add(action, coro)
        self._latest[key] = task
        task.add_done_callback(lambda done: self._forget(key, done))
        return task

    def _forget(self, key: tuple[str, str], task: asyncio.Task[Any]) -> None:
        if self._latest.get(key) is task:
            del self._latest[key]

    def add(self, action: str, coro: Coroutine[Any, Any, Any]) -> asyncio.Task[Any]:
        """Starts `coro` beside everything else, replacing nothing (each chat line is its own)."""
        task = self._tasks.spawn(self._guard(action, coro), name=action)
        self.busy_changed.emit(True)
        task.add_done_callback(self._finished)
        # A task replaced before it first ran never started `coro`: close it, quietly.
        task.add_done_callback(lambda _t: coro.close())
        return task

    def _finished(self, _task: asyncio.Task[Any]) -> None:
        # the set has already let go of the task: it forgets before any other callback runs
        self.busy_changed.emit(len(self._tasks) > 0)

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
        """Cancels what is running and waits until it has stopped; later runs are cancelled."""
        await self._tasks.aclose()
