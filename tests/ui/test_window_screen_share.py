"""The host's own screen share from the window on the real livekit-server: Share screen
publishes a ScreenShare track a viewer receives, shown large in the window; Stop sharing ends
it. Offscreen Qt has no screen, so a generated picture stands in for it."""

from __future__ import annotations

from livekit import rtc
from PySide6.QtGui import QColor, QImage

from tests.support.bots import first_frame_rgb
from tests.support.desk_fixtures import Desk, eventually, viewer

BLUE = (30, 90, 220)


def _shares(bot_remote: rtc.RemoteParticipant | None) -> list[rtc.RemoteVideoTrack]:
    if bot_remote is None:
        return []
    return [
        pub.track
        for pub in bot_remote.track_publications.values()
        if pub.source == rtc.TrackSource.SOURCE_SCREENSHARE
        and isinstance(pub.track, rtc.RemoteVideoTrack)
    ]


async def test_the_hosts_screen_share_reaches_a_viewer_in_its_colour_and_stops(desk: Desk) -> None:
    await desk.go_live()
    audience = await viewer(desk, "Cy Watching")
    picture = QImage(640, 360, QImage.Format.Format_RGBA8888)
    picture.fill(QColor(*BLUE))
    share = desk.window.screen_share
    share.test_picture = picture
    desk.window.stage.share_button.click()
    await eventually(lambda: share.sharing and share.view.isVisible(), 10, "sharing")
    tracks = await audience.wait_for(lambda: _shares(audience.remote(desk.control.identity)), 15)
    seen = await first_frame_rgb(tracks[0])
    assert all(abs(a - b) < 35 for a, b in zip(seen[:3], BLUE, strict=True)), seen
    assert share.view.height() > desk.window.stage.host_view.height()

    desk.window.stage.share_button.click()
    await eventually(lambda: not share.sharing and not share.view.isVisible(), 10, "stopped")
    await audience.wait_for(lambda: not _shares(audience.remote(desk.control.identity)), 15)
