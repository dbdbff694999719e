"""The host moderates the chat and every viewer page in headless Chromium obeys: a hidden message
leaves the pages that showed it, a muted viewer is told (their hand still works) and a muted
client's lines reach no page, slow mode is told and kept by the page and enforced on a client
that ignores it. The real API (auth on, the host's calls with its API key), a real
livekit-server, a host bot (the Python SDK) and clients written to the contract alone.

What a page drops it says in a console warning ("dropped a chat message from <identity>: <why>",
moderation.js's reasons): a test waits for that warning, so that a line's absence is checked
after the line reached the page, never after a sleep."""

from __future__ import annotations

import json
import os
import re
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import pytest_asyncio
from playwright.async_api import ConsoleMessage

from tests.support.api_fixtures import RunningApi, StartApi, new_room
from tests.support.bots import Bot
from tests.support.browser_fixtures import OpenPage, ViewerPage
from tests.support.contract_client import ContractClient
from tests.support.desk_fixtures import eventually

LIVE = "hostdeskViewer.state === 'live'"
CHAT_TEXTS = "[...document.querySelectorAll('#chat-list .text')].map((e) => e.textContent)"
CHAT_STATUS = "document.getElementById('chat-status')"
MUTED_TEXT = "The host has muted your chat"
#: moderation.js's reasons (the window's words, hostdesk/show/chat.py).
MUTED = "the sender's chat is muted"
TOO_SOON = "slow mode: too soon after the sender's last message"
SLOW_S = 6


def _shows(text: str) -> str:
    return f"{CHAT_TEXTS}.includes({json.dumps(text)})"


def _screenshot_dir() -> Path:
    target = Path(os.environ.get("HOSTDESK_SCREENSHOT_DIR", "docs/screenshots"))
    target.mkdir(parents=True, exist_ok=True)
    return target


@dataclass
class Show:
    api: RunningApi
    room: str
    host: Bot
    ada: ViewerPage
    bo: ViewerPage
    #: console warnings of each page, by label
    warnings: dict[str, list[str]]

    async def post(self, path: str, body: dict[str, object]) -> None:
        reply = await self.api.request("POST", f"/api/rooms/{self.room}{path}", body, key=True)
        assert reply.status == 200, reply.body

    async def identity(self, viewer: ViewerPage) -> str:
        identity: str = (await viewer.view())["identity"]
        return identity

    async def contract_viewer(self, name: str) -> ContractClient:
        """A client written to the contract, once both pages know it (packets from someone the
        page does not know yet arrive without LiveKit's stamp and are not read)."""
        client = await ContractClient.join(self.api.session, self.api.url, self.room, name)
        self.api.bots.append(client)
        for viewer in (self.ada, self.bo):
            await viewer.until("hostdeskViewer.viewerCount === 3", 10, f"{name} seen")
        return client

    async def dropped(self, viewer: ViewerPage, sender: str, why: str) -> None:
        """Waits until `viewer` has dropped a chat message from `sender` for `why`."""
        wanted = f"dropped a chat message from {sender}: {why}"
        seen = self.warnings[viewer.label]
        await eventually(lambda: any(wanted in w for w in seen), 10, wanted, lambda: str(seen))


def _warnings_of(viewer: ViewerPage) -> list[str]:
    seen: list[str] = []

    def on_console(message: ConsoleMessage) -> None:
        if message.type == "warning":
            seen.append(message.text)

    viewer.page.on("console", on_console)
    return seen


async def _say(viewer: ViewerPage, text: str) -> None:
    await viewer.page.fill("#chat-input", text)
    await viewer.page.press("#chat-input", "Enter")


@pytest_asyncio.fixture(loop_scope="session")
async def show(start_api: StartApi, viewer_pages: OpenPage) -> AsyncIterator[Show]:
    """A live show (a host bot) watched by two pages, Ada's and Bo's."""
    api = await start_api()
    room = new_room()
    host = await api.joined_bot(room, "Jane Host", "host")
    warnings: dict[str, list[str]] = {}
    pages = []
    for name, label in (("Ada Viewer", "ada"), ("Bo Viewer", "bo")):
        viewer = await viewer_pages(f"{api.url}/watch/{room}", label=label)
        warnings[label] = _warnings_of(viewer)
        await viewer.page.fill("#name-input", name)
        await viewer.page.click("#join-button")
        pages.append(viewer)
    for viewer in pages:
        await viewer.until(LIVE, 20, "the page live")
    await pages[0].until("hostdeskViewer.viewerCount === 2", 10, "both viewers seen")
    yield Show(api, room, host, pages[0], pages[1], warnings)


async def test_a_message_the_host_hides_leaves_every_page_that_showed_it(show: Show) -> None:
    ada, bo = show.ada, show.bo
    await _say(ada, "this one stays")
    await _say(ada, "please hide me")
    await bo.until(_shows("please hide me"), 10, "Ada's line on Bo's page")

    # The host names the message as it got it: the stamped sender and the message's timestamp.
    ada_identity = await show.identity(ada)
    sent = await show.host.wait_for(
        lambda: next(
            (
                m
                for s, m in show.host.messages
                if s == ada_identity and m.get("message") == "please hide me"
            ),
            None,
        )
    )
    await show.post("/chat/hide", {"senderIdentity": ada_identity, "timestamp": sent["timestamp"]})
    await bo.until(f"!{_shows('please hide me')}", 5, "the hidden line gone from Bo's page")
    await ada.until(f"!{_shows('please hide me')}", 5, "Ada's own line gone from her page")
    for viewer in (ada, bo):
        assert await viewer.page.evaluate(CHAT_TEXTS) == ["this one stays"]


async def test_a_muted_viewer_is_told_keeps_the_hand_and_a_muted_client_reaches_no_page(
    show: Show,
) -> None:
    ada, bo = show.ada, show.bo
    await _say(ada, "before the mute")
    await bo.until(_shows("before the mute"), 10, "Ada's line on Bo's page")

    ada_identity = await show.identity(ada)
    await show.post(f"/participants/{ada_identity}/chat-mute", {"muted": True})
    await ada.until("hostdeskViewer.chatMuted", 5, "Ada's page muted")
    await ada.until(f"!{CHAT_STATUS}.hidden", 5, "the muted notice")
    assert await ada.page.text_content("#chat-status") == MUTED_TEXT
    assert await ada.page.is_disabled("#chat-input")
    assert await ada.page.is_disabled("#chat-send")
    # The hand and the stage flow do not depend on the chat.
    await ada.page.click("#hand-button")
    await ada.until("hostdeskViewer.queuePosition === 1", 5, "Ada's hand up")
    await ada.page.screenshot(path=str(_screenshot_dir() / "viewer-chat-muted.png"))

    # A muted troll with a client of their own (written to the contract: no topic) still sends;
    # no page shows it.
    cora = await show.contract_viewer("Cora Contract")
    await show.post(f"/participants/{cora.identity}/chat-mute", {"muted": True})
    await cora.wait_for(lambda: cora.room.local_participant.attributes.get("chatMuted") == "1")
    await cora.say("chat_message", message="spam while muted")
    for viewer in (ada, bo):
        await show.dropped(viewer, cora.identity, MUTED)
        assert "spam while muted" not in await viewer.page.evaluate(CHAT_TEXTS)

    await show.post(f"/participants/{ada_identity}/chat-mute", {"muted": False})
    await ada.until(f"!hostdeskViewer.chatMuted && {CHAT_STATUS}.hidden", 5, "Ada unmuted")
    assert await ada.page.is_enabled("#chat-input")
    await _say(ada, "back again")
    await bo.until(_shows("back again"), 10, "Ada's line after the unmute on Bo's page")
    assert await bo.page.evaluate(CHAT_TEXTS) == ["before the mute", "back again"]


async def test_slow_mode_is_told_kept_by_the_page_and_enforced_on_a_client_that_ignores_it(
    show: Show,
) -> None:
    ada, bo = show.ada, show.bo
    await show.post("/chat/slow-mode", {"seconds": SLOW_S})
    rule = f"Slow mode: one message every {SLOW_S} s"
    for viewer in (ada, bo):
        await viewer.until(f"{CHAT_STATUS}.textContent === {json.dumps(rule)}", 5, "slow mode told")

    await _say(ada, "first under slow mode")
    await bo.until(_shows("first under slow mode"), 10, "Ada's first line on Bo's page")
    await ada.until("hostdeskViewer.chatWaitSeconds > 0", 5, "Ada's countdown")
    assert await ada.page.is_disabled("#chat-send")
    await _say(ada, "too soon")  # Enter with Send disabled: the page does not send
    assert await ada.page.evaluate(CHAT_TEXTS) == ["first under slow mode"]
    assert await ada.page.input_value("#chat-input") == "too soon"
    assert await ada.page.text_content("#chat-status") == rule
    assert re.fullmatch(r"\d+ s", await ada.page.text_content("#chat-send") or "")  # countdown
    await ada.page.screenshot(path=str(_screenshot_dir() / "viewer-slow-mode.png"))

    # Once the countdown is over the page sends again, and the others show it (had the refused
    # line gone out, it would have reached Bo first: one sender's packets arrive in order).
    await ada.until("!document.getElementById('chat-send').disabled", SLOW_S + 2, "Send back")
    assert await ada.page.text_content("#chat-send") == "Send"
    await _say(ada, "after the wait")
    await bo.until(_shows("after the wait"), 10, "Ada's second line on Bo's page")
    assert await bo.page.evaluate(CHAT_TEXTS) == ["first under slow mode", "after the wait"]

    # A client that ignores slow mode: its second line within the slow mode is dropped.
    cora = await show.contract_viewer("Cora Contract")
    await cora.say("chat_message", message="cora one")
    await cora.say("chat_message", message="cora two")
    for viewer in (ada, bo):
        await show.dropped(viewer, cora.identity, TOO_SOON)
        texts = await viewer.page.evaluate(CHAT_TEXTS)
        assert "cora one" in texts and "cora two" not in texts, texts

    # The host is not slowed.
    for text in ("host one", "host two"):
        now = int(time.time() * 1000)
        await show.host.send(
            {
                "type": "chat_message",
                "senderId": show.host.identity,
                "senderName": "Jane Host",
                "timestamp": now,
                "message": text,
            }
        )
    await bo.until(f"{_shows('host one')} && {_shows('host two')}", 10, "both host lines")
