"""Another computer on the host's network: a network namespace of the test run's own, and a
headless Chromium that runs inside it.

``viewer_computer`` (session scope): a namespace joined to this machine by a veth pair
(tests/support/netns.py). The host side, ``host_ip``, is the address HostDesk serves viewers on (its
"network address"); the namespace side, ``ns_ip``, is the viewer's computer, which reaches
nothing but ``host_ip``: no route to loopback, eth0 or anything else of the host's.

``remote_browser(spki)``: Chromium started inside that namespace (through a two-line wrapper
around ``ip netns exec``, which Playwright drives over pipes), trusting exactly one
certificate by the SHA-256 of its public key, as a viewer who compared the fingerprint would.
"""

from __future__ import annotations

import os
import shutil
import stat
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

import pytest
import pytest_asyncio

from tests.support.browser_fixtures import (
    CAMERA_RGB,
    CAMERA_SIZE,
    CHROMIUM,
    CHROMIUM_ARGS,
    write_y4m,
)
from tests.support.livekit_fixtures import own_netns
from tests.support.netns import TestNetns

if TYPE_CHECKING:
    from playwright.async_api import Browser

__all__ = ["RemoteBrowser", "remote_browser", "viewer_computer"]


def _fail(message: str) -> NoReturn:
    pytest.fail(message, pytrace=False)


@pytest.fixture(scope="session")
def viewer_computer() -> Iterator[TestNetns]:
    yield from own_netns()


RemoteBrowser = Callable[[str], Awaitable["Browser"]]


@pytest_asyncio.fixture(loop_scope="session")
async def remote_browser(
    viewer_computer: TestNetns, tmp_path: Path
) -> AsyncIterator[RemoteBrowser]:
    """`await launch(spki)`: a Chromium on the viewer's computer trusting that one key."""
    if shutil.which(CHROMIUM) is None:
        _fail(f"{CHROMIUM} not found: install it with `apt-get install chromium`.")
    from playwright.async_api import async_playwright

    ip_tool = shutil.which("ip") or "/usr/sbin/ip"
    wrapper = tmp_path / "chromium-on-the-viewers-computer"
    wrapper.write_text(
        f'#!/bin/sh\nexec {ip_tool} netns exec {viewer_computer.name} {CHROMIUM} "$@"\n'
    )
    wrapper.chmod(wrapper.stat().st_mode | stat.S_IXUSR)
    camera = write_y4m(tmp_path / "camera.y4m", CAMERA_RGB, CAMERA_SIZE)
    playwright = await async_playwright().start()
    launched: list[Browser] = []

    async def launch(spki: str) -> Browser:
        browser = await playwright.chromium.launch(
            executable_path=str(wrapper),
            headless=True,
            args=[
                *CHROMIUM_ARGS,
                f"--use-file-for-fake-video-capture={camera}",
                f"--ignore-certificate-errors-spki-list={spki}",
            ],
            env={**os.environ},
        )
        launched.append(browser)
        return browser

    try:
        yield launch
    finally:
        for browser in launched:
            await browser.close()
        await playwright.stop()
