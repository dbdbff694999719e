"""A viewer's page coming on stage (or backstage) as the host's window brings it: the host bot
invites with a data message, the page's own Accept answers, and the test makes the API call the
window makes on that answer. Shared by the stage tests of the page."""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any

from tests.support.api_fixtures import RunningApi
from tests.support.bots import Bot
from tests.support.browser_fixtures import ViewerPage

LIVE = "hostdeskViewer.state === 'live'"
ON_STAGE = "hostdeskViewer.onStage && hostdeskViewer.isPublishing"


def screenshot_dir() -> Path:
    target = Path(os.environ.get("HOSTDESK_SCREENSHOT_DIR", "docs/screenshots"))
    target.mkdir(parents=True, exist_ok=True)
    return target


async def join(page: ViewerPage, name: str) -> str:
    """Joins the show from the page's form; the page's identity once it is live."""
    await page.page.emulate_media(reduced_motion="reduce")
    await page.page.fill("#name-input", name)
    await page.page.click("#join-button")
    await page.until(LIVE, 20, "the page live")
    identity: str = (await page.view())["identity"]
    return identity


async def accept_invitation(host: Bot, page: ViewerPage, identity: str, name: str) -> None:
    """The host bot invites the page's viewer; the viewer clicks Accept; the host hears yes."""
    await host.wait_for(lambda: host.remote(identity))
    await host.send(
        {
            "type": "guest_invite",
            "senderId": host.identity,
            "senderName": "Jane Host",
            "targetParticipantId": identity,
            "targetParticipantName": name,
            "timestamp": int(time.time() * 1000),
        },
        to=[identity],
    )
    await page.page.locator("#invite-dialog").wait_for(state="visible", timeout=10_000)
    await page.page.click("#invite-accept")
    answer = await host.wait_for(
        lambda: next(
            (
                m
                for sender, m in host.messages
                if sender == identity and m.get("type") == "guest_invite_response"
            ),
            None,
        )
    )
    assert answer["accepted"] is True


async def post(api: RunningApi, room: str, path: str, body: dict[str, Any]) -> Any:
    """A host-only call with the host's API key; asserts 200."""
    reply = await api.request("POST", f"/api/rooms/{room}{path}", body, key=True)
    assert reply.status == 200, (path, reply.status, reply.body)
    return reply.body


async def bring_on_stage(api: RunningApi, room: str, host: Bot, page: ViewerPage, name: str) -> str:
    """The page's viewer invited, accepting, promoted and publishing; its identity."""
    identity = await join(page, name)
    await accept_invitation(host, page, identity, name)
    await post(api, room, "/invite", {"viewerIdentity": identity, "hostIdentity": host.identity})
    await page.until(ON_STAGE, 15, "the guest on stage and publishing")
    return identity
