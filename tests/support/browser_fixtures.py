"""Headless Chromium (Debian's /usr/bin/chromium) driven by Playwright, for the viewer page.

``browser`` (session scope): one Chromium for the run. Its fake camera plays a Y4M file this
module writes: one solid colour (:data:`CAMERA_RGB`), so a test knows what colour a viewer who
comes on stage shows. Its fake microphone is Chromium's beep.

``viewer_pages`` (per test): ``open_page(url)`` opens a page in a fresh browser context (its own
storage, as another person's browser would be). Every console error and uncaught page error is
recorded; the fixture fails the test if there was any.

Playwright's async API runs on the tests' qasync loop (tests/conftest.py); nothing here blocks it.
A missing Chromium or Playwright fails the run with how to get it; nothing is skipped.
"""

from __future__ import annotations

import asyncio
import base64
import re
import shutil
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn
from urllib.parse import urlsplit

import pytest
import pytest_asyncio

if TYPE_CHECKING:
    from playwright.async_api import Browser, BrowserContext, ConsoleMessage, Error, Page

__all__ = [
    "CAMERA_RGB",
    "CHROMIUM",
    "OpenPage",
    "ViewerPage",
    "browser",
    "viewer_pages",
    "write_y4m",
]

CHROMIUM = "/usr/bin/chromium"
#: The colour of every frame of the fake camera (magenta).
CAMERA_RGB = (255, 0, 255)
CAMERA_SIZE = (320, 240)

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    # WebRTC: the test livekit-server is on a veth address (tests/support/netns.py); let
    # Chromium use
    # local addresses as they are and hand out host candidates without mDNS names.
    "--allow-loopback-in-peer-connection",
    "--disable-features=WebRtcHideLocalIpsWithMdns",
    # A guest's camera and microphone without a dialog or a device.
    "--use-fake-ui-for-media-stream",
    "--use-fake-device-for-media-stream",
]


#: Console errors livekit-client logs that no page can prevent, by exact text (the client adds
#: its log context after a space). Each says why it is unavoidable.
KNOWN_CLIENT_ERRORS = (
    # livekit-server 1.9 tells others about a participant who publishes nothing only every 3 s;
    # a new guest's first track can reach another viewer before the guest's own participant
    # info does. livekit-client logs this, then adds the track when the info arrives (the
    # whole-show test checks that the other viewer does see the guest's video).
    "Tried to add a track for a participant, that's not present. Sid: ",
)
#: Logged by livekit-client when the server ends the session (room deleted, participant
#: removed, server shut down), depending on which of the server's goodbyes it reads first.
#: Accepted only after the test said the session is ending (`expect_session_end`).
SESSION_END_CLIENT_ERRORS = (
    # The data channels closed before the client read the server's "leave": its check for a
    # channel aborted by an oversized message cannot tell the two apart.
    "publisher data channel 'RELIABLE' closed unexpectedly",
    "publisher data channel 'LOSSY' closed unexpectedly",
    "publisher data channel 'DATA_TRACK_LOSSY' closed unexpectedly",
    # A shutting-down server dropped the signal connection, or answered the client's attempt
    # to resume it with "leave"; the page then rejoins (viewer.js) and these are history.
    "error reading from signal stream",
    "Received leave request while trying to (re)connect",
    # Its attempt to resume found the server not back yet.
    "Failed to fetch",
)
#: What Chromium itself logs when a connection to a LiveKit server that is down is refused
#: (livekit-client's resume, the page's rejoin): accepted after `expect_session_end` too.
SERVER_DOWN_BROWSER_ERRORS = (
    re.compile(r"WebSocket connection to 'wss?://[^']+/rtc[^']*' failed: .+"),
    re.compile(r"Failed to load resource: net::ERR_CONNECTION_REFUSED"),
)


#: Reads pixels out of a PNG in the page itself (the page may load data: images; there is no
#: image library on the Python side): `{png: base64, points: [[x, y], ...]}` -> [[r, g, b], ...].
_PIXELS_OF_PNG = """async ({png, points}) => {
  const image = new Image();
  image.src = 'data:image/png;base64,' + png;
  await image.decode();
  const canvas = document.createElement('canvas');
  canvas.width = image.width;
  canvas.height = image.height;
  const context = canvas.getContext('2d', {willReadFrequently: true});
  context.drawImage(image, 0, 0);
  return points.map(([x, y]) =>
    Array.from(context.getImageData(Math.round(x), Math.round(y), 1, 1).data.slice(0, 3)));
}"""

#: Chromium logs every HTTP error answer as a console error, as this text.
HTTP_ERROR = "Failed to load resource: the server responded with a status of {status} ({reason})"
#: Before the host goes live the page polls `GET /api/rooms/<room>`, which answers the
#: contract's 404 "Room not found" until the room exists: the expected "not started yet".
ROOM_NOT_FOUND = (
    HTTP_ERROR.format(status=404, reason="Not Found"),
    re.compile(r"/api/rooms/[^/]+"),
)


def _is_livekit_client(url: str) -> bool:
    """livekit-client as the page loads it, under its content-hashed name (api/assets.py)."""
    return re.fullmatch(r"/vendor/livekit-client\.[0-9a-f]+\.js", urlsplit(url).path) is not None


def _is(message: ConsoleMessage, texts: tuple[str, ...]) -> bool:
    """One of livekit-client's messages `texts` (it appends its log context after a space)."""
    if not _is_livekit_client(message.location.get("url", "")):
        return False
    return any(
        message.text == t
        or message.text.startswith(t + " {")
        or (t.endswith(": ") and message.text.startswith(t))  # text that ends in an id
        for t in texts
    )


def _fail(message: str) -> NoReturn:
    pytest.fail(message, pytrace=False)


def _ycbcr(rgb: tuple[int, int, int]) -> tuple[int, int, int]:
    """BT.601 limited range, what Chromium's Y4M reader and WebRTC assume."""
    r, g, b = rgb
    y = 16 + (65.481 * r + 128.553 * g + 24.966 * b) / 255
    cb = 128 + (-37.797 * r - 74.203 * g + 112.0 * b) / 255
    cr = 128 + (112.0 * r - 93.786 * g - 18.214 * b) / 255
    return round(y), round(cb), round(cr)


def write_y4m(
    path: Path, rgb: tuple[int, int, int], size: tuple[int, int], frames: int = 5
) -> Path:
    """A Y4M (4:2:0) file of `frames` frames of one solid colour."""
    width, height = size
    y, cb, cr = _ycbcr(rgb)
    frame = (
        b"FRAME\n"
        + bytes([y]) * (width * height)
        + bytes([cb]) * ((width // 2) * (height // 2))
        + bytes([cr]) * ((width // 2) * (height // 2))
    )
    header = f"YUV4MPEG2 W{width} H{height} F30:1 Ip A1:1 C420jpeg\n".encode()
    path.write_bytes(header + frame * frames)
    return path


@dataclass
class ViewerPage:
    """One viewer's browser: a page in its own context, and what went wrong in it."""

    page: Page
    context: BrowserContext
    label: str
    errors: list[str] = field(default_factory=list)
    tolerated: list[str] = field(default_factory=list)
    session_ending: bool = False
    #: rooms (other than the show's) whose session the server is about to end
    rooms_ending: list[str] = field(default_factory=list)
    http_errors: list[tuple[str, re.Pattern[str]]] = field(default_factory=lambda: [ROOM_NOT_FOUND])

    def expect_session_end(self) -> None:
        """The server is about to end this page's LiveKit session (see SESSION_END_...)."""
        self.session_ending = True

    def expect_room_end(self, room: str) -> None:
        """The server is about to end this page's session in `room` alone (a second room the
        page is in, such as the backstage: the server removes the guest from it while the page
        leaves by itself). livekit-client names the room in its log context."""
        self.rooms_ending.append(room)

    def expect_http_error(self, status: int, reason: str, path: str) -> None:
        """The test provokes this HTTP error answer on `path` (a regular expression)."""
        self.http_errors.append((HTTP_ERROR.format(status=status, reason=reason), re.compile(path)))

    def _known(self, message: ConsoleMessage) -> bool:
        if _is(message, KNOWN_CLIENT_ERRORS):
            return True
        path = urlsplit(message.location.get("url", "")).path
        if _is(message, SESSION_END_CLIENT_ERRORS) and any(
            f"{{room: {room}, " in message.text for room in self.rooms_ending
        ):
            return True
        if self.session_ending and (
            _is(message, SESSION_END_CLIENT_ERRORS)
            or (
                (path.startswith("/rtc/") or _is_livekit_client(path))
                and any(p.fullmatch(message.text) for p in SERVER_DOWN_BROWSER_ERRORS)
            )
        ):
            return True
        return any(message.text == t and p.fullmatch(path) for t, p in self.http_errors)

    def _on_console(self, message: ConsoleMessage) -> None:
        if message.type != "error":
            return
        where = message.location.get("url", "")
        line = f"console error: {message.text} ({where})"
        if self._known(message):
            self.tolerated.append(line)  # shown in failure messages (`describe`)
        else:
            self.errors.append(line)

    def _on_page_error(self, error: Error) -> None:
        self.errors.append(f"page error: {error.name}: {error.message}")

    async def view(self) -> dict[str, Any]:
        """The page's read-only state (`window.hostdeskViewer`) as a dict."""
        state: dict[str, Any] = await self.page.evaluate(
            "() => window.hostdeskViewer ? ({...window.hostdeskViewer}) : {}"
        )
        return state

    async def until(self, predicate: str, timeout: float = 15.0, what: str = "") -> Any:
        """Polls `predicate` (JavaScript: an expression or a function's source) until it is
        truthy, saying what the page showed on timeout. Not Playwright's `wait_for_function`:
        its polling evaluates the predicate with `new Function` in the page, which the page's
        CSP (no 'unsafe-eval') refuses."""
        deadline = time.monotonic() + timeout
        while True:
            value = await self.page.evaluate(predicate)
            if value:
                return value
            if time.monotonic() > deadline:
                raise AssertionError(
                    f"timed out after {timeout:g} s waiting for {what or predicate}; "
                    f"{await self.describe()}"
                )
            await asyncio.sleep(0.02)

    async def screen_pixels(self, points: list[tuple[float, float]]) -> list[tuple[int, int, int]]:
        """The colours on screen (the viewport as a screenshot shows it, at scale 1) at `points`
        in CSS pixels: what a viewer sees there, video included."""
        png = base64.b64encode(await self.page.screenshot()).decode()
        found: list[list[int]] = await self.page.evaluate(
            _PIXELS_OF_PNG, {"png": png, "points": [list(p) for p in points]}
        )
        return [(r, g, b) for r, g, b in found]

    async def describe(self) -> str:
        """What the page shows, for failure messages."""
        try:
            state = await self.view()
            notice = await self.page.locator("#notice").text_content()
        except Exception as exc:  # the page may be gone; say so instead
            return f"{self.label}: (page unreadable: {exc})"
        return (
            f"{self.label}: {state} notice={notice!r} errors={self.errors} "
            f"tolerated={self.tolerated}"
        )


OpenPage = Callable[..., Awaitable[ViewerPage]]


@pytest_asyncio.fixture(scope="session", loop_scope="session")
async def browser(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Browser]:
    """One headless Chromium for the test session, with a fake camera of a known colour."""
    if shutil.which(CHROMIUM) is None:
        _fail(
            f"{CHROMIUM} not found: the viewer page tests drive Debian's Chromium. "
            "Install it with `apt-get install chromium`."
        )
    try:
        from playwright.async_api import async_playwright
    except ImportError:
        _fail(
            "Playwright for Python is not installed: run `.venv/bin/pip install -e '.[test]'` "
            "(it drives /usr/bin/chromium; no Playwright browser download is needed)."
        )
    camera = write_y4m(tmp_path_factory.mktemp("camera") / "camera.y4m", CAMERA_RGB, CAMERA_SIZE)
    playwright = await async_playwright().start()
    try:
        launched = await playwright.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[*CHROMIUM_ARGS, f"--use-file-for-fake-video-capture={camera}"],
        )
    except BaseException:
        await playwright.stop()
        raise
    try:
        yield launched
    finally:
        await launched.close()
        await playwright.stop()


@pytest_asyncio.fixture(loop_scope="session")
async def viewer_pages(browser: Browser) -> AsyncIterator[OpenPage]:
    """`await open_page(url, label=..., width=1280, height=800)`: a page in a fresh context.

    At the end of the test, any console error or page error in any of them fails the test.
    """
    opened: list[ViewerPage] = []

    async def open_page(
        url: str, *, label: str = "", width: int = 1280, height: int = 800
    ) -> ViewerPage:
        context = await browser.new_context(viewport={"width": width, "height": height})
        page = await context.new_page()
        viewer = ViewerPage(page, context, label or f"page {len(opened) + 1}")
        page.on("console", viewer._on_console)
        page.on("pageerror", viewer._on_page_error)
        opened.append(viewer)
        await page.goto(url)
        return viewer

    yield open_page
    for viewer in opened:
        await viewer.context.close()
    problems = [f"{v.label}: {e}" for v in opened for e in v.errors]
    if problems:
        pytest.fail("the viewer page logged errors:\n" + "\n".join(problems), pytrace=False)
