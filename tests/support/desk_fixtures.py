"""The host's desktop app, offscreen, on the test run's real livekit-server and real API."""

from __future__ import annotations

import asyncio
import os
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import pytest_asyncio
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget

from hostdesk.host import HostControl
from hostdesk.livekit.backstage_session import BackstageSession
from hostdesk.livekit.session import HostSession
from hostdesk.reach import Audience
from hostdesk.service import ShowService
from hostdesk.show.connection import ConnectionState
from hostdesk.show.mirror import ShowMirror
from hostdesk.show.roles import Role
from hostdesk.ui.dialogs import GoLiveChoice
from hostdesk.ui.main_window import MainWindow
from hostdesk.ui.settings import TEST_PATTERN, TONE, PrefsStore
from tests.support.api_fixtures import RunningApi, StartApi, new_room
from tests.support.bots import Bot
from tests.support.fakes import FakeRooms, FakeTokens


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


#: The offscreen window's size: a laptop's screen, as the screenshots show it.
SCREENSHOT_SIZE = (1366, 768)


async def bring_on_stage(desk: Desk, bot: Bot) -> None:
    """The bot raises a hand, the host invites it from the hands panel (the first hand), the
    bot accepts; returns once the window's mirror has it as a guest."""
    await raise_hand(desk, bot)
    await eventually(lambda: bot.identity in desk.mirror.hands, 5, f"{bot.identity}'s hand")
    select_hand(desk, desk.mirror.hands.index(bot.identity))
    desk.window.hands.invite_button.click()
    await bot.wait_message("guest_invite")
    await answer_invite(desk, bot, accepted=True)
    await eventually(lambda: desk.mirror.role_of(bot.identity) is Role.GUEST, 10, "a guest")
    await bot.wait_for(lambda: bot.room.local_participant.permissions.can_publish, 10)


def save_screenshot(desk: Desk, name: str) -> None:
    """The window as the host sees it, into docs/screenshots (or HOSTDESK_SCREENSHOT_DIR)."""
    save_widget(desk.window, name)


def save_widget(widget: QWidget, name: str) -> None:
    """A window or dialog as the host sees it, into docs/screenshots (or
    HOSTDESK_SCREENSHOT_DIR)."""
    target = Path(os.environ.get("HOSTDESK_SCREENSHOT_DIR", "docs/screenshots"))
    target.mkdir(parents=True, exist_ok=True)
    assert widget.grab().save(str(target / name))


class LocalAccess:
    """How viewers get in, for a window with no API behind it (hostdesk.backend.Backend's
    part that the window reads)."""

    audience = Audience.THIS_COMPUTER

    def watch_link(self, room: str) -> str:
        return f"http://127.0.0.1:3001/watch/{room}"

    def access_details(self) -> str:
        return "This computer only"

    async def change_audience(self, audience: Audience) -> None:
        self.audience = audience


def stage_prefs(tmp_path: Path, to_backstage: bool = False) -> PrefsStore:
    """The window's preferences of its own, invitations going on stage unless `to_backstage`."""
    store = PrefsStore(QSettings(str(tmp_path / "prefs.ini"), QSettings.Format.IniFormat))
    store.save(replace(store.load(), invite_to_backstage=to_backstage))
    return store


@asynccontextmanager
async def idle_window(tmp_path: Path, stage_size: int = 6) -> AsyncIterator[Desk]:
    """The host's window, offscreen, not live and with no LiveKit or API behind it (the rules
    over an in-memory room service): for what the window draws from the mirror and the media
    the session hands it. `Desk.api` is not there."""
    mirror = ShowMirror()
    session = HostSession(mirror)
    service = ShowService(FakeRooms(), FakeTokens(), stage_size=stage_size)
    control = HostControl(service, session, mirror)
    store = stage_prefs(tmp_path)
    window = MainWindow(control, session, LocalAccess(), store)
    window.show()
    window.resize(*SCREENSHOT_SIZE)
    try:
        yield Desk(None, window, control, session, mirror)  # type: ignore[arg-type]
    finally:
        window.close()
        await window.bridge.aclose()


@asynccontextmanager
async def host_window(
    api: RunningApi,
    tmp_path: Path,
    size: tuple[int, int] | None = SCREENSHOT_SIZE,
    to_backstage: bool = False,
) -> AsyncIterator[Desk]:
    """The host's window, offscreen, on `api`'s backend, with preferences of its own; `size`
    None leaves it where it placed itself on its screen (a real X server's). Invitations go on
    stage unless `to_backstage` (the window's own default is backstage)."""
    mirror = ShowMirror()
    session = HostSession(mirror)
    control = HostControl(api.backend.service, session, mirror)
    store = stage_prefs(tmp_path, to_backstage)
    window = MainWindow(control, session, api.backend, store, BackstageSession())
    window.show()
    await asyncio.sleep(0.05)  # the window fits itself to its screen first
    if size is not None:
        window.resize(*size)
    try:
        yield Desk(api, window, control, session, mirror)
    finally:
        window.close()
        await window.bridge.aclose()
        await window.backstage_view.aclose()
        await control.leave()


@pytest_asyncio.fixture(loop_scope="session")
async def desk(start_api: StartApi, tmp_path: Path) -> AsyncIterator[Desk]:
    async with host_window(await start_api(auth=True), tmp_path) as desk:
        yield desk
