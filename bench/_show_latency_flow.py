"""The flow bench/show_latency.py times: one show per run, as tests/viewer/test_viewer_page.py
plays it (the host's real window offscreen, the real API with auth, a real livekit-server in the
run's network namespace, two viewers in headless Chromium with a fake camera).

Not a test: the repository's `pytest` never collects it (testpaths = tests, and the name does not
match test_*.py). bench/show_latency.py runs it with `pytest.main`, loading tests/conftest.py as
a plugin (`-p tests.conftest`) for its fixtures (`desk`, `viewer_pages`, `livekit_server`) and
its qasync loop. Each run appends one JSON line of timings (milliseconds) to the file named by
$HOSTDESK_SHOW_LATENCY_OUT; $HOSTDESK_SHOW_LATENCY_RUNS says how many runs to generate.
Timings are never assertions here: a run only fails when the show itself does not work.
"""

from __future__ import annotations

import asyncio
import json
import os
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from hostdesk.show.messages import DataMessage
from hostdesk.show.roles import Role
from tests.support.browser_fixtures import CAMERA_RGB, OpenPage, ViewerPage
from tests.support.desk_fixtures import Desk

RUNS_ENV = "HOSTDESK_SHOW_LATENCY_RUNS"
OUT_ENV = "HOSTDESK_SHOW_LATENCY_OUT"
POLL_S = 0.005

# The page conditions and the host-side criteria are those of
# tests/viewer/test_viewer_page.py, copied rather than imported from a test module.
LIVE = "hostdeskViewer.state === 'live'"
HOST_VIDEO_PLAYING = (
    "(() => { const v = document.querySelector('#host-tile:not([hidden]) video');"
    " return Boolean(v) && v.videoWidth > 0 && !v.paused; })()"
)


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "run" in metafunc.fixturenames:
        runs = int(os.environ.get(RUNS_ENV, "1"))
        metafunc.parametrize("run", range(runs), ids=[f"run{n}" for n in range(runs)])


async def _join(open_page: OpenPage, desk: Desk, name: str, label: str) -> ViewerPage:
    viewer = await open_page(f"{desk.api.url}/watch/{desk.room}", label=label)
    await viewer.page.fill("#name-input", name)
    await viewer.page.click("#join-button")
    return viewer


async def _until(viewer: ViewerPage, condition: str, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not await viewer.page.evaluate(condition):
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}; {await viewer.describe()}")
        await asyncio.sleep(POLL_S)


#: Notes in the page when each button's click event is dispatched, as wall-clock ms
#: (performance.timeOrigin + now()), to compare with the Python side's time.time().
NOTE_CLICKS = """() => {
  window.benchClicks = {};
  window.addEventListener("click", (event) => {
    const id = event.target && event.target.id;
    if (id && !(id in window.benchClicks)) {
      window.benchClicks[id] = performance.timeOrigin + performance.now();
    }
  }, true);
}"""


async def _page_click_at(viewer: ViewerPage, button: str, wall: float, perf: float) -> float | None:
    """The page's click event on `button` in perf_counter time (`wall`, `perf`: one instant
    read from time.time and time.perf_counter)."""
    at = await viewer.page.evaluate(f"window.benchClicks[{json.dumps(button)}] ?? null")
    return None if at is None else perf + (at / 1000 - wall)


def _centre(desk: Desk) -> tuple[int, int, int]:
    image = desk.window.stage.guest_view.grab().toImage()
    colour = image.pixelColor(image.width() // 2, image.height() // 2)
    return colour.red(), colour.green(), colour.blue()


def _close_to(actual: tuple[int, int, int], expected: tuple[int, int, int]) -> bool:
    return all(abs(a - e) <= 40 for a, e in zip(actual, expected, strict=True))


Probes = dict[str, Callable[[], object]]


async def _watch(
    done: Callable[[], object], marks: dict[str, float], probes: Probes, timeout: float, what: str
) -> float:
    """Polls every POLL_S: notes in `marks` when each probe first holds, returns the
    perf_counter time at which `done()` first held."""
    deadline = time.perf_counter() + timeout
    while True:
        now = time.perf_counter()
        for name, probe in probes.items():
            if name not in marks and probe():
                marks[name] = now
        if done():
            return now
        if now > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}; saw {marks}")
        await asyncio.sleep(POLL_S)


async def test_show_latency(desk: Desk, viewer_pages: OpenPage, run: int) -> None:
    await desk.go_live()
    ada = await _join(viewer_pages, desk, "Ada Viewer", "A")
    bo = await _join(viewer_pages, desk, "Bo Viewer", "B")
    await _until(ada, LIVE, 20, "A live")
    ada_live = time.perf_counter()
    await _until(bo, LIVE, 20, "B live")
    for viewer in (ada, bo):
        await _until(viewer, HOST_VIDEO_PLAYING, 15, "the host's video playing")
    await _until(ada, "hostdeskViewer.viewerCount === 2", 10, "two viewers counted")
    identity: str = (await ada.view())["identity"]
    await ada.page.evaluate(NOTE_CLICKS)

    # What reaches the host, stamped as it arrives (the session's events are synchronous).
    marks: dict[str, float] = {}

    def on_message(message: DataMessage, sender: str) -> None:
        if sender == identity:
            marks.setdefault(message.type.value, time.perf_counter())

    def on_frame(sender: str, _w: int, _h: int, _bgra: memoryview) -> None:
        if sender == identity:
            marks.setdefault("first_frame", time.perf_counter())

    desk.session.message_received.connect(on_message)
    desk.session.guest_frame.connect(on_frame)

    def hand_attribute() -> bool:
        room = desk.session._room  # read only: when the SDK applied the server's attribute
        participant = room.remote_participants.get(identity) if room else None
        return bool(participant and participant.attributes.get("handRaisedAt"))

    # (a) Raise hand clicked in the page -> the row in the host's HandQueueModel.
    hand_row = asyncio.ensure_future(
        _watch(
            lambda: any("Ada Viewer" in row for row in desk.queue_rows()),
            marks,
            {"hand_attribute": hand_attribute},
            10,
            "Ada's row in the host's queue",
        )
    )
    host_knew = desk.mirror.get(identity) is not None  # LiveKit had announced A to the host
    wall, clicked = time.time(), time.perf_counter()
    await ada.page.click("#hand-button")
    click_returned = time.perf_counter()
    hand_at = await hand_row
    hand_page = await _page_click_at(ada, "hand-button", wall, clicked)
    # How the host heard first: the page's data message or the API's server-written attribute.
    await _watch(
        lambda: "hand_attribute" in marks, marks, {"hand_attribute": hand_attribute}, 10, ""
    )
    await asyncio.sleep(0.2)  # a data message held back by the page may still come
    data_at = marks.get("hand_raise")
    attribute_at = marks["hand_attribute"]
    via = "data" if data_at is not None and data_at <= attribute_at else "attribute"

    await _until(ada, "hostdeskViewer.queuePosition === 1", 5, "A first in line")
    view = desk.window.hands.view
    view.setCurrentIndex(view.model().index(0, 0))
    desk.window.hands.invite_button.click()
    await ada.page.locator("#invite-dialog").wait_for(state="visible", timeout=10_000)

    # (b) Accept clicked in the page -> the guest's camera colour painted on the host's tile.
    tile = desk.window.stage.guest_view

    def on_host_tile() -> bool:
        return tile.has_video and _close_to(_centre(desk), CAMERA_RGB)

    def member_has_video() -> bool:
        member = desk.mirror.get(identity)
        return member is not None and member.has_video

    first_paint = asyncio.ensure_future(
        _watch(
            on_host_tile,
            marks,
            {
                "guest_role": lambda: desk.mirror.role_of(identity) is Role.GUEST,
                "subscribed": member_has_video,
                "tile_has_video": lambda: tile.has_video,
            },
            20,
            "the guest's camera colour on the host's guest tile",
        )
    )
    wall, accepted = time.time(), time.perf_counter()
    await ada.page.click("#invite-accept")
    accept_returned = time.perf_counter()
    painted_at = await first_paint
    accept_page = await _page_click_at(ada, "invite-accept", wall, accepted)

    def ms(at: float | None, since: float) -> float | None:
        return None if at is None else round((at - since) * 1000, 1)

    record: dict[str, Any] = {
        "run": run,
        "hand_ms": ms(hand_at, clicked),
        "hand_click_ms": ms(click_returned, clicked),
        "hand_page_click_ms": ms(hand_page, clicked),
        "hand_from_page_ms": ms(hand_at, hand_page) if hand_page else None,
        "hand_via": via,
        "host_knew_viewer": host_knew,
        "hand_data_ms": ms(data_at, clicked),
        "hand_attribute_ms": ms(attribute_at, clicked),
        "click_after_live_ms": ms(clicked, ada_live),
        "accept_ms": ms(painted_at, accepted),
        "accept_click_ms": ms(accept_returned, accepted),
        "accept_page_click_ms": ms(accept_page, accepted),
        "accept_from_page_ms": ms(painted_at, accept_page) if accept_page else None,
        "accept_response_ms": ms(marks.get("guest_invite_response"), accepted),
        "accept_guest_ms": ms(marks.get("guest_role"), accepted),
        "accept_subscribed_ms": ms(marks.get("subscribed"), accepted),
        "accept_first_frame_ms": ms(marks.get("first_frame"), accepted),
        "accept_tile_video_ms": ms(marks.get("tile_has_video"), accepted),
    }
    out = os.environ.get(OUT_ENV)
    if out:
        with Path(out).open("a", encoding="utf-8") as file:
            file.write(json.dumps(record) + "\n")
    else:
        print(record)
