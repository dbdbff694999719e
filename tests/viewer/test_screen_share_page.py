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
from tests.viewer.guest_flow import bring_on_stage, join, post, screenshot_dir

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


async def test_a_guests_share_is_shown_large_beside_the_cameras_until_it_stops(
    show: Show,
) -> None:
    guest = await show.page("guest")
    viewer = await show.page("viewer")
    await join(viewer, "Vi Viewer")
    identity = await bring_on_stage(show.api, show.room, show.host, guest, "Gia Guest")
    await viewer.until(
        f"document.querySelector('.tile[data-identity=\"{identity}\"] video')?.videoWidth > 0",
        20,
        "the guest's camera on the viewer's page",
    )
    await viewer.page.click("#layout-focus")  # the viewer's choice, which the share overrides
    await viewer.until("document.getElementById('stage').dataset.layout === 'focus'", 5, "focus")
    assert await guest.page.text_content("#share-button") == "Share screen"

    await guest.page.click("#share-button")
    await guest.until(SHARING, 15, "the guest sharing")
    assert await guest.page.text_content("#share-button") == "Stop sharing"
    share = await _until_share_shown(viewer, identity)
    await _not_black(viewer, share)
    await viewer.page.screenshot(path=str(screenshot_dir() / "viewer-screen-share.png"))
    await _until_share_shown(guest, identity)  # the sharer's own page shows it too

    await guest.page.click("#share-button")
    await guest.until(f"!{SHARING} && !({CAPTURING})", 10, "the share stopped")
    await viewer.until(
        "hostdeskViewer.shareShown === '' && "
        "document.getElementById('stage').dataset.layout === 'focus'",
        10,
        "the viewer's focus layout back",
    )
    tiles = await _tiles(viewer)
    assert {t["role"] for t in tiles} == {"host", "guest"}
    assert await guest.page.is_hidden("#stage-note")  # the guest stopped it: nothing to say


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


async def test_the_host_stops_a_guests_share_and_the_guests_capture_ends(show: Show) -> None:
    guest = await show.page("guest")
    identity = await bring_on_stage(show.api, show.room, show.host, guest, "Gia Guest")
    await guest.page.click("#share-button")
    await guest.until(f"{SHARING} && {CAPTURING}", 15, "the guest sharing")
    await show.host.wait_for(
        lambda: any(
            p.source == rtc.TrackSource.SOURCE_SCREENSHARE
            for p in (show.host.remote(identity) or _Nobody()).track_publications.values()
        )
    )

    await post(show.api, show.room, f"/participants/{identity}/stop-share", {})
    await guest.until(f"!{SHARING} && !({CAPTURING})", 10, "the guest's capture stopped")
    await guest.until(
        "document.getElementById('stage-note').textContent === "
        "'The host stopped your screen share' && !document.getElementById('stage-note').hidden",
        5,
        "the page saying the host stopped the share",
    )
    assert (await guest.view())["onStage"] is True  # still on stage, camera on
    assert await guest.page.text_content("#share-button") == "Share screen"


class _Nobody:
    track_publications: dict[str, Any] = {}
