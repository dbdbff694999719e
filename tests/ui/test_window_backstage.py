"""The window's backstage on the real livekit-server: an accepted invitation sends the viewer
backstage, where only the host sees and hears them (a tile of their own, the host's talkback),
then Take live puts them on stage and Send back returns them to the audience."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest_asyncio

from hostdesk.livekit.backstage_session import TALKBACK
from hostdesk.show.roles import Role
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
    path = f"/api/rooms/{desk.room}/backstage/token"
    given = await desk.api.request("POST", path, token=bot.token)
    assert given.status == 200, given.body
    backstage = Bot(bot.identity, given.body["token"], given.body["wsUrl"])
    desk.api.bots.append(backstage)
    return await backstage.connect()


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
