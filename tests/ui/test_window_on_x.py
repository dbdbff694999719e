"""The host's window under a real X server (Xvfb) and a real window manager (Openbox), as a
laptop and a desktop show it: the window, its title bar included, opens inside the screen's area
above a taskbar with its bottom rows on screen, and the studio with the host and two guests is
photographed into docs/screenshots (or HOSTDESK_SCREENSHOT_DIR).

The 40 px taskbar is Openbox's bottom margin: Openbox publishes the area it leaves as the root
window's _NET_WORKAREA, which is what Qt reads as the screen's available area.
"""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import subprocess
import sys
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

import pytest
import pytest_asyncio

from hostdesk.devserver import LocalLiveKitServer

TASKBAR = 40
ROOT = Path(__file__).resolve().parents[2]
StartX = Callable[[int, int], Awaitable[str]]


def _need(program: str, package: str) -> str:
    found = shutil.which(program)
    if found is None:
        pytest.fail(f"{program} is missing: apt-get install {package}", pytrace=False)
    return found


_OPENBOX_RC = f"""<?xml version="1.0" encoding="UTF-8"?>
<openbox_config xmlns="http://openbox.org/3.4/rc">
  <margins><top>0</top><bottom>{TASKBAR}</bottom><left>0</left><right>0</right></margins>
  <desktops><number>1</number></desktops>
</openbox_config>
"""


@pytest_asyncio.fixture(loop_scope="session")
async def start_x(tmp_path: Path) -> AsyncIterator[StartX]:
    """start(width, height) -> DISPLAY of an Xvfb screen of that size, with Openbox managing
    windows and a 40 px taskbar's room kept free at the bottom."""
    xvfb = _need("Xvfb", "xvfb")
    openbox = _need("openbox", "openbox")
    xprop = _need("xprop", "x11-utils")
    xdpyinfo = _need("xdpyinfo", "x11-utils")
    rc = tmp_path / "openbox-rc.xml"
    rc.write_text(_OPENBOX_RC, encoding="utf-8")
    log = (tmp_path / "x.log").open("wb")  # what Xvfb, Openbox and xprop said
    started: list[asyncio.subprocess.Process] = []

    async def x_server(
        number: int, width: int, height: int
    ) -> tuple[str, asyncio.subprocess.Process]:
        """An Xvfb on display `number`, and its DISPLAY once it answers with a screen of that
        size ("" when it could not start: the display was taken)."""
        server = await asyncio.create_subprocess_exec(
            xvfb, f":{number}", "-screen", "0", f"{width}x{height}x24", "-nolisten", "tcp",
            "-noreset",  # no reset (nor a lost work area) when the last client leaves
            stdout=subprocess.DEVNULL, stderr=log,
        )  # fmt: skip
        display = f":{number}"
        for _ in range(100):
            await asyncio.sleep(0.1)
            if server.returncode is not None:
                break
            probe = await asyncio.create_subprocess_exec(
                xdpyinfo, "-display", display, stdout=subprocess.PIPE, stderr=log
            )
            out, _ = await probe.communicate()
            if probe.returncode == 0 and f" {width}x{height} pixels" in out.decode():
                return display, server
        return "", server

    async def start(width: int, height: int) -> str:
        # A display number of this run's own (another run may be starting X servers too).
        first = 200 + os.getpid() % 400 * 2
        for number in range(first, first + 6):
            display, server = await x_server(number, width, height)
            started.append(server)
            if display:
                break
        else:
            pytest.fail(f"Xvfb did not start: see {log.name}", pytrace=False)
        env = {**os.environ, "DISPLAY": display}
        manager = await asyncio.create_subprocess_exec(
            openbox, "--config-file", str(rc),
            env=env, stdout=subprocess.DEVNULL, stderr=log,
        )  # fmt: skip
        started.insert(0, manager)  # stopped before its X server
        area = f"0, 0, {width}, {height - TASKBAR}"
        for _ in range(100):  # Openbox is ready once it has published the work area
            probe = await asyncio.create_subprocess_exec(
                xprop, "-root", "_NET_WORKAREA", env=env, stdout=subprocess.PIPE, stderr=log
            )
            out, _ = await probe.communicate()
            if area in out.decode():
                return display
            await asyncio.sleep(0.1)
        pytest.fail(f"Openbox did not publish the work area {area}", pytrace=False)

    yield start
    for process in started:
        if process.returncode is None:
            process.terminate()
        await process.wait()
    log.close()


def _inside(inner: list[int], outer: list[int]) -> bool:
    x, y, w, h = inner
    ox, oy, ow, oh = outer
    return ox <= x and oy <= y and x + w <= ox + ow and y + h <= oy + oh


@pytest.mark.parametrize("size", [(1366, 768), (1920, 1080)], ids=["laptop", "desktop"])
async def test_the_studio_opens_inside_the_screen_above_its_taskbar(
    livekit_server: LocalLiveKitServer, start_x: StartX, size: tuple[int, int]
) -> None:
    width, height = size
    display = await start_x(width, height)
    target = Path(os.environ.get("HOSTDESK_SCREENSHOT_DIR", ROOT / "docs" / "screenshots"))
    target.mkdir(parents=True, exist_ok=True)
    shot = target / f"host-studio-{width}x{height}.png"
    creds = livekit_server.credentials
    env = {**os.environ, "DISPLAY": display, "QT_QPA_PLATFORM": "xcb"}
    child = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "tests.ui.studio_on_x",
        creds.url, creds.api_key, creds.api_secret, str(shot),
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )  # fmt: skip
    try:
        out, err = await asyncio.wait_for(child.communicate(), 120)
    except TimeoutError:
        # A hung child must not go on taking a core from the rest of the run.
        child.kill()
        out, err = await child.communicate()
        pytest.fail(f"the studio did not finish in 120 s:\n{err.decode()[-3000:]}")
    assert child.returncode == 0, err.decode()[-3000:]
    seen = json.loads(out.decode().strip().splitlines()[-1])

    assert seen["platform"] == "xcb"
    assert seen["available"] == [0, 0, width, height - TASKBAR]
    for part in ("frame", "stage_controls", "chat_input", "status_bar"):
        assert _inside(seen[part], seen["available"]), (part, seen)
    for tile in seen["tiles"]:
        assert _inside(tile, seen["frame"]), seen
    assert len(seen["backstage_tiles"]) == 1, seen
    assert _inside(seen["backstage_tiles"][0], seen["frame"]), seen
    assert seen["frame"] != seen["window"]  # Openbox framed it: a title bar above
    # A laptop's screen is used to its edges; a desktop's keeps some room around the window.
    if width < 1600:
        assert seen["frame"] == seen["available"]
    else:
        assert seen["frame"][2] <= 0.92 * width
    assert shot.stat().st_size > 20_000
