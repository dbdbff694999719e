"""The window's backstage on the real livekit-server: an accepted invitation sends the viewer
backstage, where only the host sees and hears them (a tile of their own, the host's talkback),
then Take live puts them on stage and Send back returns them to the audience."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import AsyncIterator
from pathlib import Path

import pytest_asyncio
from livekit import rtc

from hostdesk.livekit.backstage_session import TALKBACK
from hostdesk.show.connection import ConnectionState
from hostdesk.show.roles import Role
from hostdesk.tasks import TaskSet
from hostdesk.ui import tile_overlay
from hostdesk.ui.backstage_view import RECONNECTING_NOTE
from hostdesk.ui.levels import rms_dbfs
from hostdesk.ui.theme import colour
from hostdesk.ui.video_view import VideoView
from tests.support.api_fixtures import StartApi
from tests.support.bots import Bot
from tests.support.desk_fixtures import (
    Desk,
    answer_invite,
    eventually,
    host_window,
    raise_hand,
    save_screenshot,
    select_hand,
    viewer,
)

ORANGE, TEAL = (230, 120, 20), (20, 160, 150)
logging_for_tests = logging.getLogger("tests.ui.backstage")


@pytest_asyncio.fixture(loop_scope="session")
async def backstage_desk(start_api: StartApi, tmp_path: Path) -> AsyncIterator[Desk]:
    """The window with its own default: invitations go backstage."""
    async with host_window(await start_api(auth=True), tmp_path, to_backstage=True) as desk:
        yield desk


def _shows(view: VideoView, rgb: tuple[int, int, int]) -> bool:
    image = view.grab().toImage()
    colour = image.pixelColor(image.width() // 2, image.height() // 2)
    seen = (colour.red(), colour.green(), colour.blue())
    return all(abs(a - b) < 35 for a, b in zip(seen, rgb, strict=True))


async def _sent_backstage(desk: Desk, bot: Bot) -> Bot:
    """The bot raises a hand, the host invites it, it accepts and (as the page does) joins the
    backstage room with its own token; returns its backstage connection."""
    await raise_hand(desk, bot)
    await eventually(lambda: bot.identity in desk.mirror.hands, 5, f"{bot.identity}'s hand")
    select_hand(desk, desk.mirror.hands.index(bot.identity))
    desk.window.hands.invite_button.click()
    await bot.wait_message("guest_invite")
    await answer_invite(desk, bot, accepted=True)
    await bot.wait_for(lambda: bot.room.local_participant.attributes.get("backstage") == "1")
    return await desk.api.backstage_bot(desk.room, bot)


def _meter_lit(view: VideoView) -> bool:
    """Whether the meter drawn on the picture is lit at its foot (what the host sees)."""
    image = view.grab().toImage()
    foot = tile_overlay.meter_area(view.rect()).adjusted(2, 2, -2, -2)
    seen = image.pixelColor(foot.center().x(), foot.bottom() - 1)
    return seen in (colour("speaking"), colour("warn"))


def _talkback_of(desk: Desk, bot: Bot) -> rtc.RemoteAudioTrack | None:
    """The host's talkback as the backstage bot receives it (None until subscribed)."""
    host = bot.remote(desk.control.identity)
    if host is None:
        return None
    for publication in host.track_publications.values():
        if publication.name == TALKBACK and isinstance(publication.track, rtc.RemoteAudioTrack):
            return publication.track
    return None


class Loudness:
    """What a bot hears of one audio track: (arrival time, dBFS) of every 10 ms chunk."""

    def __init__(self, track: rtc.RemoteAudioTrack) -> None:
        self.chunks: list[tuple[float, float]] = []
        self._stream = rtc.AudioStream(track, sample_rate=48_000, num_channels=1)
        self._tasks = TaskSet(logging_for_tests)
        self._tasks.spawn(self._read())

    async def _read(self) -> None:
        async for event in self._stream:
            self.chunks.append((time.monotonic(), rms_dbfs(event.frame.data.tobytes())))

    def loudest_since(self, since: float) -> float:
        return max((db for at, db in self.chunks if at >= since), default=float("-inf"))

    async def aclose(self) -> None:
        await self._tasks.aclose()
        with contextlib.suppress(Exception):
            await self._stream.aclose()


async def test_a_guest_sent_backstage_is_seen_by_the_host_alone_then_taken_live(
    backstage_desk: Desk,
) -> None:
    desk = backstage_desk
    desk.api.backend.service.stage_size = 2
    await desk.go_live()
    guest = await viewer(desk, "Ann Backstage")
    audience = await viewer(desk, "Cy Audience")
    backstage = await _sent_backstage(desk, guest)
    panel = desk.window.backstage
    await eventually(lambda: guest.identity in panel.tiles, 10, "the backstage tile")
    assert panel.isVisible()
    assert desk.mirror.guests == []
    tile = panel.tiles[guest.identity]
    assert tile.title() == "Ann Backstage"

    await backstage.publish_colour(ORANGE)
    await eventually(lambda: _shows(tile.view, ORANGE), 15, "the backstage guest's colour")
    host = await backstage.wait_for(lambda: backstage.remote(desk.control.identity), 10)
    await backstage.wait_for(
        lambda: any(p.name == TALKBACK for p in host.track_publications.values()), 10
    )
    assert audience.remote_video_tracks(guest.identity) == []
    seen_by_audience = audience.remote(guest.identity)
    assert seen_by_audience is not None and not seen_by_audience.track_publications
    save_screenshot(desk, "host-backstage.png")

    tile.take_live_button.click()
    await eventually(lambda: desk.mirror.role_of(guest.identity) is Role.GUEST, 10, "on stage")
    await eventually(lambda: not panel.tiles and not panel.isVisible(), 5, "the tile gone")
    await eventually(lambda: backstage.disconnected.is_set(), 10, "out of the backstage room")
    await guest.wait_for(lambda: guest.room.local_participant.permissions.can_publish, 10)
    await guest.publish_colour(TEAL)
    stage = desk.window.stage
    await eventually(lambda: stage.guest_tiles[0].identity == guest.identity, 5, "a guest tile")
    await eventually(lambda: _shows(stage.guest_tiles[0].view, TEAL), 15, "the guest's colour")


async def test_send_back_returns_a_backstage_guest_to_the_audience(backstage_desk: Desk) -> None:
    desk = backstage_desk
    await desk.go_live()
    guest = await viewer(desk, "Bo Backstage")
    backstage = await _sent_backstage(desk, guest)
    panel = desk.window.backstage
    await eventually(lambda: guest.identity in panel.tiles, 10, "the backstage tile")

    panel.tiles[guest.identity].send_back_button.click()
    await eventually(lambda: not panel.tiles and not panel.isVisible(), 10, "the tile gone")
    await eventually(lambda: backstage.disconnected.is_set(), 10, "out of the backstage room")
    await guest.wait_for(lambda: "backstage" not in guest.room.local_participant.attributes)
    assert desk.mirror.role_of(guest.identity) is Role.VIEWER
    assert desk.mirror.backstage == []


async def test_each_backstage_guest_has_a_meter_that_moves_with_their_sound(
    backstage_desk: Desk,
) -> None:
    desk = backstage_desk
    await desk.go_live()
    loud_viewer = await viewer(desk, "Lou Backstage")
    quiet_viewer = await viewer(desk, "Sid Backstage")
    loud = await _sent_backstage(desk, loud_viewer)
    quiet = await _sent_backstage(desk, quiet_viewer)
    panel = desk.window.backstage
    await eventually(lambda: len(panel.tiles) == 2, 10, "both backstage tiles")
    loud_tone = await loud.publish_tone(440, level=0.3)  # -13.5 dBFS
    await quiet.publish_tone(440, loud=False)  # digital silence on a live microphone
    loud_tile, quiet_tile = panel.tiles[loud.identity], panel.tiles[quiet.identity]

    await eventually(lambda: loud_tile.view.level > 0.6, 15, "Lou's meter up")
    seen_loud, seen_quiet = [], []
    for _ in range(40):  # two seconds, read at the window's pace
        await asyncio.sleep(0.05)
        seen_loud.append(loud_tile.view.level)
        seen_quiet.append(quiet_tile.view.level)
    # Up by its median (audio arrives in bursts on a busy machine); the silent one exactly 0.
    assert sorted(seen_loud)[len(seen_loud) // 2] > 0.6, seen_loud
    assert seen_quiet == [0.0] * 40
    assert desk.window.backstage_view.meters.level(quiet.identity) == 0.0
    # Drawn on the pictures: both microphones are on, only the loud one's meter is lit.
    assert loud_tile.view.mic_on and quiet_tile.view.mic_on
    await eventually(lambda: _meter_lit(loud_tile.view), 5, "Lou's meter drawn")
    assert not _meter_lit(quiet_tile.view)

    loud_tone.loud = False
    await eventually(lambda: loud_tile.view.level == 0.0, 5, "Lou's meter at rest")


async def test_the_backstage_stops_hearing_the_host_when_the_microphone_goes_off(
    backstage_desk: Desk,
) -> None:
    desk = backstage_desk
    await desk.go_live()  # the host's microphone is the tone, -20 dBFS
    guest = await viewer(desk, "Mia Backstage")
    backstage = await _sent_backstage(desk, guest)
    track = await backstage.wait_for(lambda: _talkback_of(desk, backstage), 15)
    heard = Loudness(track)
    try:
        await eventually(lambda: heard.loudest_since(0) > -30, 10, "the host's talkback")

        # The host's own switch: it turns the on-air track off (not the capture), and the
        # window stops the talkback with it.
        desk.window.stage.mic_button.click()
        await asyncio.sleep(1.0)  # what was already on its way
        quiet_from = time.monotonic()
        await asyncio.sleep(2.0)
        assert heard.loudest_since(quiet_from) < -50, heard.chunks[-20:]

        desk.window.stage.mic_button.click()
        back_from = time.monotonic()
        await eventually(lambda: heard.loudest_since(back_from) > -30, 10, "the talkback back")
    finally:
        await heard.aclose()


async def test_the_backstage_connection_comes_back_after_a_drop(backstage_desk: Desk) -> None:
    desk = backstage_desk
    await desk.go_live()
    guest = await viewer(desk, "Rae Backstage")
    backstage = await _sent_backstage(desk, guest)
    panel = desk.window.backstage
    await eventually(lambda: guest.identity in panel.tiles, 10, "the backstage tile")
    tile = panel.tiles[guest.identity]
    await backstage.publish_colour(ORANGE)
    await eventually(lambda: _shows(tile.view, ORANGE), 15, "the backstage guest's colour")
    host_before = await backstage.wait_for(lambda: backstage.remote(desk.control.identity), 10)

    feed = desk.window.backstage_view.feed
    assert feed is not None
    notes: list[tuple[ConnectionState, str]] = []
    feed.state_changed.connect(lambda state, _reason: notes.append((state, panel.note.text())))
    cleared: list[int] = []
    feed.guest_gone.connect(lambda _identity: cleared.append(tile.view.frames_received))

    # The host's place in the backstage room goes, as when LiveKit drops a connection.
    await desk.api.backend.service.backstage.remove(desk.room, desk.control.identity)

    await eventually(lambda: notes, 10, "the backstage reconnecting")
    assert notes[0] == (ConnectionState.RECONNECTING, RECONNECTING_NOTE)
    await eventually(lambda: cleared, 5, "the tile cleared")
    await eventually(
        lambda: feed.connected and notes[-1][0] is ConnectionState.LIVE, 20, "back", lambda: notes
    )
    assert panel.note.text() != RECONNECTING_NOTE
    await eventually(
        lambda: tile.view.frames_received > cleared[0] and _shows(tile.view, ORANGE),
        15,
        "the backstage guest's picture again",
    )
    # The talkback is published again, by the host's new connection.
    host_after = await backstage.wait_for(
        lambda: (p := backstage.remote(desk.control.identity)) is not host_before and p, 10
    )
    await backstage.wait_for(lambda: _talkback_of(desk, backstage), 10)
    assert host_after.sid != host_before.sid
