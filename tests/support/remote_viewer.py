"""What a viewer on another computer does, step by step, in a page of a remote browser
(tests/support/lan_fixtures.py): opened, joined, on stage. Shared by the tests that differ only
in how the viewer reaches the show (the network, a reverse proxy, no UDP)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from hostdesk.show.roles import Role
from tests.support.browser_fixtures import CAMERA_RGB, ViewerPage
from tests.support.desk_fixtures import Desk, eventually
from tests.viewer.test_viewer_page import (
    GUEST_VIDEO_PLAYING,
    HOST_VIDEO_PLAYING,
    LIVE,
    _centre,
    _close_to,
    _select_hand,
)

if TYPE_CHECKING:
    from playwright.async_api import Browser

#: A viewer's join made from the page itself: what `wsUrl` the page's origin is given.
PROBE_JOIN = (
    "(room) => fetch('/api/rooms/join', {method: 'POST', headers: {'Content-Type':"
    " 'application/json'}, body: JSON.stringify({roomName: room, participantName:"
    " 'Probe', role: 'viewer'})}).then((r) => r.json())"
)


async def open_remote(
    browser: Browser, url: str, label: str, *, init_script: str = "", expect: Any = None
) -> ViewerPage:
    """A page in a fresh context of the remote browser, its console errors recorded."""
    context = await browser.new_context(viewport={"width": 1280, "height": 800})
    if init_script:
        await context.add_init_script(init_script)
    page = await context.new_page()
    viewer = ViewerPage(page, context, label)
    page.on("console", viewer._on_console)
    page.on("pageerror", viewer._on_page_error)
    if expect is not None:
        expect(viewer)
    await page.goto(url)
    return viewer


async def join(viewer: ViewerPage, name: str) -> None:
    await viewer.page.fill("#name-input", name)
    await viewer.page.click("#join-button")


async def watching(viewer: ViewerPage) -> None:
    """The page is live and plays the host's test pattern."""
    await viewer.until(LIVE, 30, "the page live")
    await viewer.until(HOST_VIDEO_PLAYING, 20, "the host's test pattern playing")


async def probe_join(viewer: ViewerPage, room: str) -> dict[str, Any]:
    joined: dict[str, Any] = await viewer.page.evaluate(PROBE_JOIN, room)
    return joined


async def hand_up_and_on_stage(desk: Desk, viewer: ViewerPage, name: str, how: str = "") -> None:
    """Raises a hand, which the host's queue shows; the host invites, the viewer accepts, and
    the host's guest tile shows the viewer's camera colour."""
    await viewer.page.click("#hand-button")
    await eventually(lambda: desk.hand_names() == [name], 10, f"{name}'s hand at the host")
    _select_hand(desk, 0)
    desk.window.hands.invite_button.click()
    await viewer.page.locator("#invite-dialog").wait_for(state="visible", timeout=10_000)
    await viewer.page.click("#invite-accept")
    await eventually(
        lambda: _close_to(_centre(desk), CAMERA_RGB),
        30,
        f"{name}'s camera colour on the host's guest tile{how}",
        lambda: f"centre pixel {_centre(desk)}; {desk.mirror.guests}",
    )
    identity = (await viewer.view())["identity"]
    assert desk.mirror.role_of(identity) is Role.GUEST
    await viewer.until(GUEST_VIDEO_PLAYING, 15, f"{name}'s self-view")
