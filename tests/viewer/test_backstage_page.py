"""Backstage on the viewer page in headless Chromium: a viewer accepts the host's invitation and
the host sends them backstage (the API call the window makes on the answer, `to: "backstage"`).
The page joins the backstage room with a token the API gives for its own, publishes its camera
and microphone there and nowhere else, plays the host's talkback and says where it is; a bot in
the backstage room (a token minted here, as HostDesk's window would have) receives the page's
camera colour, while a second viewer's page has no track of the guest. Take live puts the camera
on the second page; sent back returns the guest to the audience with a notice. The real API
(auth on, stage size 2), a real livekit-server, a host bot."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import pytest_asyncio

from hostdesk.devserver import LocalLiveKitServer
from hostdesk.livekit.tokens import Tokens
from hostdesk.show.roles import Role
from tests.support.api_fixtures import RunningApi, StartApi, new_room
from tests.support.bots import Bot, first_frame_rgb
from tests.support.browser_fixtures import CAMERA_RGB, OpenPage, ViewerPage
from tests.viewer.guest_flow import accept_invitation, join, post, screenshot_dir

HOST_RGB = (230, 200, 40)
BACKSTAGE = (
    "hostdeskViewer.stage === 'backstage' && "
    "['camera', 'microphone'].every((s) => hostdeskViewer.backstageSources.includes(s))"
)
BACKSTAGE_TEXT = "You are backstage: the host can see and hear you, the audience cannot"
PREVIEW_PLAYING = "document.getElementById('backstage-preview').videoWidth > 0"


@dataclass
class Show:
    api: RunningApi
    room: str
    host: Bot
    open_page: OpenPage
    livekit: LocalLiveKitServer

    async def page(self, label: str) -> ViewerPage:
        return await self.open_page(f"{self.api.url}/watch/{self.room}", label=label)

    async def backstage_bot(self) -> Bot:
        """The host's side of the backstage room (as the window's second session joins it)."""
        creds = self.livekit.credentials
        tokens = Tokens(creds.api_key, creds.api_secret, creds.url)
        identity = f"{self.host.identity}-backstage-check"
        room = f"{self.room}~backstage"
        bot = Bot(identity, tokens.mint(room, identity, "Jane Host", Role.HOST), creds.url)
        self.api.bots.append(bot)
        return await bot.connect()

    async def send_backstage(self, page: ViewerPage, name: str) -> str:
        identity = await join(page, name)
        await accept_invitation(self.host, page, identity, name)
        body = {"viewerIdentity": identity, "hostIdentity": self.host.identity, "to": "backstage"}
        await post(self.api, self.room, "/invite", body)
        await page.until(BACKSTAGE, 20, "the page backstage, publishing there")
        return identity


@pytest_asyncio.fixture(loop_scope="session")
async def show(
    start_api: StartApi, viewer_pages: OpenPage, livekit_server: LocalLiveKitServer
) -> AsyncIterator[Show]:
    api = await start_api(stage_size=2)
    room = new_room()
    host = await api.joined_bot(room, "Jane Host", "host")
    await host.publish_colour(HOST_RGB)
    yield Show(api, room, host, viewer_pages, livekit_server)


def _of(view: dict[str, Any], identity: str) -> dict[str, Any] | None:
    return next((p for p in view["participants"] if p["identity"] == identity), None)


async def _nothing_of(viewer: ViewerPage, identity: str) -> None:
    """The viewer's page knows the guest as a viewer at most: no track, no publication."""
    seen = _of(await viewer.view(), identity)
    assert seen is None or (seen["sources"] == [] and seen["tracks"] == []), seen
    tiles = await viewer.page.evaluate(
        "[...document.querySelectorAll('#stage .tile')].map((t) => t.dataset.identity)"
    )
    assert identity not in tiles, tiles


async def test_a_guest_sent_backstage_is_seen_by_the_host_alone_until_taken_live(
    show: Show,
) -> None:
    viewer = await show.page("viewer")
    await join(viewer, "Vi Viewer")
    guest = await show.page("guest")
    backstage = await show.backstage_bot()
    talkback = await backstage.publish_tone(440)
    identity = await show.send_backstage(guest, "Gia Guest")

    # The guest's page: backstage, its own preview, nothing published in the show's room.
    view = await guest.view()
    assert view["backstageRoom"] == f"{show.room}~backstage"
    assert view["publishedSources"] == [], view
    assert view["onStage"] is False
    assert await guest.page.text_content("#backstage-box .backstage-text") == BACKSTAGE_TEXT
    assert await guest.page.is_visible("#backstage-box")
    assert await guest.page.is_hidden("#hand-box")
    await guest.until(PREVIEW_PLAYING, 10, "the guest's own preview")
    # The host's talkback plays from the backstage room.
    await guest.until(
        f"hostdeskViewer.backstageOthers.includes({backstage.identity!r}) && "
        "document.querySelectorAll('#audio-sink audio').length >= 1",
        10,
        "the host's talkback playing",
    )
    assert talkback.loud

    # The host's side of the backstage room receives the page's camera.
    track = await backstage.wait_for(
        lambda: next(iter(backstage.remote_video_tracks(identity)), None), 15
    )
    colour = await first_frame_rgb(track)
    assert all(abs(a - b) <= 40 for a, b in zip(colour, CAMERA_RGB, strict=True)), colour
    await guest.page.screenshot(path=str(screenshot_dir() / "viewer-backstage.png"))

    # The audience: the second viewer has no track of them, now or a while later.
    for _ in range(10):
        await _nothing_of(viewer, identity)
        await asyncio.sleep(0.2)
    seen_by_host = show.host.remote(identity)
    assert seen_by_host is not None and not seen_by_host.track_publications

    # Take live: on stage in the show's room, gone from the backstage room (which the server
    # leaves the page from while the page leaves it itself).
    guest.expect_room_end(f"{show.room}~backstage")
    await post(
        show.api,
        show.room,
        "/take-live",
        {"guestIdentity": identity, "hostIdentity": show.host.identity},
    )
    await guest.until(
        "hostdeskViewer.onStage && hostdeskViewer.publishedSources.includes('camera') && "
        "hostdeskViewer.backstageRoom === ''",
        15,
        "the guest on stage",
    )
    assert await guest.page.is_hidden("#backstage-box")
    await viewer.until(
        f"document.querySelector('.tile[data-identity=\"{identity}\"] video')?.videoWidth > 0",
        20,
        "the guest's camera on the viewer's page",
    )
    tile = await viewer.page.evaluate(
        f"(() => {{ const b = document.querySelector('.tile[data-identity=\"{identity}\"]')"
        ".getBoundingClientRect(); return [b.x + b.width / 2, b.y + b.height / 2]; })()"
    )
    (seen,) = await viewer.screen_pixels([tuple(tile)])
    assert all(abs(a - b) <= 40 for a, b in zip(seen, CAMERA_RGB, strict=True)), seen
    await backstage.wait_for(lambda: backstage.remote(identity) is None, 10)


async def test_a_guest_sent_back_from_backstage_is_in_the_audience_again(show: Show) -> None:
    guest = await show.page("guest")
    backstage = await show.backstage_bot()
    identity = await show.send_backstage(guest, "Gia Guest")
    await backstage.wait_for(lambda: backstage.remote_video_tracks(identity), 15)

    guest.expect_room_end(f"{show.room}~backstage")
    await post(
        show.api,
        show.room,
        "/demote",
        {"guestIdentity": identity, "hostIdentity": show.host.identity},
    )
    await guest.until(
        "hostdeskViewer.stage === 'audience' && hostdeskViewer.backstageRoom === '' && "
        "hostdeskViewer.publishedSources.length === 0",
        10,
        "the guest back in the audience",
    )
    assert await guest.page.text_content("#stage-note") == "The host sent you back to the audience"
    assert await guest.page.is_visible("#stage-note")
    assert await guest.page.is_hidden("#backstage-box")
    assert await guest.page.is_visible("#hand-box")
    await backstage.wait_for(lambda: backstage.remote(identity) is None, 10)
    # The page's camera is let go: nothing of it is live any more.
    assert (
        await guest.page.evaluate("document.getElementById('backstage-preview').srcObject") is None
    )
