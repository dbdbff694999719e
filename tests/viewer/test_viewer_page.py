"""The viewer web page in headless Chromium, in a real show: the host's real window offscreen,
the real API (auth on) and a real livekit-server; nothing LiveKit does is mocked."""

from __future__ import annotations

import asyncio
import json
import os
import re
import time
from pathlib import Path
from urllib.parse import urlsplit

from hostdesk.devserver import LocalLiveKitServer
from hostdesk.show.connection import ConnectionState
from hostdesk.show.roles import Role
from hostdesk.ui.dialogs import GoLiveChoice
from hostdesk.ui.settings import TEST_PATTERN, TONE
from tests.support.api_fixtures import StartApi, new_room
from tests.support.browser_fixtures import CAMERA_RGB, OpenPage, ViewerPage
from tests.support.desk_fixtures import Desk, eventually

#: JavaScript conditions read from the page (`hostdeskViewer` is the page's read-only view).
LIVE = "hostdeskViewer.state === 'live'"
HOST_VIDEO_PLAYING = (
    "(() => { const v = document.querySelector('#host-tile:not([hidden]) video');"
    " return Boolean(v) && v.videoWidth > 0 && !v.paused; })()"
)
GUEST_VIDEO_PLAYING = (
    "(() => { const v = document.querySelector('#stage .tile[data-role=guest] video');"
    " return Boolean(v) && v.videoWidth > 0 && !v.paused; })()"
)
GUEST_TILE_GONE = "!document.querySelector('#stage .tile[data-role=guest]')"
GUEST_NAME = "#stage .tile[data-role=guest] .name"
NOTICE = "document.getElementById('notice').textContent"


async def _join(open_page: OpenPage, desk: Desk, name: str, label: str, **size: int) -> ViewerPage:
    """Opens the show's link in a fresh browser and joins under `name`."""
    viewer = await open_page(f"{desk.api.url}/watch/{desk.room}", label=label, **size)
    await viewer.page.fill("#name-input", name)
    await viewer.page.click("#join-button")
    return viewer


def _select_hand(desk: Desk, row: int) -> None:
    view = desk.window.hands.view
    view.setCurrentIndex(view.model().index(row, 0))


def _centre(desk: Desk) -> tuple[int, int, int]:
    view = desk.window.stage.guest_view
    image = view.grab().toImage()
    colour = image.pixelColor(image.width() // 2, image.height() // 2)
    return colour.red(), colour.green(), colour.blue()


def _close_to(actual: tuple[int, int, int], expected: tuple[int, int, int]) -> bool:
    return all(abs(a - e) <= 40 for a, e in zip(actual, expected, strict=True))


def _screenshot_dir() -> Path:
    target = Path(os.environ.get("HOSTDESK_SCREENSHOT_DIR", "docs/screenshots"))
    target.mkdir(parents=True, exist_ok=True)
    return target


async def test_a_viewer_raises_a_hand_comes_on_stage_is_seen_and_goes_back(
    desk: Desk, viewer_pages: OpenPage
) -> None:
    await desk.go_live()
    ada = await _join(viewer_pages, desk, "Ada Viewer", "A")
    bo = await _join(viewer_pages, desk, "Bo Viewer", "B")
    for viewer in (ada, bo):
        await viewer.until(LIVE, 20, "the page live")
        await viewer.until(HOST_VIDEO_PLAYING, 15, "the host's video playing")
    await ada.until("hostdeskViewer.viewerCount === 2", 10, "two viewers counted")
    assert await ada.page.text_content("#host-name") == "Jane Host"

    started = time.monotonic()
    await ada.page.click("#hand-button")
    await eventually(lambda: desk.hand_names() == ["Ada Viewer"], 5, "Ada's hand at the host")
    hand_seconds = time.monotonic() - started
    await ada.until("hostdeskViewer.queuePosition === 1", 5, "Ada first in line")
    assert await ada.page.text_content("#queue") == "You are 1st in line"
    assert await ada.page.text_content("#hand-button") == "Lower hand"
    await ada.page.screenshot(path=str(_screenshot_dir() / "viewer-watching.png"))

    _select_hand(desk, 0)
    desk.window.hands.invite_button.click()
    dialog = ada.page.locator("#invite-dialog")
    await dialog.wait_for(state="visible", timeout=10_000)
    assert await ada.page.text_content("#invite-text") == "Jane Host invites you on stage"

    started = time.monotonic()
    await ada.page.click("#invite-accept")
    await eventually(
        lambda: _close_to(_centre(desk), CAMERA_RGB),
        20,
        "the guest's camera colour on the host's guest tile",
        lambda: f"centre pixel {_centre(desk)}; {desk.mirror.guests}",
    )
    accept_seconds = time.monotonic() - started
    assert desk.mirror.role_of(ada_identity := (await ada.view())["identity"]) is Role.GUEST
    assert desk.window.stage.guest_view.name == "Ada Viewer"
    await ada.until("hostdeskViewer.onStage && hostdeskViewer.isPublishing", 10, "publishing")
    await ada.until(GUEST_VIDEO_PLAYING, 10, "Ada's self-view")
    await bo.until(GUEST_VIDEO_PLAYING, 15, "Ada's video on Bo's page")
    assert await bo.page.text_content(GUEST_NAME) == "Ada Viewer"
    await ada.page.screenshot(path=str(_screenshot_dir() / "viewer-on-stage.png"))

    def mic_muted() -> bool:
        member = desk.mirror.get(ada_identity)
        return member is not None and member.mic_muted

    await eventually(lambda: not mic_muted(), 10, "Ada's microphone heard at the host")
    await ada.page.click("#mic-button")
    await eventually(mic_muted, 5, "Ada's microphone muted at the host")
    assert await ada.page.text_content("#mic-button") == "Unmute mic"
    await ada.page.click("#mic-button")
    await eventually(lambda: not mic_muted(), 5, "Ada's microphone back at the host")

    desk.window.stage.guest_tiles[0].demote_button.click()
    await eventually(lambda: desk.mirror.role_of(ada_identity) is Role.VIEWER, 10, "demotion")
    await ada.until(
        "!hostdeskViewer.onStage && !hostdeskViewer.isPublishing", 10, "Ada stops publishing"
    )
    await bo.until(GUEST_TILE_GONE, 10, "the guest gone from Bo's stage")
    await ada.until(GUEST_TILE_GONE, 10, "Ada back in the audience")
    assert await ada.page.is_visible("#hand-button")
    print(f"\nraise hand -> host queue: {hand_seconds * 1000:.0f} ms")
    print(f"accept -> first guest frame on the host's tile: {accept_seconds * 1000:.0f} ms")


CHAT_HTML = "<img src=x onerror=alert(1)><b>bold</b>"
CHAT_TEXTS = "[...document.querySelectorAll('#chat-list .text')].map((e) => e.textContent)"
CHAT_ELEMENTS = "document.querySelectorAll('#chat-list b, #chat-list img').length"


def _chat_line(text: str) -> str:
    """JS: the chat line (li) whose text is exactly `text`, as {who, host, own}, or null."""
    return (
        "(() => { const line = [...document.querySelectorAll('#chat-list .chat-line')]"
        f".find((l) => l.querySelector('.text').textContent === {json.dumps(text)});"
        " return line ? {who: line.querySelector('.who').textContent,"
        " host: line.classList.contains('host'), own: line.classList.contains('own')} : null;"
        " })()"
    )


async def test_chat_shows_html_as_plain_text_on_the_pages_and_at_the_host(
    desk: Desk, viewer_pages: OpenPage
) -> None:
    await desk.go_live()
    ada = await _join(viewer_pages, desk, "Ada Viewer", "A")
    bo = await _join(viewer_pages, desk, "Bo Viewer", "B")
    for viewer in (ada, bo):
        await viewer.until(LIVE, 20, "the page live")
    dialogs: list[str] = []
    for viewer in (ada, bo):
        viewer.page.on("dialog", lambda dialog: dialogs.append(dialog.message))

    await ada.page.fill("#chat-input", CHAT_HTML)
    await ada.page.press("#chat-input", "Enter")
    await bo.until(f"{CHAT_TEXTS}.includes({json.dumps(CHAT_HTML)})", 10, "the line on B")
    assert await bo.page.evaluate(_chat_line(CHAT_HTML)) == {
        "who": "Ada Viewer",
        "host": False,
        "own": False,
    }
    assert await ada.page.evaluate(_chat_line(CHAT_HTML)) == {
        "who": "Ada Viewer (you)",
        "host": False,
        "own": True,
    }
    for viewer in (ada, bo):
        assert await viewer.page.evaluate(CHAT_ELEMENTS) == 0
    assert await ada.page.input_value("#chat-input") == ""
    await eventually(
        lambda: any(line.text == CHAT_HTML for line in desk.mirror.chat), 5, "the line at the host"
    )
    line = next(line for line in desk.mirror.chat if line.text == CHAT_HTML)
    assert line.sender_name == "Ada Viewer"
    model = desk.window.chat_model
    rows = [str(model.index(r, 0).data()) for r in range(model.rowCount())]
    assert any(CHAT_HTML in row for row in rows), rows

    desk.window.chat.input.setText("Welcome, both of you!")
    desk.window.chat.send_button.click()
    for viewer in (ada, bo):
        await viewer.until(f"{_chat_line('Welcome, both of you!')} !== null", 10, "the host's line")
        assert await viewer.page.evaluate(_chat_line("Welcome, both of you!")) == {
            "who": "Jane Host",
            "host": True,
            "own": False,
        }

    assert await ada.page.get_attribute("#chat-input", "maxlength") == "1000"
    # Past the input's maxlength (as a script or an old browser could): refused, not sent.
    await ada.page.evaluate("document.getElementById('chat-input').value = 'x'.repeat(1001)")
    await ada.page.click("#chat-send")
    assert await ada.page.text_content("#chat-error") == "A message can be at most 1000 characters"
    # A line sent after it, on the same ordered channel: once the host has that one, the refused
    # one would have arrived before it had it been sent.
    await ada.page.fill("#chat-input", "after the long one")
    await ada.page.press("#chat-input", "Enter")
    await eventually(
        lambda: any(line.text == "after the long one" for line in desk.mirror.chat),
        10,
        "the line after the refused one at the host",
    )
    assert not any(len(line.text) > 1000 for line in desk.mirror.chat)
    assert await ada.page.is_hidden("#chat-error")
    assert dialogs == []


async def test_a_removed_viewer_is_told_and_ending_the_show_tells_everyone(
    desk: Desk, viewer_pages: OpenPage
) -> None:
    await desk.go_live()
    ada = await _join(viewer_pages, desk, "Ada Viewer", "A")
    bo = await _join(viewer_pages, desk, "Bo Viewer", "B")
    cy = await _join(viewer_pages, desk, "Cy Removed", "C")
    for viewer in (ada, bo, cy):
        await viewer.until(LIVE, 20, "the page live")

    cy_identity = (await cy.view())["identity"]
    await eventually(lambda: desk.mirror.get(cy_identity), 10, "Cy at the host")
    cy.expect_session_end()
    desk.window.ask_remove(cy_identity)
    await desk.accept_confirmation()
    await cy.until("hostdeskViewer.state === 'removed'", 10, "Cy removed")
    assert await cy.page.evaluate(NOTICE) == "You were removed from the show"
    await ada.until("hostdeskViewer.viewerCount === 2", 10, "Cy gone from the count")

    for viewer in (ada, bo):
        viewer.expect_session_end()
    desk.window.end_show()
    for viewer in (ada, bo):
        await viewer.until("hostdeskViewer.state === 'ended'", 15, "the show ended")
        assert await viewer.page.evaluate(NOTICE) == "The show has ended"
        assert await viewer.page.is_hidden("#stage")
        assert await viewer.page.is_disabled("#chat-send")
    # And it stayed so: a removed viewer does not rejoin by itself (had Cy come back, the end of
    # the show, which every page in the room is told, would say "ended" on Cy's page too).
    assert (await cy.view())["state"] == "removed"
    assert await cy.page.evaluate(NOTICE) == "You were removed from the show"


async def test_a_viewer_early_waits_and_the_show_starts_when_the_host_goes_live(
    desk: Desk, viewer_pages: OpenPage
) -> None:
    desk.room = new_room()
    ada = await _join(viewer_pages, desk, "Ada Early", "A")
    await ada.until("hostdeskViewer.state === 'waiting'", 5, "waiting")
    await ada.until(f"{NOTICE} === 'The show has not started yet'", 5, "the notice")
    # Two more looks at the room while there is no host: the page polls one look after the
    # other, so when the second starts the answer to the first (no host) has been taken in.
    looks: list[str] = []
    room_info = f"/api/rooms/{desk.room}"
    ada.page.on(
        "request", lambda r: looks.append(r.url) if urlsplit(r.url).path == room_info else None
    )
    await eventually(lambda: len(looks) >= 2, 10, "two more looks at the room")
    assert (await ada.view())["state"] == "waiting"

    desk.window.go_live(GoLiveChoice(desk.room, "Jane Host", TEST_PATTERN, TONE))
    await eventually(lambda: desk.session.state is ConnectionState.LIVE, 15, "going live")
    await ada.until(LIVE, 20, "the page live by itself")
    await ada.until(HOST_VIDEO_PLAYING, 15, "the host's video")
    assert await ada.page.is_hidden("#notice")
    assert await ada.page.evaluate("localStorage.getItem('hostdesk.viewerName')") == "Ada Early"
    await eventually(lambda: [m.name for m in desk.mirror.viewers] == ["Ada Early"], 10)


async def test_the_page_fits_a_phone_screen(
    desk: Desk, viewer_pages: OpenPage, tmp_path: Path
) -> None:
    overflow = "document.documentElement.scrollWidth - window.innerWidth"
    await desk.go_live()
    phone = await viewer_pages(
        f"{desk.api.url}/watch/{desk.room}", label="phone", width=360, height=740
    )
    assert await phone.page.evaluate(overflow) <= 0
    await phone.page.fill("#name-input", "Pia Phone With A Rather Long Name")
    await phone.page.click("#join-button")
    await phone.until(LIVE, 20, "the page live")
    await phone.until(HOST_VIDEO_PLAYING, 15, "the host's video")
    await phone.page.click("#hand-button")
    await phone.until("hostdeskViewer.queuePosition === 1", 5, "first in line")
    await phone.page.fill("#chat-input", "a-very-long-word-" * 20)
    await phone.page.press("#chat-input", "Enter")
    await phone.until(f"{CHAT_TEXTS}.length === 1", 5, "the line shown")
    assert await phone.page.evaluate(overflow) <= 0
    box = await phone.page.locator("#host-tile").bounding_box()
    assert box is not None and box["width"] <= 360
    await phone.page.screenshot(path=str(tmp_path / "viewer-phone.png"), full_page=True)


async def test_pages_rejoin_after_a_livekit_restart_and_get_their_stage_and_hand_back(
    desk: Desk, viewer_pages: OpenPage, livekit_server: LocalLiveKitServer
) -> None:
    await desk.go_live()
    ada = await _join(viewer_pages, desk, "Ada Guest", "A")
    bo = await _join(viewer_pages, desk, "Bo Hand", "B")
    for viewer in (ada, bo):
        await viewer.until(LIVE, 20, "the page live")
    await ada.page.click("#hand-button")
    await eventually(lambda: desk.hand_names() == ["Ada Guest"], 5, "Ada's hand")
    _select_hand(desk, 0)
    desk.window.hands.invite_button.click()
    await ada.page.locator("#invite-dialog").wait_for(state="visible", timeout=10_000)
    await ada.page.click("#invite-accept")
    await eventually(lambda: _close_to(_centre(desk), CAMERA_RGB), 20, "Ada on the host's tile")
    await bo.page.click("#hand-button")
    await eventually(lambda: desk.hand_names() == ["Bo Hand"], 5, "Bo's hand")
    ada_identity = (await ada.view())["identity"]

    for viewer in (ada, bo):
        viewer.expect_session_end()
    await livekit_server.restart()
    reconnecting = (
        f"hostdeskViewer.state === 'reconnecting' && {NOTICE}.toLowerCase().includes('reconnect')"
    )
    # Both at once: a page may be back before the other one has noticed.
    await asyncio.gather(*(v.until(reconnecting, 10, "reconnecting") for v in (ada, bo)))

    await ada.until(
        f"{LIVE} && hostdeskViewer.onStage && hostdeskViewer.isPublishing",
        40,
        "Ada back on stage and publishing",
    )
    await bo.until(f"{LIVE} && hostdeskViewer.queuePosition === 1", 30, "Bo's hand back")
    assert (await ada.view())["identity"] == ada_identity  # the same token, the same person
    await eventually(
        lambda: (
            desk.mirror.role_of(ada_identity) is Role.GUEST and desk.hand_names() == ["Bo Hand"]
        ),
        30,
        "the guest and the hand restored at the host",
    )
    await eventually(lambda: _close_to(_centre(desk), CAMERA_RGB), 20, "Ada's video back")
    await bo.until(GUEST_VIDEO_PLAYING, 20, "Ada's video on Bo's page")


async def test_an_invitation_from_anyone_but_the_host_is_ignored(
    desk: Desk, viewer_pages: OpenPage
) -> None:
    await desk.go_live()
    ada = await _join(viewer_pages, desk, "Ada Viewer", "A")
    await ada.until(LIVE, 20, "the page live")
    mallory = await desk.api.joined_bot(desk.room, "Mallory")
    await ada.until("hostdeskViewer.viewerCount === 2", 10, "Mallory seen by the page")
    ada_identity = (await ada.view())["identity"]
    now = int(time.time() * 1000)
    await mallory.send(
        {
            "type": "guest_invite",
            "senderId": desk.control.identity,  # claims to be the host
            "senderName": "Jane Host",
            "targetParticipantId": ada_identity,
            "targetParticipantName": "Ada Viewer",
            "timestamp": now,
        },
        to=[ada_identity],
    )
    marker = {"type": "chat_message", "senderId": "m", "senderName": "m", "timestamp": now}
    await mallory.send({**marker, "message": "after the forged invitation"})
    await ada.until(f"{_chat_line('after the forged invitation')} !== null", 10, "the marker")
    assert await ada.page.is_hidden("#invite-dialog")
    assert (await ada.view())["onStage"] is False

    # The real host's invitation is shown; declining tells the host and changes nothing else.
    await ada.page.click("#hand-button")
    await eventually(lambda: desk.hand_names() == ["Ada Viewer"], 5, "Ada's hand")
    _select_hand(desk, 0)
    desk.window.hands.invite_button.click()
    await ada.page.locator("#invite-dialog").wait_for(state="visible", timeout=10_000)
    await ada.page.click("#invite-decline")
    await eventually(
        lambda: "declined" in desk.window.statusBar().currentMessage(), 5, "the host told"
    )
    assert await ada.page.is_hidden("#invite-dialog")
    assert desk.mirror.role_of(ada_identity) is Role.VIEWER
    assert (await ada.view())["onStage"] is False


async def test_the_home_page_asks_for_the_show_and_api_errors_read_plainly(
    start_api: StartApi, viewer_pages: OpenPage
) -> None:
    api = await start_api(rate_limits=True)  # hand-raise: 10 a minute per address
    room = new_room()
    await api.joined_bot(room, "Hank Host", role="host")
    viewer = await viewer_pages(f"{api.url}/", label="home")
    assert await viewer.page.is_visible("#room-input")
    await viewer.page.fill("#room-input", room)
    await viewer.page.fill("#name-input", "Rita Rapid")
    await viewer.page.click("#join-button")
    await viewer.until(LIVE, 20, "the page live")
    assert urlsplit(viewer.page.url).path == f"/watch/{room}"
    assert await viewer.page.text_content("#host-name") == "Hank Host"
    assert await viewer.page.evaluate("localStorage.getItem('hostdesk.viewerName')") == (
        "Rita Rapid"
    )

    viewer.expect_http_error(429, "Too Many Requests", f"/api/rooms/{room}/hand-raise")
    for _ in range(10):
        await viewer.page.click("#hand-button")
        await viewer.until("!document.getElementById('hand-button').disabled", 5)
        assert await viewer.page.is_hidden("#action-error")
    await viewer.page.click("#hand-button")
    await viewer.until("!document.getElementById('action-error').hidden", 5, "an error")
    assert re.fullmatch(
        r"Too many requests: try again in \d+ s",
        await viewer.page.text_content("#action-error") or "",
    )
