"""Several guests on stage, as a viewer's page shows them in headless Chromium: the host and each
guest in a tile of their own (each guest's colour on screen in their tile), a grid that fits the
viewport and a speaker-focus layout that the viewer picks and keeps, the picture letterboxed and
never cropped (also on a phone), and a ring on whoever is speaking. The real API (auth on, stage
size 3, the host's calls with its API key), a real livekit-server, bots of the Python SDK as the
host and the guests (solid colours, a tone, silence)."""

from __future__ import annotations

import asyncio
import os
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest_asyncio

from tests.support.api_fixtures import RunningApi, StartApi, new_room
from tests.support.bots import Bot, Tone
from tests.support.browser_fixtures import OpenPage, ViewerPage

LIVE = "hostdeskViewer.state === 'live'"
HOST_RGB = (230, 200, 40)
#: The host's picture is 4:3 with a band of its own colour along the top and the bottom: shown
#: whole, both bands are on screen; cropped to fill a 16:9 tile, both would be cut away.
HOST_SIZE = (320, 240)
HOST_TOP_RGB = (250, 250, 250)
HOST_BOTTOM_RGB = (0, 210, 220)
BAND_ROWS = 20
RED = (220, 40, 40)
GREEN = (40, 200, 60)
BLUE = (40, 80, 230)
#: The ring on a speaking member's tile (viewer.css --speaking).
RING_RGB = (61, 220, 132)
#: Every tile on the page, in document order, with where it is and what it shows.
TILES = """() => [...document.querySelectorAll('#stage .tile')].map((tile) => {
  const box = tile.getBoundingClientRect();
  const video = tile.querySelector('video');
  return {
    identity: tile.dataset.identity, role: tile.dataset.role,
    name: tile.querySelector('.name').textContent,
    x: box.x, y: box.y, width: box.width, height: box.height,
    speaking: tile.classList.contains('speaking'), focused: tile.classList.contains('focused'),
    playing: video.videoWidth > 0 && !video.paused && video.readyState >= 2,
    fit: getComputedStyle(video).objectFit,
  };
})"""


async def _until(
    condition: Callable[[], Awaitable[Any]],
    timeout: float,
    what: str,
    state: Callable[[], Awaitable[str]],
) -> None:
    """Awaits `condition()` until it is truthy; on timeout says what `state()` shows."""
    deadline = time.monotonic() + timeout
    while not await condition():
        if time.monotonic() > deadline:
            raise AssertionError(
                f"timed out after {timeout:g} s waiting for {what}: {await state()}"
            )
        await asyncio.sleep(0.1)


def _host_picture() -> bytes:
    width, height = HOST_SIZE
    row = lambda rgb: bytes([*rgb, 255]) * width  # noqa: E731
    return (
        row(HOST_TOP_RGB) * BAND_ROWS
        + row(HOST_RGB) * (height - 2 * BAND_ROWS)
        + row(HOST_BOTTOM_RGB) * BAND_ROWS
    )


def _close_to(actual: tuple[int, ...], expected: tuple[int, ...], slack: int = 40) -> bool:
    return all(abs(a - e) <= slack for a, e in zip(actual, expected, strict=True))


def _screenshot_dir() -> Path:
    target = Path(os.environ.get("HOSTDESK_SCREENSHOT_DIR", "docs/screenshots"))
    target.mkdir(parents=True, exist_ok=True)
    return target


def _centre(tile: dict[str, Any]) -> tuple[float, float]:
    return tile["x"] + tile["width"] / 2, tile["y"] + tile["height"] / 2


def _overlap(a: dict[str, Any], b: dict[str, Any]) -> bool:
    return (
        a["x"] < b["x"] + b["width"]
        and b["x"] < a["x"] + a["width"]
        and a["y"] < b["y"] + b["height"]
        and b["y"] < a["y"] + a["height"]
    )


@dataclass
class Show:
    api: RunningApi
    room: str
    host: Bot
    open_page: OpenPage
    guests: list[Bot] = field(default_factory=list)

    async def watch(
        self, name: str, label: str, width: int = 1280, height: int = 800
    ) -> ViewerPage:
        """A viewer's page joined and live, its tiles placed without animation."""
        viewer = await self.open_page(
            f"{self.api.url}/watch/{self.room}", label=label, width=width, height=height
        )
        await viewer.page.emulate_media(reduced_motion="reduce")
        await viewer.page.fill("#name-input", name)
        await viewer.page.click("#join-button")
        await viewer.until(LIVE, 20, "the page live")
        return viewer

    async def guest(self, name: str, rgb: tuple[int, int, int]) -> Bot:
        """A viewer bot the host invites through the API; on stage, it shows `rgb`."""
        bot = await self.api.joined_bot(self.room, name)
        await self.host.wait_for(lambda: self.host.remote(bot.identity))
        reply = await self.api.request(
            "POST",
            f"/api/rooms/{self.room}/invite",
            {"viewerIdentity": bot.identity, "hostIdentity": self.host.identity},
            key=True,
        )
        assert reply.status == 200, reply.body
        await bot.wait_for(lambda: bot.room.local_participant.permissions.can_publish)
        await bot.publish_colour(rgb)
        self.guests.append(bot)
        return bot


@pytest_asyncio.fixture(loop_scope="session")
async def show(start_api: StartApi, viewer_pages: OpenPage) -> AsyncIterator[Show]:
    """A live show of stage size 3: a host bot showing HOST_RGB, nobody on stage yet."""
    api = await start_api(stage_size=3)
    room = new_room()
    host = await api.joined_bot(room, "Jane Host", "host")
    await host.publish_picture(_host_picture(), HOST_SIZE)
    yield Show(api, room, host, viewer_pages)


async def _tiles(viewer: ViewerPage) -> list[dict[str, Any]]:
    tiles: list[dict[str, Any]] = await viewer.page.evaluate(TILES)
    return tiles


async def _on_screen(viewer: ViewerPage, expected: dict[str, tuple[int, int, int]]) -> bool:
    """Each identity's tile is playing and shows its colour at its centre, on screen."""
    tiles = {t["identity"]: t for t in await _tiles(viewer)}
    if set(tiles) != set(expected) or not all(t["playing"] for t in tiles.values()):
        return False
    order = list(expected)
    seen = await viewer.screen_pixels([_centre(tiles[i]) for i in order])
    return all(_close_to(colour, expected[i]) for i, colour in zip(order, seen, strict=True))


async def _until_on_screen(
    viewer: ViewerPage, expected: dict[str, tuple[int, int, int]], what: str
) -> None:
    async def shown() -> str:
        tiles = await _tiles(viewer)
        pixels = await viewer.screen_pixels([_centre(t) for t in tiles])
        return f"{[(t['identity'], t['playing']) for t in tiles]} centres {pixels}"

    await _until(lambda: _on_screen(viewer, expected), 25, what, shown)


def _reading_order(tiles: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The tiles as a viewer reads the stage: row by row, left to right."""
    return sorted(tiles, key=lambda t: (round(t["y"]), t["x"]))


def _fits(tiles: list[dict[str, Any]], width: int, height: int) -> None:
    for tile in tiles:
        assert tile["x"] >= 0 and tile["x"] + tile["width"] <= width + 0.5, tile
        assert tile["y"] >= 0 and tile["y"] + tile["height"] <= height + 0.5, tile
        assert abs(tile["width"] * 9 / 16 - tile["height"]) <= 1.5, tile
        assert tile["fit"] == "contain", tile
    for i, a in enumerate(tiles):
        for b in tiles[i + 1 :]:
            assert not _overlap(a, b), (a, b)


async def test_two_then_three_guests_each_show_in_their_own_tile_in_a_grid_that_fits(
    show: Show,
) -> None:
    viewer = await show.watch("Vi Viewer", "viewer")
    host = show.host.identity
    await _until_on_screen(viewer, {host: HOST_RGB}, "the host's tile alone")
    assert await viewer.page.is_hidden("#layout-switch")  # nothing to lay out yet

    # Zoe comes on first: her tile comes first though her identity sorts last.
    zoe = await show.guest("Zoe Guest", RED)
    bo = await show.guest("Bo Guest", GREEN)
    expected = {host: HOST_RGB, zoe.identity: RED, bo.identity: GREEN}
    await _until_on_screen(viewer, expected, "the host and two guests, each in their tile")
    tiles = await _tiles(viewer)
    assert [(t["role"], t["name"]) for t in _reading_order(tiles)] == [
        ("host", "Jane Host"),
        ("guest", "Zoe Guest"),
        ("guest", "Bo Guest"),
    ]
    _fits(tiles, 1280, 800)

    cy = await show.guest("Cy Guest", BLUE)
    expected[cy.identity] = BLUE
    await _until_on_screen(viewer, expected, "the host and three guests, each in their tile")
    tiles = await _tiles(viewer)
    _fits(tiles, 1280, 800)
    assert len({round(t["width"]) for t in tiles}) == 1, "a grid: every tile the same size"
    assert len({round(t["y"]) for t in tiles}) == 2, "four tiles in two rows"
    names = [t["name"] for t in _reading_order(tiles)]
    assert names == ["Jane Host", "Zoe Guest", "Bo Guest", "Cy Guest"]
    assert await viewer.page.is_visible("#layout-switch")
    assert await viewer.page.get_attribute("#layout-grid", "aria-pressed") == "true"
    await viewer.page.screenshot(path=str(_screenshot_dir() / "viewer-grid-three-guests.png"))

    # A guest sent back leaves the grid; the others keep their tiles and pictures.
    reply = await show.api.request(
        "POST",
        f"/api/rooms/{show.room}/demote",
        {"guestIdentity": bo.identity, "hostIdentity": host},
        key=True,
    )
    assert reply.status == 200, reply.body
    del expected[bo.identity]
    await _until_on_screen(viewer, expected, "Bo's tile gone, the others still shown")
    _fits(await _tiles(viewer), 1280, 800)


async def test_the_viewer_switches_to_speaker_focus_and_the_page_keeps_the_choice(
    show: Show,
) -> None:
    viewer = await show.watch("Vi Viewer", "viewer")
    ada = await show.guest("Ada Guest", RED)
    bo = await show.guest("Bo Guest", GREEN)
    host = show.host.identity
    expected = {host: HOST_RGB, ada.identity: RED, bo.identity: GREEN}
    await _until_on_screen(viewer, expected, "the host and two guests")

    await viewer.page.click("#layout-focus")
    await viewer.until("hostdeskViewer.layout === 'focus'", 5, "the focus layout")
    assert await viewer.page.get_attribute("#layout-focus", "aria-pressed") == "true"
    assert await viewer.page.get_attribute("#layout-grid", "aria-pressed") == "false"
    # Nobody has spoken: the host is the large one, the guests in a strip below.
    tiles = await _tiles(viewer)
    large, *strip = tiles
    assert large["identity"] == host and large["focused"]
    assert all(
        t["width"] < large["width"] and t["y"] >= large["y"] + large["height"] for t in strip
    )
    _fits(tiles, 1280, 800)
    await _until_on_screen(viewer, expected, "every picture still shown in the focus layout")

    # The choice is kept: the page opened again comes back in the focus layout.
    await viewer.page.reload()
    await viewer.page.click("#join-button")  # the name is remembered
    await viewer.until(LIVE, 20, "the page live again")
    assert (await viewer.view())["layout"] == "focus"
    await viewer.until(
        "document.querySelector('#host-tile').classList.contains('focused')", 10, "focus again"
    )
    await viewer.page.click("#layout-grid")
    await viewer.until("hostdeskViewer.layout === 'grid'", 5, "back to the grid")
    kept = await viewer.page.evaluate("localStorage.getItem('hostdesk.stageLayout')")
    assert kept == "grid"


async def _rings(viewer: ViewerPage) -> dict[str, bool]:
    """Whether each tile's ring is on screen (the pixel just inside its left edge, halfway down;
    the letterbox's black when there is no ring)."""
    tiles = await _tiles(viewer)
    pixels = await viewer.screen_pixels([(t["x"] + 2.5, t["y"] + t["height"] / 2) for t in tiles])
    return {
        t["identity"]: t["speaking"] and _close_to(p, RING_RGB, 50)
        for t, p in zip(tiles, pixels, strict=True)
    }


async def test_the_ring_follows_the_guest_who_speaks_and_spares_the_silent_one(show: Show) -> None:
    viewer = await show.watch("Vi Viewer", "viewer")
    ada = await show.guest("Ada Guest", RED)
    bo = await show.guest("Bo Guest", GREEN)
    ada_tone: Tone = await ada.publish_tone(440, loud=True)
    bo_tone: Tone = await bo.publish_tone(660, loud=False)  # a microphone, publishing silence
    host = show.host.identity
    await _until_on_screen(
        viewer, {host: HOST_RGB, ada.identity: RED, bo.identity: GREEN}, "everyone shown"
    )
    await viewer.page.click("#layout-focus")

    only_ada = {host: False, ada.identity: True, bo.identity: False}
    await _until_rings(viewer, only_ada, "Ada ringed, Bo and the host not")
    assert (await viewer.view())["speaking"] == [ada.identity]
    # In the focus layout the speaker is the large tile.
    await viewer.until(
        f"document.querySelector('.tile[data-identity=\"{ada.identity}\"]')"
        ".classList.contains('focused')",
        5,
        "Ada in focus",
    )
    await viewer.page.screenshot(path=str(_screenshot_dir() / "viewer-speaker-focus.png"))
    # Still so a while later: the silent guest is never ringed.
    for _ in range(10):
        assert (await _rings(viewer))[bo.identity] is False
        await viewer.page.wait_for_timeout(200)

    ada_tone.loud, bo_tone.loud = False, True
    only_bo = {host: False, ada.identity: False, bo.identity: True}
    await _until_rings(viewer, only_bo, "the ring moved to Bo")
    await viewer.until(
        f"document.querySelector('.tile[data-identity=\"{bo.identity}\"]')"
        ".classList.contains('focused')",
        5,
        "Bo in focus",
    )

    # Everyone silent: no ring, and the focus stays with who spoke last.
    bo_tone.loud = False
    await _until_rings(viewer, {host: False, ada.identity: False, bo.identity: False}, "no ring")
    assert (await viewer.view())["lastSpeaker"] == bo.identity


async def _until_rings(viewer: ViewerPage, wanted: dict[str, bool], what: str) -> None:
    async def rings_are() -> bool:
        return await _rings(viewer) == wanted

    async def shown() -> str:
        return f"rings {await _rings(viewer)}; speaking {(await viewer.view())['speaking']}"

    await _until(rings_are, 15, what, shown)


async def test_a_phone_shows_the_host_and_two_guests_whole_one_above_the_other(
    show: Show,
) -> None:
    phone = await show.watch("Pia Phone", "phone", width=390, height=844)
    ada = await show.guest("Ada Guest", RED)
    bo = await show.guest("Bo Guest", GREEN)
    host = show.host.identity
    expected = {host: HOST_RGB, ada.identity: RED, bo.identity: GREEN}
    await _until_on_screen(phone, expected, "the host and two guests on the phone")
    tiles = await _tiles(phone)
    _fits(tiles, 390, 844)
    assert len({round(t["x"]) for t in tiles}) == 1, "one column"
    assert all(t["width"] >= 360 for t in tiles), tiles
    assert await phone.page.evaluate("document.documentElement.scrollWidth <= innerWidth")

    # The host's whole picture: its top and bottom bands are both on screen.
    tile = tiles[0]
    x = tile["x"] + tile["width"] / 2
    band = tile["height"] * BAND_ROWS / HOST_SIZE[1] / 2  # halfway into a band
    top, bottom = await phone.screen_pixels(
        [(x, tile["y"] + band), (x, tile["y"] + tile["height"] - band)]
    )
    assert _close_to(top, HOST_TOP_RGB), top
    assert _close_to(bottom, HOST_BOTTOM_RGB), bottom
    await phone.page.screenshot(path=str(_screenshot_dir() / "viewer-phone-two-guests.png"))

    # Turned sideways: laid out again to fit the new height, every picture still shown.
    await phone.page.set_viewport_size({"width": 844, "height": 390})
    await phone.until(
        "[...document.querySelectorAll('#stage .tile')]"
        ".every((t) => t.getBoundingClientRect().bottom <= innerHeight)",
        5,
        "the stage within the screen's height",
    )
    await _until_on_screen(phone, expected, "every picture shown sideways")
    _fits(await _tiles(phone), 844, 390)
