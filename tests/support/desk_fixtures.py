"""The host's desktop app, offscreen, on the test run's real livekit-server and real API."""

from __future__ import annotations

import asyncio
import os
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest_asyncio
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QApplication, QMessageBox

from hostdesk.host import HostControl
from hostdesk.livekit.session import HostSession
from hostdesk.show.connection import ConnectionState
from hostdesk.show.mirror import ShowMirror
from hostdesk.ui.dialogs import GoLiveChoice
from hostdesk.ui.main_window import MainWindow
from hostdesk.ui.settings import TEST_PATTERN, TONE, PrefsStore
from tests.support.api_fixtures import RunningApi, StartApi, new_room
from tests.support.bots import Bot


async def eventually(
    condition: Callable[[], Any],
    timeout: float = 10.0,
    what: str = "",
    state: Callable[[], str] | None = None,
) -> Any:
    """Awaits `condition()` becoming truthy while the Qt loop keeps running; `state()` says
    what there was instead when it times out."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            seen = f"; instead: {state()}" if state else ""
            waited = what or condition
            raise AssertionError(f"timed out after {timeout} s waiting for {waited}{seen}")
        await asyncio.sleep(0.02)


@dataclass
class Desk:
    api: RunningApi
    window: MainWindow
    control: HostControl
    session: HostSession
    mirror: ShowMirror
    room: str = ""

    async def go_live(self, host_name: str = "Jane Host") -> None:
        self.room = new_room()
        self.window.go_live(GoLiveChoice(self.room, host_name, TEST_PATTERN, TONE))
        await eventually(lambda: self.session.state is ConnectionState.LIVE, 15, "going live")

    def hand_names(self) -> list[str]:
        return [m.name for m in self.mirror.hand_queue()]

    def queue_rows(self) -> list[str]:
        model = self.window.hands_model
        return [str(model.index(r, 0).data()) for r in range(model.rowCount())]

    async def accept_confirmation(self) -> None:
        box = await eventually(
            lambda: next(
                (
                    w
                    for w in QApplication.topLevelWidgets()
                    if isinstance(w, QMessageBox) and w.isVisible()
                ),
                None,
            ),
            5,
            "a confirmation",
        )
        box.accept()


async def viewer(desk: Desk, name: str) -> Bot:
    """A viewer in the desk's show (a real participant), once the window lists them."""
    bot = await desk.api.joined_bot(desk.room, name)
    await eventually(lambda: desk.mirror.get(bot.identity), 10, f"{name} in the audience")
    await bot.wait_for(lambda: bot.remote(desk.control.identity))
    return bot


async def raise_hand(desk: Desk, bot: Bot, raised: bool = True) -> None:
    """Raises (or lowers) the bot's hand the way the viewer page does: through the API."""
    reply = await desk.api.request(
        "POST",
        f"/api/rooms/{desk.room}/hand-raise",
        {"participantIdentity": bot.identity, "raised": raised},
        token=bot.token,
    )
    assert reply.status == 200, reply.body


def select_hand(desk: Desk, row: int) -> None:
    view = desk.window.hands.view
    view.setCurrentIndex(view.model().index(row, 0))


async def answer_invite(desk: Desk, bot: Bot, accepted: bool) -> None:
    """The bot's `guest_invite_response` to the host, as the viewer page sends it."""
    await bot.send(
        {
            "type": "guest_invite_response",
            "senderId": bot.identity,
            "senderName": bot.identity,
            "timestamp": int(time.time() * 1000),
            "accepted": accepted,
        },
        to=[desk.control.identity],
    )


def save_screenshot(desk: Desk, name: str) -> None:
    """The window as the host sees it, into docs/screenshots (or HOSTDESK_SCREENSHOT_DIR)."""
    target = Path(os.environ.get("HOSTDESK_SCREENSHOT_DIR", "docs/screenshots"))
    target.mkdir(parents=True, exist_ok=True)
    assert desk.window.grab().save(str(target / name))


@asynccontextmanager
async def host_window(api: RunningApi, tmp_path: Path) -> AsyncIterator[Desk]:
    """The host's window, offscreen, on `api`'s backend, with preferences of its own."""
    mirror = ShowMirror()
    session = HostSession(mirror)
    control = HostControl(api.backend.service, session, mirror)
    store = PrefsStore(QSettings(str(tmp_path / "prefs.ini"), QSettings.Format.IniFormat))
    window = MainWindow(control, session, api.backend, store)
    window.show()
    try:
        yield Desk(api, window, control, session, mirror)
    finally:
        window.close()
        await window.bridge.aclose()
        await control.leave()


@pytest_asyncio.fixture(loop_scope="session")
async def desk(start_api: StartApi, tmp_path: Path) -> AsyncIterator[Desk]:
    async with host_window(await start_api(auth=True), tmp_path) as desk:
        yield desk
