"""A stage of two in the host's window: invitations that overlap, and a tile per guest."""

from __future__ import annotations

import asyncio
import json

import pytest

from hostdesk.show.messages import DataMessage, MessageType
from hostdesk.show.roles import Role
from hostdesk.ui.video_view import VideoView
from tests.support.desk_fixtures import (
    Desk,
    answer_invite,
    bring_on_stage,
    eventually,
    raise_hand,
    save_screenshot,
    select_hand,
    viewer,
)


async def test_a_second_invitation_sent_while_the_first_is_in_flight_brings_both_on_stage(
    desk: Desk, monkeypatch: pytest.MonkeyPatch
) -> None:
    desk.api.backend.service.stage_size = 2
    await desk.go_live()
    first = await viewer(desk, "Ann First")
    second = await viewer(desk, "Bob Second")
    await raise_hand(desk, first)
    await eventually(lambda: desk.hand_names() == ["Ann First"], 3, "the first hand")
    await raise_hand(desk, second)
    await eventually(lambda: desk.hand_names() == ["Ann First", "Bob Second"], 3, "both hands")

    # The first guest_invite waits in the session until the second has been clicked.
    send = desk.session.send
    first_held, release = asyncio.Event(), asyncio.Event()

    async def held_send(message: DataMessage, to: list[str] | None = None) -> None:
        if message.type is MessageType.GUEST_INVITE and not first_held.is_set():
            first_held.set()
            await release.wait()
        await send(message, to)

    monkeypatch.setattr(desk.session, "send", held_send)
    select_hand(desk, 0)
    desk.window.hands.invite_button.click()
    await asyncio.wait_for(first_held.wait(), 5)
    select_hand(desk, 1)
    desk.window.hands.invite_button.click()
    await second.wait_message("guest_invite")
    release.set()
    try:
        await first.wait_message("guest_invite")
    except TimeoutError:
        pytest.fail("the first invitation was dropped when the second was clicked")

    for bot in (first, second):
        await answer_invite(desk, bot, accepted=True)
    for bot in (first, second):
        await bot.wait_for(lambda b=bot: b.room.local_participant.permissions.can_publish, 10)
    await eventually(lambda: len(desk.mirror.guests) == 2, 10, "two guests in the mirror")
    tiles = {tile.identity: tile for tile in desk.window.stage.guest_tiles}
    assert set(tiles) == {first.identity, second.identity}
    assert tiles[first.identity].title() == "Ann First"
    assert tiles[second.identity].title() == "Bob Second"

    reply = await desk.api.request("GET", f"/api/rooms/{desk.room}/participants", key=True)
    roles = {p["identity"]: json.loads(p["metadata"])["role"] for p in reply.body["participants"]}
    assert roles[first.identity] == roles[second.identity] == Role.GUEST.value


ORANGE, TEAL = (230, 120, 20), (20, 160, 150)


def _shows(view: VideoView, rgb: tuple[int, int, int]) -> bool:
    image = view.grab().toImage()
    colour = image.pixelColor(image.width() // 2, image.height() // 2)
    seen = (colour.red(), colour.green(), colour.blue())
    return all(abs(a - b) < 35 for a, b in zip(seen, rgb, strict=True))


async def test_each_guest_has_a_tile_and_a_guest_leaving_frees_only_theirs(desk: Desk) -> None:
    desk.api.backend.service.stage_size = 2
    await desk.go_live()
    bots = [await viewer(desk, name) for name in ("Cy Left", "Di Right")]
    for bot in bots:
        await raise_hand(desk, bot)
        await eventually(lambda b=bot: desk.mirror.get(b.identity).hand_raised_at, 3, "a hand")
        select_hand(desk, 0)
        desk.window.hands.invite_button.click()
        await bot.wait_message("guest_invite")
        await answer_invite(desk, bot, accepted=True)
        await eventually(lambda b=bot: desk.mirror.role_of(b.identity) is Role.GUEST, 10, "guest")
    stage = desk.window.stage
    assert [tile.identity for tile in stage.guest_tiles] == [bots[0].identity, bots[1].identity]
    for bot, colour in zip(bots, (ORANGE, TEAL), strict=True):
        await bot.publish_colour(colour)
    for tile, colour in zip(stage.guest_tiles, (ORANGE, TEAL), strict=True):
        await eventually(lambda t=tile, c=colour: _shows(t.view, c), 15, f"{tile.title()} video")
    save_screenshot(desk, "host-two-guests.png")

    stage.guest_tiles[0].demote_button.click()
    await eventually(lambda: len(desk.mirror.guests) == 1, 10, "the first guest demoted")
    await eventually(lambda: len(stage.guest_tiles) == 1, 5, "the empty tile dropped")
    assert stage.guest_tiles[0].identity == bots[1].identity
    assert stage.guest_view.name == "Di Right"


PURPLE = (140, 60, 200)


async def test_three_guests_each_show_their_own_picture_in_their_own_tile(desk: Desk) -> None:
    desk.control.set_stage_size(3)
    await desk.go_live()
    bots = [await viewer(desk, name) for name in ("Ed One", "Flo Two", "Gil Three")]
    for bot in bots:
        await bring_on_stage(desk, bot)
    colours = (ORANGE, TEAL, PURPLE)
    for bot, colour in zip(bots, colours, strict=True):
        await bot.publish_colour(colour)
    stage = desk.window.stage
    assert [t.identity for t in stage.guest_tiles] == [b.identity for b in bots]
    for tile, colour in zip(stage.guest_tiles, colours, strict=True):
        await eventually(lambda t=tile, c=colour: _shows(t.view, c), 15, f"{tile.title()} video")
    # the host and three guests: four equal tiles of the pictures' aspect
    tiles = [stage.host_tile, *stage.guest_tiles]
    assert len({(t.width(), t.height()) for t in tiles}) == 1
    assert stage.host_view.width() / stage.host_view.height() == pytest.approx(16 / 9, abs=0.03)
    save_screenshot(desk, "host-three-guests.png")
