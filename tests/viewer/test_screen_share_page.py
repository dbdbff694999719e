"""Screen share on the viewer page in headless Chromium: a guest's page shares its screen
(Chromium's fake screen capture, which the fixture's --use-fake-ui-for-media-stream and
--use-fake-device-for-media-stream flags give to getDisplayMedia: a moving green picture), and a
viewer's page shows it large with the cameras beside it, then the chosen layout again when it
ends; the host's own share (a bot's ScreenShare track) is shown the same way; the host's stop of
a guest's share ends the guest's capture and the page says so. The real API (auth on, stage
size 2), a real livekit-server, a host bot."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import pytest_asyncio
from livekit import rtc

from tests.support.api_fixtures import RunningApi, StartApi, new_room
from tests.support.bots import Bot
from tests.support.browser_fixtures import OpenPage, ViewerPage
from tests.viewer.guest_flow import join

HOST_RGB = (230, 200, 40)
HOST_SHARE_RGB = (40, 120, 230)
SHARING = "hostdeskViewer.sharing"
#: Every tile on the page that is shown, with where it is.
TILES = """() => [...document.querySelectorAll('#stage .tile')].filter((t) => !t.hidden)
  .map((tile) => {
    const box = tile.getBoundingClientRect();
    const video = tile.querySelector('video');
    return {
      identity: tile.dataset.identity, role: tile.dataset.role,
      x: box.x, y: box.y, width: box.width, height: box.height,
      playing: video.videoWidth > 0 && !video.paused && video.readyState >= 2,
    };
  })"""
#: Every stream getDisplayMedia gave the page (recorded by an init script, not by the page).
RECORD_CAPTURES = """(() => {
  const devices = navigator.mediaDevices;
  if (!devices) return;
  const original = devices.getDisplayMedia.bind(devices);
  window.__captures = [];
  devices.getDisplayMedia = async (...args) => {
    const stream = await original(...args);
    window.__captures.push(stream);
    return stream;
  };
})()"""
CAPTURING = "window.__captures.some((s) => s.getVideoTracks().some((t) => t.readyState === 'live'))"


@dataclass
class Show:
    api: RunningApi
    room: str
    host: Bot
    open_page: OpenPage

    async def page(self, label: str) -> ViewerPage:
        page = await self.open_page(f"{self.api.url}/watch/{self.room}", label=label)
        await page.context.add_init_script(script=RECORD_CAPTURES)
        await page.page.reload()
        return page


@pytest_asyncio.fixture(loop_scope="session")
async def show(start_api: StartApi, viewer_pages: OpenPage) -> AsyncIterator[Show]:
    api = await start_api(stage_size=2)
    room = new_room()
    host = await api.joined_bot(room, "Jane Host", "host")
    await host.publish_colour(HOST_RGB)
    yield Show(api, room, host, viewer_pages)


async def _tiles(page: ViewerPage) -> list[dict[str, Any]]:
    tiles: list[dict[str, Any]] = await page.page.evaluate(TILES)
    return tiles


def _centre(tile: dict[str, Any]) -> tuple[float, float]:
    return tile["x"] + tile["width"] / 2, tile["y"] + tile["height"] / 2


async def _until_share_shown(page: ViewerPage, sharer: str) -> dict[str, Any]:
    """The share of `sharer` is the stage's largest tile, playing, the cameras beside it."""
    await page.until(
        f"hostdeskViewer.shareShown === {sharer!r} && "
        "[...document.querySelectorAll('#stage .tile[data-role=share]')]"
        ".some((t) => !t.hidden && t.querySelector('video').videoWidth > 0)",
        20,
        f"{sharer}'s share shown",
    )
    await page.page.wait_for_timeout(300)  # placed without animation; one frame more
    tiles = await _tiles(page)
    share = next(t for t in tiles if t["role"] == "share")
    cameras = [t for t in tiles if t["role"] != "share"]
    assert share["identity"] == sharer
    assert cameras, tiles
    for camera in cameras:
        assert camera["width"] * camera["height"] < share["width"] * share["height"] / 4, tiles
        assert camera["x"] >= share["x"] + share["width"], ("beside the share", tiles)
    return share


async def _not_black(page: ViewerPage, tile: dict[str, Any]) -> None:
    points = [
        (tile["x"] + tile["width"] * fx, tile["y"] + tile["height"] * fy)
        for fx in (0.25, 0.5, 0.75)
        for fy in (0.25, 0.5, 0.75)
    ]
    pixels = await page.screen_pixels(points)
    assert any(sum(p) > 120 for p in pixels), pixels


async def test_the_hosts_share_is_shown_large_and_the_chosen_layout_returns(show: Show) -> None:
    viewer = await show.page("viewer")
    await join(viewer, "Vi Viewer")
    shared = await show.host.publish_colour(
        HOST_SHARE_RGB, (640, 360), rtc.TrackSource.SOURCE_SCREENSHARE
    )
    share = await _until_share_shown(viewer, show.host.identity)
    (colour,) = await viewer.screen_pixels([_centre(share)])
    assert all(abs(a - b) <= 40 for a, b in zip(colour, HOST_SHARE_RGB, strict=True)), colour
    host_camera = next(t for t in await _tiles(viewer) if t["role"] == "host")
    (camera,) = await viewer.screen_pixels([_centre(host_camera)])
    assert all(abs(a - b) <= 40 for a, b in zip(camera, HOST_RGB, strict=True)), camera

    await show.host.room.local_participant.unpublish_track(shared.sid)
    await viewer.until(
        "hostdeskViewer.shareShown === '' && "
        "document.getElementById('stage').dataset.layout === 'grid'",
        10,
        "the host's tile alone again",
    )
