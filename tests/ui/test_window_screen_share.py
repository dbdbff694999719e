"""Screen shares in the host's window on the real livekit-server. The host's own: Share screen
publishes a ScreenShare track a viewer receives, shown as a tile in the stage, larger than the
cameras; Stop sharing ends it (offscreen Qt has no screen, so a generated picture stands in).
A guest's: its own tile in its own colour, apart from the guest's camera, and the host stops it
from the tile."""

from __future__ import annotations

import asyncio

from livekit import rtc
from PySide6.QtGui import QColor, QImage
from PySide6.QtWidgets import QWidget

from hostdesk.ui.stage_tile import ShareTile
from hostdesk.ui.video_view import VideoView
from tests.support.bots import first_frame_rgb
from tests.support.desk_fixtures import (
    Desk,
    bring_on_stage,
    eventually,
    save_screenshot,
    viewer,
)

BLUE = (30, 90, 220)
ORANGE = (230, 120, 20)


def _shares(bot_remote: rtc.RemoteParticipant | None) -> list[rtc.RemoteVideoTrack]:
    if bot_remote is None:
        return []
    return [
        pub.track
        for pub in bot_remote.track_publications.values()
        if pub.source == rtc.TrackSource.SOURCE_SCREENSHARE
        and isinstance(pub.track, rtc.RemoteVideoTrack)
    ]


def _shows(view: VideoView, rgb: tuple[int, int, int]) -> bool:
    image = view.grab().toImage()
    colour = image.pixelColor(image.width() // 2, image.height() // 2)
    seen = (colour.red(), colour.green(), colour.blue())
    return all(abs(a - b) < 35 for a, b in zip(seen, rgb, strict=True))


def _in_stage(desk: Desk, tile: QWidget) -> bool:
    area = desk.window.stage.area
    return tile.parent() is area and area.rect().contains(tile.geometry()) and tile.isVisible()


def _share_tiles(desk: Desk) -> list[ShareTile]:
    return desk.window.stage.share_tiles


async def test_the_hosts_screen_share_reaches_a_viewer_in_its_colour_and_stops(desk: Desk) -> None:
    await desk.go_live()
    audience = await viewer(desk, "Cy Watching")
    picture = QImage(640, 360, QImage.Format.Format_RGBA8888)
    picture.fill(QColor(*BLUE))
    share = desk.window.screen_share
    share.test_picture = picture
    stage = desk.window.stage
    stage.share_button.click()
    await eventually(lambda: share.sharing and share.tile is not None, 10, "sharing")
    tile = share.tile
    assert tile is not None and _share_tiles(desk) == [tile]
    assert (tile.title(), tile.stop_button.text()) == ("Your screen", "Stop sharing")
    tracks = await audience.wait_for(lambda: _shares(audience.remote(desk.control.identity)), 15)
    seen = await first_frame_rgb(tracks[0])
    assert all(abs(a - b) < 35 for a, b in zip(seen[:3], BLUE, strict=True)), seen
    await eventually(lambda: _shows(tile.view, BLUE), 5, "the share's picture on its tile")
    # inside the stage, large, with the host's camera beside it
    assert _in_stage(desk, tile) and _in_stage(desk, stage.host_tile)
    assert tile.width() > 2 * stage.host_tile.width()
    assert tile.height() > 2 * stage.host_tile.height()

    tile.stop_button.click()
    await eventually(lambda: not share.sharing and not _share_tiles(desk), 10, "stopped")
    assert not stage.share_button.isChecked() and stage.share_button.text() == "Share screen"
    await audience.wait_for(lambda: not _shares(audience.remote(desk.control.identity)), 15)
    # the chosen layout is back: the host's and the empty guest's tiles the same size
    assert stage.host_tile.size() == stage.guest_tiles[0].size()


async def test_a_guests_share_has_its_own_tile_apart_from_their_camera_and_the_host_stops_it(
    desk: Desk,
) -> None:
    await desk.go_live()
    guest = await viewer(desk, "Ann Sharing")
    await bring_on_stage(desk, guest)
    await guest.publish_colour(ORANGE)
    local = await guest.publish_colour(BLUE, (640, 360), rtc.TrackSource.SOURCE_SCREENSHARE)
    stage = desk.window.stage
    tiles = await eventually(lambda: _share_tiles(desk), 15, "the guest's share tile")
    [tile] = tiles
    assert (tile.identity, tile.title()) == (guest.identity, "Ann Sharing's screen")
    assert tile.stop_button.text() == "Stop share"
    [camera] = stage.guest_tiles
    assert camera.identity == guest.identity
    await eventually(lambda: _shows(tile.view, BLUE), 15, "the share's colour on its tile")
    await eventually(lambda: _shows(camera.view, ORANGE), 15, "the camera's colour on its tile")
    # The share's frames never land on the camera's tile: it keeps its colour.
    for _ in range(25):
        assert _shows(camera.view, ORANGE) and _shows(tile.view, BLUE)
        await asyncio.sleep(0.04)  # more frames arrive meanwhile
    assert _in_stage(desk, tile) and tile.width() > 2 * camera.width()
    save_screenshot(desk, "host-guest-share.png")

    tile.stop_button.click()
    await guest.wait_for(lambda: local.muted, 10)
    await eventually(lambda: not _share_tiles(desk), 10, "the share tile gone")
    assert stage.host_tile.size() == camera.size()  # the grid is back


async def test_with_two_shares_on_stage_the_newest_is_large(desk: Desk) -> None:
    await desk.go_live()
    guest = await viewer(desk, "Ann Sharing")
    await bring_on_stage(desk, guest)
    await guest.publish_colour(ORANGE, (640, 360), rtc.TrackSource.SOURCE_SCREENSHARE)
    [guests] = await eventually(lambda: _share_tiles(desk), 15, "the guest's share tile")
    picture = QImage(640, 360, QImage.Format.Format_RGBA8888)
    picture.fill(QColor(*BLUE))
    share = desk.window.screen_share
    share.test_picture = picture
    desk.window.stage.share_button.click()
    await eventually(lambda: len(_share_tiles(desk)) == 2, 10, "both shares")
    own = share.tile
    assert own is not None and _share_tiles(desk) == [guests, own]
    assert own.width() > 2 * guests.width() and _in_stage(desk, guests)
    await eventually(lambda: _shows(own.view, BLUE) and _shows(guests.view, ORANGE), 10)

    own.stop_button.click()
    await eventually(lambda: _share_tiles(desk) == [guests], 10, "the host's share gone")
    assert guests.width() > 2 * desk.window.stage.host_tile.width()
