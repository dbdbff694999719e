"""The stage clock on the guest's own page in headless Chromium: a viewer accepts the host's
invitation, comes on stage, and when the host sets a limit that leaves at most a minute the page
warns ("1 minute left on stage"); at the limit it says the time is up and that the host may send
the guest back, and the guest stays on stage (nothing is automatic). The page's clock is set two
hours behind the server's: the page counts on the server's time (from its token), not its own.
The real API (auth on, the host's calls with its API key), a real livekit-server, a host bot."""

from __future__ import annotations

import os
import re
import time
from pathlib import Path

from tests.support.api_fixtures import RunningApi, StartApi, new_room
from tests.support.browser_fixtures import OpenPage

LIVE = "hostdeskViewer.state === 'live'"
ON_STAGE = "hostdeskViewer.onStage && hostdeskViewer.isPublishing"
CLOCK_TEXT = "document.getElementById('stage-clock-text').textContent"
CLOCK_SHOWN = "!document.getElementById('stage-clock').hidden"
WARNING = "1 minute left on stage"
TIME_UP = "Your time on stage is up — the host may send you back"
#: How far behind the server's clock the page's runs.
SKEW_MS = 2 * 60 * 60 * 1000


def _screenshot_dir() -> Path:
    target = Path(os.environ.get("HOSTDESK_SCREENSHOT_DIR", "docs/screenshots"))
    target.mkdir(parents=True, exist_ok=True)
    return target


def _shows(text: str) -> str:
    return f"{CLOCK_SHOWN} && {CLOCK_TEXT} === {text!r}"


async def test_the_guests_page_warns_a_minute_before_the_limit_and_says_when_time_is_up(
    start_api: StartApi, viewer_pages: OpenPage
) -> None:
    api = await start_api(stage_size=2)
    room = new_room()
    host = await api.joined_bot(room, "Jane Host", "host")
    guest = await viewer_pages(f"{api.url}/watch/{room}", label="guest")
    # The page's clock, two hours slow, runs on as a clock does (timers too).
    await guest.page.clock.install(time=time.time() - SKEW_MS / 1000)
    await guest.page.reload()
    await guest.page.fill("#name-input", "Gia Guest")
    await guest.page.click("#join-button")
    await guest.until(LIVE, 20, "the page live")
    identity = (await guest.view())["identity"]
    assert await guest.page.evaluate("Date.now()") < time.time() * 1000 - SKEW_MS + 60_000

    # The host invites; the page accepts; the host promotes on the answer (as the window does).
    await host.wait_for(lambda: host.remote(identity))
    await host.send(
        {
            "type": "guest_invite",
            "senderId": host.identity,
            "senderName": "Jane Host",
            "targetParticipantId": identity,
            "targetParticipantName": "Gia Guest",
            "timestamp": int(time.time() * 1000),
        },
        to=[identity],
    )
    await guest.page.locator("#invite-dialog").wait_for(state="visible", timeout=10_000)
    await guest.page.click("#invite-accept")
    answer = await host.wait_message("guest_invite_response")
    assert answer["accepted"] is True
    await _post(api, room, "/invite", {"viewerIdentity": identity, "hostIdentity": host.identity})
    await guest.until(ON_STAGE, 15, "the guest on stage and publishing")
    await guest.until("hostdeskViewer.stageClock !== null", 5, "the clock running")
    assert await guest.page.is_hidden("#stage-clock")  # no limit: nothing to warn of
    # Counting from the server's onStageSince on the server's time (the page's own clock, two
    # hours behind, would read 0:00 for two hours).
    await guest.until(
        "['0:02', '0:03', '0:04'].includes(document.getElementById('on-stage-time').textContent)",
        4,
        "the time on stage counting",
    )

    # A limit that leaves at most a minute: the warning within a few seconds.
    await _post(api, room, "/stage/time-limit", {"seconds": 62})
    await guest.until(_shows(WARNING), 4, "the warning")
    view = await guest.view()
    assert view["stageLimitSeconds"] == 62
    assert view["stageClock"]["phase"] == "warning"
    assert 55 <= view["stageClock"]["remainingS"] <= 60, view["stageClock"]
    left = await guest.page.text_content("#stage-clock-left") or ""
    assert re.fullmatch(r" · (1:00|0:5\d)", left), left  # the seconds left, counting down
    await guest.page.screenshot(path=str(_screenshot_dir() / "viewer-stage-clock-warning.png"))

    # The limit reached: time is up, and the guest is still on stage.
    await _post(api, room, "/stage/time-limit", {"seconds": 1})
    await guest.until(_shows(TIME_UP), 4, "time is up")
    await guest.page.wait_for_timeout(1_500)
    assert (await guest.view())["onStage"] is True
    assert await guest.page.evaluate(_shows(TIME_UP))
    assert await guest.page.evaluate("document.getElementById('stage-clock').dataset.phase") == (
        "over"
    )

    # No limit any more: nothing to say. Sent back by the host: no clock.
    await _post(api, room, "/stage/time-limit", {"seconds": 0})
    await guest.until(f"!({CLOCK_SHOWN})", 4, "the banner gone")
    await _post(api, room, "/demote", {"guestIdentity": identity, "hostIdentity": host.identity})
    await guest.until("!hostdeskViewer.onStage && hostdeskViewer.stageClock === null", 10, "off")
    assert await guest.page.is_hidden("#stage-clock")


async def _post(api: RunningApi, room: str, path: str, body: dict[str, object]) -> None:
    reply = await api.request("POST", f"/api/rooms/{room}{path}", body, key=True)
    assert reply.status == 200, (path, reply.status, reply.body)
