"""The whole show from another computer on the host's network.

The viewer's headless Chromium runs in a network namespace of the test run's own (its own
address, reaching nothing but the host's address on a veth pair, tests/support/lan_fixtures.py). It
opens the link the host's window shows, over https with the certificate HostDesk generated
(trusted by its public key, as a viewer who compared the fingerprint would), watches, raises a
hand, accepts an invitation and goes on stage with its camera; the host's window shows it.
Once with the ``--dev`` livekit-server HostDesk starts, once with a plain-ws livekit-server on
the LAN address: both reached by the page through HostDesk's own origin.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import aiohttp
import pytest
import pytest_asyncio

from hostdesk import netaddr
from hostdesk.backend import Backend, start_backend
from hostdesk.config import LiveKitSettings, Settings
from hostdesk.devserver import LocalLiveKitServer
from hostdesk.show.connection import ConnectionState
from hostdesk.ui.dialogs import GoLiveChoice
from hostdesk.ui.settings import TEST_PATTERN, TONE
from tests.support.api_fixtures import API_KEY, RunningApi, new_room
from tests.support.desk_fixtures import Desk, eventually, host_window
from tests.support.lan_fixtures import RemoteBrowser
from tests.support.netns import TestNetns
from tests.support.remote_viewer import (
    hand_up_and_on_stage,
    join,
    open_remote,
    probe_join,
    watching,
)
from tests.viewer.test_viewer_page import (
    _screenshot_dir,
)


@asynccontextmanager
async def _desk(settings: Settings, tmp_path: Path) -> AsyncIterator[Desk]:
    backend = await start_backend(settings)
    try:
        async with (
            aiohttp.ClientSession() as http,
            host_window(RunningApi(backend, http), tmp_path) as desk,
        ):
            yield desk
    finally:
        await backend.aclose()


@pytest_asyncio.fixture(loop_scope="session", params=["dev", "lan-server"])
async def lan_desk(
    request: pytest.FixtureRequest,
    viewer_computer: TestNetns,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> AsyncIterator[Desk]:
    """The host's window and HostDesk serving "people on my network" on the veth address."""
    monkeypatch.setenv("HOSTDESK_CONFIG", str(tmp_path / "config"))
    lan_ip = viewer_computer.host_ip
    livekit = None
    server = None
    if request.param == "lan-server":
        server = LocalLiveKitServer(ip=lan_ip, log_path=tmp_path / "livekit.log")
        await server.start()
        creds = server.credentials
        livekit = LiveKitSettings(creds.url, creds.api_key, creds.api_secret)
    settings = Settings(
        api_host=lan_ip, api_port=0, audience="network", api_key=API_KEY, livekit=livekit
    )
    try:
        async with _desk(settings, tmp_path) as desk:
            yield desk
    finally:
        if server is not None:
            await server.stop()


async def test_a_viewer_on_another_computer_watches_raises_a_hand_and_goes_on_stage(
    lan_desk: Desk, remote_browser: RemoteBrowser, viewer_computer: TestNetns
) -> None:
    desk = lan_desk
    backend: Backend = desk.api.backend
    await desk.go_live()
    link = desk.window.viewer_access.link.text()
    origin = f"https://{viewer_computer.host_ip}:{backend.port}"
    assert link == f"{origin}/watch/{desk.room}"
    assert backend.certificate is not None
    assert backend.certificate.fingerprint_sha256 in desk.window.viewer_access.details.text()

    browser = await remote_browser(backend.certificate.spki_sha256_b64)
    ada = await open_remote(browser, link, "Ada on another computer")
    page = ada.page
    assert await page.evaluate("window.isSecureContext") is True
    await join(ada, "Ada Remote")
    await watching(ada)

    # The page reached LiveKit through HostDesk's origin: the address it knows.
    joined = await probe_join(ada, desk.room)
    assert joined["wsUrl"] == "wss://" + origin.removeprefix("https://"), json.dumps(joined)

    await hand_up_and_on_stage(desk, ada, "Ada Remote")
    if desk.api.backend.dev is not None:  # once is enough: the --dev variant
        shots = _screenshot_dir()
        await page.screenshot(path=str(shots / "viewer-other-computer.png"))
        desk.window.viewer_access.qr_button.setChecked(True)
        desk.window.resize(1366, 768)
        desk.window.grab().save(str(shots / "host-network.png"))
    await ada.context.close()
    assert ada.errors == [], ada.errors


async def test_choosing_the_network_when_going_live_lets_another_computer_watch(
    viewer_computer: TestNetns,
    remote_browser: RemoteBrowser,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Started for this computer only (with --dev), the host picks "People on my network" in
    the Go live dialog: HostDesk moves to https on the network address, the local LiveKit
    announces that address for media, and the link the window then shows works from there."""
    monkeypatch.setenv("HOSTDESK_CONFIG", str(tmp_path / "config"))
    # This machine's network address, as far as HostDesk can tell, is the veth's host side.
    monkeypatch.setattr(netaddr, "network_addresses", lambda: [viewer_computer.host_ip])
    settings = Settings(api_host="", api_port=0, api_key=API_KEY, livekit=None)
    async with _desk(settings, tmp_path) as desk:
        backend: Backend = desk.api.backend
        assert backend.certificate is None and backend.api_url.startswith("http://127.0.0.1:")
        desk.room = new_room()
        desk.window.go_live(
            GoLiveChoice(desk.room, "Jane Host", TEST_PATTERN, TONE, audience="network")
        )
        await eventually(lambda: desk.session.state is ConnectionState.LIVE, 20, "going live")
        link = desk.window.viewer_access.link.text()
        assert link == f"https://{viewer_computer.host_ip}:{backend.port}/watch/{desk.room}"
        assert "People on my network" in desk.window.viewer_access.details.text()
        assert backend.certificate is not None

        browser = await remote_browser(backend.certificate.spki_sha256_b64)
        bo = await open_remote(browser, link, "Bo on another computer")
        await join(bo, "Bo Remote")
        await watching(bo)
        await bo.page.click("#hand-button")
        await eventually(lambda: desk.hand_names() == ["Bo Remote"], 10, "Bo's hand at the host")
        await bo.context.close()
        assert bo.errors == [], bo.errors
