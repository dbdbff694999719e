"""The host moderates the chat from the window, on the real livekit-server: a hidden line
leaves the window and the metadata every page reads says so; a muted viewer's lines stay out of
the window; slow mode chosen in the panel reaches the room; a block made from a chat line is
listed under Blocked… and lifted there."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio
from PySide6.QtWidgets import QApplication

from hostdesk.paths import ENV_CONFIG
from hostdesk.show.chat import ChatSettings, message_id
from hostdesk.ui.blocks_dialog import NONE_BLOCKED, BlocksDialog
from tests.support.api_fixtures import StartApi
from tests.support.bots import Bot
from tests.support.desk_fixtures import Desk, eventually, host_window, save_screenshot, viewer


@pytest_asyncio.fixture(loop_scope="session")
async def moderating_desk(
    start_api: StartApi, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[Desk]:
    """The window on a HostDesk whose blocks go to this test's own config folder."""
    monkeypatch.setenv(ENV_CONFIG, str(tmp_path / "config"))
    async with host_window(await start_api(auth=True), tmp_path) as desk:
        yield desk


async def say(bot: Bot, text: str) -> int:
    """A chat line from the bot, as a contract client sends it (no topic); its timestamp."""
    at = int(time.time() * 1000)
    message = {
        "type": "chat_message",
        "senderId": bot.identity,
        "senderName": bot.identity,
        "timestamp": at,
        "message": text,
    }
    await bot.room.local_participant.publish_data(json.dumps(message), reliable=True)
    return at


def chat_rows(desk: Desk) -> list[str]:
    model = desk.window.chat_model
    return [str(model.index(r, 0).data()) for r in range(model.rowCount())]


def choose_line(desk: Desk, text: str) -> None:
    model = desk.window.chat_model
    row = next(r for r in range(model.rowCount()) if str(model.index(r, 0).data()).endswith(text))
    desk.window.chat.view.setCurrentIndex(model.index(row, 0))


def room_settings(bot: Bot) -> ChatSettings:
    return ChatSettings.from_room_metadata(bot.room.metadata)


async def shown(desk: Desk, text: str) -> None:
    await eventually(
        lambda: any(row.endswith(text) for row in chat_rows(desk)),
        10,
        f"{text!r} in the window's chat",
        lambda: repr(chat_rows(desk)),
    )


async def test_hide_and_mute_from_the_chat_panel_hold_in_the_window_and_reach_the_room(
    moderating_desk: Desk,
) -> None:
    desk = moderating_desk
    await desk.go_live()
    troll = await viewer(desk, "Troll")
    sam = await viewer(desk, "Sam")
    at = await say(troll, "buy my coins")
    await say(sam, "hi all")
    await shown(desk, "hi all")
    await shown(desk, "buy my coins")

    # Hide: the line leaves the window, and the room's metadata (what every page reads) names it.
    choose_line(desk, "buy my coins")
    assert desk.window.chat.hide_button.isEnabled()
    desk.window.chat.hide_button.click()
    await eventually(lambda: not any("buy my coins" in r for r in chat_rows(desk)), 5, "hidden")
    await sam.wait_for(lambda: message_id(troll.identity, at) in room_settings(sam).hidden)
    assert chat_rows(desk) == ["Sam: hi all"]

    # Mute: the sender's row says so, the button offers the way back, their lines stay out.
    await say(troll, "still here")
    await shown(desk, "still here")
    choose_line(desk, "still here")
    assert desk.window.chat.mute_button.text() == "Mute sender"
    desk.window.chat.mute_button.click()
    await troll.wait_for(lambda: troll.room.local_participant.attributes.get("chatMuted") == "1")
    await eventually(lambda: desk.window.chat.mute_button.text() == "Unmute sender", 5)
    await eventually(lambda: desk.mirror.get(troll.identity).chat_muted, 5)  # type: ignore[union-attr]
    await say(troll, "muted spam")
    await say(sam, "sentinel")  # once Sam's later line is in, the troll's would have been too
    await shown(desk, "sentinel")
    assert not any("muted spam" in r for r in chat_rows(desk))
    audience = desk.window.audience_model
    rows = [str(audience.index(r, 0).data()) for r in range(audience.rowCount())]
    assert "Troll — chat muted" in rows, rows
    save_screenshot(desk, "host-chat-moderation.png")

    choose_line(desk, "still here")
    desk.window.chat.mute_button.click()  # unmute
    await troll.wait_for(lambda: not troll.room.local_participant.attributes.get("chatMuted"))
    await eventually(lambda: not desk.mirror.get(troll.identity).chat_muted, 5)  # type: ignore[union-attr]
    await say(troll, "sorry")
    await shown(desk, "sorry")


async def test_slow_mode_chosen_in_the_panel_reaches_the_room(moderating_desk: Desk) -> None:
    desk = moderating_desk
    await desk.go_live()
    sam = await viewer(desk, "Sam")
    box = desk.window.chat.slow_mode
    box.setCurrentIndex(box.findData(30))
    box.activated.emit(box.currentIndex())
    await sam.wait_for(lambda: room_settings(sam).slow_mode_s == 30)

    reply = await desk.api.request(
        "POST", f"/api/rooms/{desk.room}/chat/slow-mode", {"seconds": 45}, key=True
    )
    assert reply.status == 200, reply.body
    await eventually(lambda: box.currentData() == 45, 5, "the API's slow mode in the panel")
    assert box.currentText() == "Slow mode: 1 message / 45 s"

    await say(sam, "first")
    await shown(desk, "first")
    await say(sam, "too soon")
    await say(sam, "also too soon")
    reply = await desk.api.request(
        "POST", f"/api/rooms/{desk.room}/chat/slow-mode", {"seconds": 0}, key=True
    )
    await eventually(lambda: box.currentData() == 0, 5, "slow mode off")
    await say(sam, "after slow mode")
    await shown(desk, "after slow mode")
    assert not any("too soon" in r for r in chat_rows(desk))


async def test_a_block_from_a_chat_line_is_listed_under_blocked_and_lifted_there(
    moderating_desk: Desk,
) -> None:
    desk = moderating_desk
    await desk.go_live()
    troll = await viewer(desk, "Troll")
    await say(troll, "rude words")
    await shown(desk, "rude words")
    choose_line(desk, "rude words")
    desk.window.chat.block_button.click()
    await desk.accept_confirmation()
    await asyncio.wait_for(troll.disconnected.wait(), 10)

    desk.window.audience.blocked_button.click()
    dialog: Any = await eventually(
        lambda: next(
            (w for w in QApplication.topLevelWidgets() if isinstance(w, BlocksDialog)), None
        ),
        5,
        "the Blocked dialog",
    )
    items = [dialog.list.item(i).text() for i in range(dialog.list.count())]
    assert len(items) == 1 and items[0].startswith(f"Troll ({troll.identity}) — blocked "), items
    dialog.list.setCurrentRow(0)
    dialog.unblock_button.click()
    await eventually(lambda: dialog.summary.text() == NONE_BLOCKED, 5, "the block lifted")
    listed = await desk.api.request("GET", f"/api/rooms/{desk.room}/blocks", key=True)
    assert listed.body == {"blocks": []}
    dialog.reject()
