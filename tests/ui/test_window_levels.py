"""Levels and speaking in the host's window on the real livekit-server: each guest's meter moves
with the sound LiveKit brings and stays still with silence, the speaking guest's tile is ringed,
and the speaker layout follows whoever speaks."""

from __future__ import annotations

import asyncio

from hostdesk.ui.stage_panel import SPEAKER
from tests.support.desk_fixtures import (
    Desk,
    bring_on_stage,
    eventually,
    save_screenshot,
    viewer,
)


async def test_the_meter_moves_with_a_guests_tone_and_stays_still_with_silence(
    desk: Desk,
) -> None:
    desk.control.set_stage_size(2)
    await desk.go_live()
    loud = await viewer(desk, "Lou Loud")
    quiet = await viewer(desk, "Sid Silent")
    for bot in (loud, quiet):
        await bring_on_stage(desk, bot)
    loud_tone = await loud.publish_tone(440, level=0.3)  # -13.5 dBFS
    await quiet.publish_tone(440, loud=False)  # digital silence on a live microphone
    levels = desk.window.stage_view.levels
    tiles = {t.identity: t for t in desk.window.stage.guest_tiles}
    await eventually(lambda: not desk.mirror.get(quiet.identity).mic_muted, 10, "Sid's mic")

    await eventually(lambda: levels.level(loud.identity) > 0.6, 10, "Lou's meter up")
    seen_loud, seen_quiet = [], []
    for _ in range(40):  # two seconds, read at the window's pace
        await asyncio.sleep(0.05)
        seen_loud.append(tiles[loud.identity].view.level)
        seen_quiet.append(tiles[quiet.identity].view.level)
    # Up (on a busy machine audio arrives in bursts, and the meter falls back by its decay in
    # the gaps); the silent guest's stays at exactly zero all along.
    assert sorted(seen_loud)[len(seen_loud) // 2] > 0.6, seen_loud
    assert seen_quiet == [0.0] * 40
    assert tiles[loud.identity].view.speaking and not tiles[quiet.identity].view.speaking
    assert desk.window.stage.host_view.level > 0.5  # the host's own tone, -20 dBFS

    # The loud guest falls silent: their meter falls back to rest and the ring goes.
    loud_tone.loud = False
    await eventually(lambda: tiles[loud.identity].view.level == 0.0, 5, "Lou's meter at rest")
    await eventually(lambda: not tiles[loud.identity].view.speaking, 5, "Lou's ring gone")


async def test_the_speaker_layout_follows_the_guest_who_speaks(desk: Desk) -> None:
    desk.control.set_stage_size(2)
    await desk.go_live()
    first = await viewer(desk, "Ann First")
    second = await viewer(desk, "Bob Second")
    for bot in (first, second):
        await bring_on_stage(desk, bot)
    ann_tone = await first.publish_tone(440, level=0.3)
    bob_tone = await second.publish_tone(660, loud=False)
    stage = desk.window.stage
    stage.speaker_button.click()
    stage.mic_button.click()  # the host's own tone off: only the guests speak
    assert stage.layout_mode == SPEAKER
    tiles = {t.identity: t for t in stage.guest_tiles}

    def largest() -> str:
        return max([stage.host_tile, *stage.guest_tiles], key=lambda t: t.width()).identity

    await eventually(lambda: largest() == first.identity, 10, "Ann large", largest)
    ann_tone.loud, bob_tone.loud = False, True
    await eventually(lambda: largest() == second.identity, 10, "Bob large", largest)
    assert tiles[second.identity].width() > 2 * tiles[first.identity].width()
    for bot, colour in ((first, (230, 120, 20)), (second, (20, 160, 150))):
        await bot.publish_colour(colour)
    await eventually(lambda: all(t.view.has_video for t in tiles.values()), 15, "both videos")
    await asyncio.sleep(0.5)
    save_screenshot(desk, "host-speaker-layout.png")
