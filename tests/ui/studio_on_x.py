"""The host's window with the host, two guests and a guest backstage, run as its own process on
a real X server (tests/ui/test_window_on_x.py starts Xvfb, a window manager and this, with
QT_QPA_PLATFORM=xcb): the window places itself on the screen as on a laptop or a desktop, the
guests (bots) publish colours and one a tone, and the whole screen is saved as a PNG. Prints,
as its last line, a JSON object of what the test checks: the screen's available area, the
window's frame, and where the bottom rows (the host's switches, the chat's input) and the tiles
are on the screen.

    python -m tests.ui.studio_on_x LIVEKIT_URL API_KEY API_SECRET OUT.png
"""

from __future__ import annotations

import asyncio
import json
import sys
import tempfile
from pathlib import Path
from typing import Any

import aiohttp
import qasync
from PySide6.QtCore import QPoint, QRect
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication, QWidget

from hostdesk.backend import start_backend
from hostdesk.config import LiveKitSettings, Settings
from tests.support.api_fixtures import API_KEY, RunningApi
from tests.support.bots import Bot
from tests.support.desk_fixtures import Desk, bring_on_stage, eventually, host_window, viewer

ORANGE, TEAL, PURPLE = (230, 120, 20), (20, 160, 150), (130, 60, 200)


def _on_screen(widget: QWidget) -> list[int]:
    top_left = widget.mapToGlobal(QPoint(0, 0))
    rect = QRect(top_left, widget.size())
    return [rect.x(), rect.y(), rect.width(), rect.height()]


def _rect(rect: QRect) -> list[int]:
    return [rect.x(), rect.y(), rect.width(), rect.height()]


def _shows(desk: Desk, index: int, rgb: tuple[int, int, int]) -> bool:
    return _view_shows(desk.window.stage.guest_tiles[index].view, rgb)


def _view_shows(view: QWidget, rgb: tuple[int, int, int]) -> bool:
    image = view.grab().toImage()
    colour = image.pixelColor(image.width() // 2, image.height() // 2)
    seen = (colour.red(), colour.green(), colour.blue())
    return all(abs(a - b) < 35 for a, b in zip(seen, rgb, strict=True))


async def _studio(livekit: LiveKitSettings, out: Path) -> dict[str, Any]:
    settings = Settings(
        api_host="127.0.0.1", api_port=0, api_key=API_KEY, stage_size=2, livekit=livekit
    )
    backend = await start_backend(settings)
    api = RunningApi(backend, aiohttp.ClientSession())
    try:
        with tempfile.TemporaryDirectory() as tmp:
            async with host_window(api, Path(tmp), size=None) as desk:
                return await _show(desk, out)
    finally:
        for bot in api.bots:
            await bot.close()
        await api.session.close()
        await backend.aclose()


async def _show(desk: Desk, out: Path) -> dict[str, Any]:
    await desk.go_live("Jane Host")
    bots = [await viewer(desk, name) for name in ("Cy Left", "Di Right")]
    for bot in bots:
        await bring_on_stage(desk, bot)
    for bot, colour in zip(bots, (ORANGE, TEAL), strict=True):
        await bot.publish_colour(colour, size=(640, 360))
    await bots[0].publish_tone(440, level=0.3)
    for index, colour in enumerate((ORANGE, TEAL)):
        await eventually(lambda i=index, c=colour: _shows(desk, i, c), 20, f"guest {index}")
    levels = desk.window.stage_view.levels
    await eventually(lambda: levels.level(bots[0].identity) > 0.5, 10, "the guest's meter")
    waiting = await _backstage_guest(desk, "Ann Backstage")
    backstage = desk.window.backstage
    tile = await eventually(lambda: backstage.tiles.get(waiting.identity), 10, "backstage tile")
    await eventually(lambda: _view_shows(tile.view, PURPLE), 20, "the backstage guest")
    desk.window.chat.input.setText("Welcome, both of you!")
    desk.window.chat.send_button.click()
    await eventually(lambda: desk.window.chat_model.rowCount() == 1, 5, "the chat line")
    await asyncio.sleep(1.0)  # a second of the clock on the guests' tiles
    window = desk.window
    screen = window.screen()
    assert screen.grabWindow(0).save(str(out)), f"could not save {out}"
    return {
        "platform": QGuiApplication.platformName(),
        "screen": _rect(screen.geometry()),
        "available": _rect(screen.availableGeometry()),
        "frame": _rect(window.frameGeometry()),
        "window": _rect(window.geometry()),
        "stage_controls": _on_screen(window.stage.mic_button.parentWidget()),
        "chat_input": _on_screen(window.chat.input),
        "status_bar": _on_screen(window.statusBar()),
        "tiles": [_on_screen(t) for t in [window.stage.host_tile, *window.stage.guest_tiles]],
        "backstage_tiles": [_on_screen(t) for t in window.backstage.tiles.values()],
    }


async def _backstage_guest(desk: Desk, name: str) -> Bot:
    """A viewer the host sent backstage (the service, as an accepted invitation does), joined
    there with its own token (as the page does) and showing a colour."""
    bot = await viewer(desk, name)
    service = desk.api.backend.service
    await service.backstage.send(desk.room, bot.identity, desk.control.identity)
    backstage = await desk.api.backstage_bot(desk.room, bot)
    await backstage.publish_colour(PURPLE, size=(640, 360))
    return backstage


def main(argv: list[str]) -> int:
    url, key, secret, out = argv
    app = QApplication.instance() or QApplication([])
    app.setQuitOnLastWindowClosed(False)
    seen = qasync.run(_studio(LiveKitSettings(url, key, secret), Path(out)))
    print(json.dumps(seen), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
