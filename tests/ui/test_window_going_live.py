"""The window keeps trying to go live while the show has a host elsewhere or LiveKit is out of
reach, says what it waits for, stops on Cancel, and goes live by itself once it can."""

from __future__ import annotations

import asyncio
import json
import socket
import time
from pathlib import Path
from types import SimpleNamespace

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QApplication

from hostdesk.app import _desktop
from hostdesk.config import LiveKitSettings, Settings
from hostdesk.show import rules
from hostdesk.show.connection import ConnectionState
from hostdesk.ui.dialogs import GoLiveChoice
from hostdesk.ui.main_window import MainWindow
from hostdesk.ui.settings import TEST_PATTERN, TONE, PrefsStore
from tests.support.api_fixtures import API_KEY, RunningApi, StartApi, new_room
from tests.support.bots import Bot
from tests.support.desk_fixtures import Desk, eventually, host_window, save_screenshot
from tests.support.livekit_fixtures import sigterms

__all__ = ["sigterms"]

HOST_ELSEWHERE = "the show already has a host (another computer?)"


async def _host_elsewhere(desk: Desk) -> Bot:
    """Another computer hosting the desk's next show: a real participant joined as host."""
    desk.room = new_room()
    return await desk.api.joined_bot(desk.room, "Other Computer", role="host")


def _go_live(desk: Desk) -> None:
    desk.window.go_live(GoLiveChoice(desk.room, "Jane Host", TEST_PATTERN, TONE))


def _waiting(desk: Desk) -> str:
    bar = desk.window.waiting_bar
    return bar.label.text() if bar.isVisible() else ""


async def test_a_show_hosted_elsewhere_is_waited_for_and_joined_once_that_host_leaves(
    desk: Desk,
) -> None:
    other = await _host_elsewhere(desk)
    _go_live(desk)

    prefix = f"Waiting to go live in {desk.room}: {HOST_ELSEWHERE} — trying again in "
    await eventually(
        lambda: _waiting(desk).startswith(prefix), 10, "the waiting text", lambda: _waiting(desk)
    )
    await eventually(lambda: desk.window.going_live.failures >= 2, 10, "a second attempt")
    assert desk.session.state is ConnectionState.OFFLINE
    assert desk.window.state_label.text() == "Waiting…"
    assert not desk.window.banner.isVisible()  # one message, not the waiting one and an error
    await eventually(lambda: desk.window.stage.host_view.has_video, 5, "the host's preview")
    save_screenshot(desk, "host-waiting-to-go-live.png")

    await other.close()  # the other computer leaves the show; nobody clicks anything here
    await eventually(
        lambda: desk.session.state is ConnectionState.LIVE, 20, "live", lambda: _waiting(desk)
    )
    assert not desk.window.waiting_bar.isVisible()
    assert not desk.window.going_live.active
    assert desk.window.state_label.text() == "● LIVE"
    reply = await desk.api.request("GET", f"/api/rooms/{desk.room}/participants", key=True)
    roles = {p["identity"]: json.loads(p["metadata"])["role"] for p in reply.body["participants"]}
    hosts = [identity for identity, role in roles.items() if role == "host"]
    assert hosts == [desk.control.identity]


async def test_cancel_stops_the_attempts_and_the_preview(desk: Desk) -> None:
    """Cancel ends the run of attempts itself (no task is left to try again), not just the text."""
    other = await _host_elsewhere(desk)
    _go_live(desk)
    await eventually(lambda: HOST_ELSEWHERE in _waiting(desk), 10, "the waiting text")
    await eventually(lambda: desk.window.stage.host_view.has_video, 5, "the host's preview")

    desk.window.waiting_bar.cancel_button.click()
    await eventually(lambda: not desk.window.going_live.active, 5, "the attempts to stop")
    assert not desk.window.waiting_bar.isVisible()
    assert not desk.window.stage.host_view.has_video
    assert desk.window.show_label.text() == "No show"
    assert desk.window.statusBar().currentMessage() == "Stopped trying to go live"
    assert desk.control.room == "" and desk.session.state is ConnectionState.OFFLINE
    await other.close()


async def test_cancel_in_the_middle_of_joining_leaves_hostdesk_running_and_no_host_behind(
    desk: Desk, sigterms: list[float]
) -> None:
    """The Cancel lands while LiveKit is still joining the host (livekit/joining.py): the
    SDK's FFI, had the join been cancelled, would SIGTERM HostDesk 15 s later."""
    desk.room = new_room()
    loop = asyncio.get_running_loop()

    def cancel_once_the_join_is_sent(state: ConnectionState, _reason: str) -> None:
        if state is ConnectionState.CONNECTING:  # the join goes out on the next turns
            loop.call_soon(loop.call_soon, desk.window.cancel_going_live)

    desk.session.state_changed.connect(cancel_once_the_join_is_sent)
    _go_live(desk)
    await eventually(lambda: not desk.window.going_live.active, 10, "the attempts to stop")
    cancelled_at = time.monotonic()
    desk.session.state_changed.disconnect(cancel_once_the_join_is_sent)
    assert desk.session.state is not ConnectionState.LIVE
    assert desk.window.show_label.text() == "No show"

    await asyncio.sleep(6.0)  # the join ends by itself, and its room is left at once
    reply = await desk.api.request("GET", f"/api/rooms/{desk.room}/participants", key=True)
    left = [p["identity"] for p in reply.body.get("participants", [])]
    assert desk.control.identity not in left, f"the host is still in the room: {left}"
    await asyncio.sleep(max(0.0, cancelled_at + 18.0 - time.monotonic()))
    assert sigterms == [], "HostDesk was sent SIGTERM: it would have quit"


async def test_an_invalid_show_name_is_shown_once_and_not_retried(desk: Desk) -> None:
    desk.room = "x" * (rules.NAME_MAX_LENGTH + 1)
    _go_live(desk)
    expected = f"Go live: roomName must be at most {rules.NAME_MAX_LENGTH} characters"
    await eventually(
        lambda: desk.window.banner.text() == expected, 5, "the error", desk.window.banner.text
    )
    assert desk.window.banner.isVisible()
    assert not desk.window.going_live.active
    assert desk.window.going_live.failures == 0
    assert not desk.window.waiting_bar.isVisible()


async def test_an_unreachable_livekit_is_waited_for_with_the_reason(
    start_api: StartApi, livekit_server: object, tmp_path: Path
) -> None:
    with socket.socket() as probe:  # a port nothing listens on: connections are refused
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    creds = livekit_server.credentials  # type: ignore[attr-defined]
    nowhere = SimpleNamespace(
        credentials=SimpleNamespace(
            url=f"ws://127.0.0.1:{port}", api_key=creds.api_key, api_secret=creds.api_secret
        )
    )
    api = await start_api(livekit=nowhere)
    async with host_window(api, tmp_path) as desk:
        desk.room = new_room()
        _go_live(desk)
        await eventually(
            lambda: (
                "cannot reach LiveKit (LiveKit server unavailable) — trying again in"
                in _waiting(desk)
            ),
            15,
            "the waiting text",
            lambda: _waiting(desk),
        )
        assert _waiting(desk).startswith(f"Waiting to go live in {desk.room}: ")
        await eventually(lambda: desk.window.going_live.failures >= 2, 10, "a second attempt")
        desk.window.waiting_bar.cancel_button.click()
        await eventually(lambda: not desk.window.going_live.active, 5, "the attempts to stop")


async def test_go_live_at_launch_waits_for_the_other_host_too(
    api: RunningApi, livekit_server: object, tmp_path: Path
) -> None:
    """`hostdesk --go-live ROOM --host-name NAME` (app._desktop) on a show hosted elsewhere."""
    room = new_room()
    other = await api.joined_bot(room, "Other Computer", role="host")
    creds = livekit_server.credentials  # type: ignore[attr-defined]
    settings = Settings(
        api_host="127.0.0.1",
        api_port=0,
        api_key=API_KEY,
        livekit=LiveKitSettings(creds.url, creds.api_key, creds.api_secret),
    )
    prefs = PrefsStore(QSettings(str(tmp_path / "prefs.ini"), QSettings.Format.IniFormat))
    closed: asyncio.Future[None] = asyncio.get_running_loop().create_future()
    launched = asyncio.ensure_future(
        _desktop(settings, (room, "Jane Host"), {"host", "port", "livekit"}, closed, prefs)
    )
    try:
        window = await eventually(lambda: _launched_window(room), 15, "the launched window")
        bar = window.waiting_bar
        await eventually(
            lambda: bar.isVisible() and HOST_ELSEWHERE in bar.label.text(), 10, "the waiting text"
        )
        await other.close()
        await eventually(lambda: window.control.session.state is ConnectionState.LIVE, 20, "live")
        assert not bar.isVisible()
    finally:
        if not closed.done():
            closed.set_result(None)
        assert await asyncio.wait_for(launched, 30) == 0


def _launched_window(room: str) -> MainWindow | None:
    return next(
        (
            w
            for w in QApplication.topLevelWidgets()
            if isinstance(w, MainWindow) and w.isVisible() and w.show_label.text() == room
        ),
        None,
    )
