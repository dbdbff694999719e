"""The stage clock in the host's window on the real livekit-server: a guest's time counts from
the server's `onStageSince`, the show's limit comes back from the room's metadata, and at the
limit the host is asked, and only the host's answer sends the guest back."""

from __future__ import annotations

import asyncio

from hostdesk.show.roles import Role
from tests.support.desk_fixtures import Desk, bring_on_stage, eventually, viewer


async def test_at_the_limit_the_host_is_asked_and_send_back_returns_the_guest(
    desk: Desk,
) -> None:
    await desk.go_live()
    bot = await viewer(desk, "Tim Timed")
    await bring_on_stage(desk, bot)
    tile = desk.window.stage.guest_tiles[0]
    view = tile.view
    await eventually(lambda: desk.mirror.get(bot.identity).on_stage_since, 5, "onStageSince")
    await eventually(lambda: view.clock_text in ("0:00", "0:01", "0:02"), 3, "the clock")
    assert view.clock_phase == "on"

    await desk.control.set_stage_time_limit(4)  # shortened for the test
    await eventually(lambda: desk.mirror.stage_settings.time_limit_s == 4, 5, "the limit")
    await eventually(lambda: view.clock_text.endswith(" / 0:04"), 3, "the limit on the tile")
    assert view.clock_phase in ("warning", "over")  # less than a minute left: amber at once

    prompts = desk.window.time_up
    await eventually(lambda: bot.identity in prompts.bars, 8, "the question at the limit")
    assert view.clock_phase == "over"
    assert prompts.bars[bot.identity].label.text() == (
        "Tim Timed's time is up — send them back to the audience?"
    )
    await asyncio.sleep(1.5)  # asked, not acted on: the guest stays until the host answers
    assert desk.mirror.role_of(bot.identity) is Role.GUEST

    prompts.bars[bot.identity].send_back_button.click()
    await eventually(lambda: desk.mirror.role_of(bot.identity) is Role.VIEWER, 10, "sent back")
    await bot.wait_for(lambda: not bot.room.local_participant.permissions.can_publish, 10)
    assert not prompts.bars and view.clock_text == ""
