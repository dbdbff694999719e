"""Starting the Qt application on a qasync loop: one entry, one exit, ordered shutdown."""

from __future__ import annotations

import asyncio
import logging
import signal
import sys
from collections.abc import Awaitable, Callable

import qasync
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication

from hostdesk.resources import resource_path

log = logging.getLogger("hostdesk")


def application() -> QApplication:
    app = QApplication.instance()
    if not isinstance(app, QApplication):
        app = QApplication(sys.argv)
    # The app's own shutdown (the window's `closed`, Ctrl+C) ends the loop, in order.
    app.setQuitOnLastWindowClosed(False)
    app.setApplicationName("HostDesk")
    app.setOrganizationName("HostDesk")
    icon = resource_path("icons/hostdesk.png")
    if icon.exists():
        app.setWindowIcon(QIcon(str(icon)))
    return app


def run(main: Callable[[asyncio.Future[None]], Awaitable[int]]) -> int:
    """Runs `main(closed)` on the Qt loop; `closed` resolves on Ctrl+C / SIGTERM (and `main`
    resolves it when its window closes); `main` returns once it has shut everything down."""
    app = application()  # held until the loop ends: PySide6 destroys an unreferenced QApplication

    async def start() -> int:
        loop = asyncio.get_running_loop()
        closed: asyncio.Future[None] = loop.create_future()

        def close(sig: signal.Signals) -> None:
            # Said in the log: a window that closes by itself must leave a reason somewhere.
            log.info("%s: leaving the show, finishing any recording, quitting", sig.name)
            if not closed.done():
                closed.set_result(None)

        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, close, sig)
        return await main(closed)

    result: int = qasync.run(start())
    app.processEvents()  # deliver the last deferred deletes before the interpreter exits
    return result
