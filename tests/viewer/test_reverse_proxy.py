"""HostDesk behind a reverse proxy: Debian's nginx, configured as docs/reaching-viewers.md says,
terminates TLS on the host's veth address and forwards to HostDesk on 127.0.0.1 over plain http
(tests/support/proxy_fixtures.py). HostDesk knows only the public URL (links, ``wsUrl``) and that
X-Forwarded-For from 127.0.0.1 is the proxy's word.

The viewer's Chromium runs on another computer (a network namespace that reaches only the
host's veth address, tests/support/lan_fixtures.py) and trusts nginx's certificate, never HostDesk's
(HostDesk serves none here). It watches, raises a hand and goes on stage with its camera, all
through the proxy; and its requests count against its own address, not the proxy's.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import ssl
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import aiohttp
import pytest
import pytest_asyncio

from hostdesk.app import Backend, start_backend
from hostdesk.config import LiveKitSettings, Settings
from hostdesk.devserver import LocalLiveKitServer
from tests.support.api_fixtures import API_KEY, RunningApi, new_room
from tests.support.desk_fixtures import Desk, eventually, host_window
from tests.support.lan_fixtures import RemoteBrowser
from tests.support.netns import TestNetns
from tests.support.proxy_fixtures import NewProxy, Nginx
from tests.support.remote_viewer import (
    hand_up_and_on_stage,
    join,
    open_remote,
    probe_join,
    watching,
)

if TYPE_CHECKING:
    from playwright.async_api import Page

#: The join endpoint's limit per client per minute (hostdesk/api/ratelimit.py, the contract).
JOIN_LIMIT = 10
JOIN = "/api/rooms/join"

#: JS: POSTs `count` viewer joins from the page, optionally writing X-Forwarded-For itself;
#: returns their statuses.
PAGE_JOINS = """async ({room, count, forged}) => {
  const statuses = [];
  for (let i = 0; i < count; i++) {
    const headers = {'Content-Type': 'application/json'};
    if (forged) headers['X-Forwarded-For'] = forged;
    const answer = await fetch('/api/rooms/join', {method: 'POST', headers,
      body: JSON.stringify({roomName: room, participantName: `Ada ${i}`, role: 'viewer'})});
    statuses.push(answer.status);
  }
  return statuses;
}"""


#: Records every candidate LiveKit offers the page (trickled or in an SDP) in
#: `window.__offeredCandidates` (an init script, before livekit-client loads).
RECORD_OFFERED_CANDIDATES = """(() => {
  const offered = [];
  Object.defineProperty(window, '__offeredCandidates', {value: offered});
  const proto = RTCPeerConnection.prototype;
  const addIceCandidate = proto.addIceCandidate;
  proto.addIceCandidate = function (candidate, ...rest) {
    if (candidate && candidate.candidate) offered.push(candidate.candidate);
    return addIceCandidate.call(this, candidate, ...rest);
  };
  const setRemoteDescription = proto.setRemoteDescription;
  proto.setRemoteDescription = function (description, ...rest) {
    for (const line of ((description && description.sdp) || '').split(/\\r?\\n/)) {
      if (line.startsWith('a=candidate:')) offered.push(line.slice(2));
    }
    return setRemoteDescription.call(this, description, ...rest);
  };
})()"""


async def _offered_host_addresses(page: Page) -> set[str]:
    """The addresses of the host candidates LiveKit offered the page so far."""
    offered: list[str] = await page.evaluate("[...window.__offeredCandidates]")
    # candidate:<foundation> <component> <protocol> <priority> <address> <port> typ <type> ...
    fields = [line.split() for line in offered]
    return {f[4] for f in fields if len(f) > 7 and f[6] == "typ" and f[7] == "host"}


async def _until_offered(page: Page, address: str, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while address not in (offered := await _offered_host_addresses(page)):
        if time.monotonic() > deadline:
            raise AssertionError(
                f"LiveKit offered the page no host candidate on {address} within {timeout} s, "
                f"only on {sorted(offered)}"
            )
        await asyncio.sleep(0.05)


def _settings(proxy: Nginx, **more: Any) -> Settings:
    """HostDesk as the docs run it behind a proxy: `--host 127.0.0.1 --public-url URL
    --trusted-proxy 127.0.0.1`."""
    return Settings(
        api_host="127.0.0.1",
        api_port=0,
        public_url=proxy.url,
        trusted_proxies=("127.0.0.1",),
        api_key=API_KEY,
        **more,
    )


@dataclass
class ProxiedDesk:
    desk: Desk
    proxy: Nginx


@contextlib.asynccontextmanager
async def _window(backend: Backend, tmp_path: Path) -> AsyncIterator[Desk]:
    async with (
        aiohttp.ClientSession() as http,
        host_window(RunningApi(backend, http), tmp_path) as desk,
    ):
        yield desk


@pytest_asyncio.fixture(
    loop_scope="session",
    params=["lan-server", "dev"],
)
async def proxied_desk(
    request: pytest.FixtureRequest,
    viewer_computer: TestNetns,
    reverse_proxy: NewProxy,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> AsyncIterator[ProxiedDesk]:
    """The host's window; HostDesk on loopback behind nginx on the veth address, with a
    livekit-server whose media the viewer reaches ("lan-server", as the docs ask of a server
    behind a proxy) or the one --dev starts."""
    monkeypatch.setenv("HOSTDESK_CONFIG", str(tmp_path / "config"))
    proxy = reverse_proxy(viewer_computer.host_ip)
    server = None
    livekit = None
    if request.param == "lan-server":
        server = LocalLiveKitServer(ip=viewer_computer.host_ip, log_path=tmp_path / "livekit.log")
        await server.start()
        creds = server.credentials
        livekit = LiveKitSettings(creds.url, creds.api_key, creds.api_secret)
    try:
        backend = await start_backend(_settings(proxy, livekit=livekit))
        try:
            await proxy.start(backend.port)
            async with _window(backend, tmp_path) as desk:
                yield ProxiedDesk(desk, proxy)
        finally:
            await backend.aclose()
    finally:
        if server is not None:
            await server.stop()


async def test_behind_nginx_a_viewer_on_another_computer_watches_raises_a_hand_and_goes_on_stage(
    proxied_desk: ProxiedDesk, remote_browser: RemoteBrowser, viewer_computer: TestNetns
) -> None:
    desk, proxy = proxied_desk.desk, proxied_desk.proxy
    backend: Backend = desk.api.backend
    assert backend.certificate is None  # plain http on loopback: TLS is nginx's
    await desk.go_live()
    link = desk.window.viewer_access.link.text()
    assert link == f"{proxy.url}/watch/{desk.room}"

    browser = await remote_browser(proxy.certificate.spki_sha256_b64)
    ada = await open_remote(
        browser, link, "Ada behind the proxy", init_script=RECORD_OFFERED_CANDIDATES
    )
    page = ada.page
    assert await page.evaluate("window.isSecureContext") is True
    await join(ada, "Ada Remote")
    # Media does not go through the proxy: LiveKit must offer an address the viewer reaches.
    await _until_offered(page, viewer_computer.host_ip, 10)
    await watching(ada)

    # LiveKit's signalling is reached through the public URL, that is through nginx.
    joined = await probe_join(ada, desk.room)
    assert joined["wsUrl"] == "wss://" + proxy.url.removeprefix("https://"), json.dumps(joined)

    await hand_up_and_on_stage(desk, ada, "Ada Remote")
    await ada.context.close()
    assert ada.errors == [], ada.errors

    # All of it went through nginx, from the viewer's own address: the page, the API and the
    # signalling websocket (logged when it closes).
    def from_viewer(path: str, status: int) -> bool:
        return any(
            f.client == viewer_computer.ns_ip and f.path.startswith(path) and f.status == status
            for f in proxy.access()
        )

    await eventually(lambda: from_viewer("/rtc", 101), 10, "the websocket in nginx's log")
    assert from_viewer(f"/watch/{desk.room}", 200)
    assert from_viewer(JOIN, 200)


@pytest_asyncio.fixture(loop_scope="session")
async def proxied_api(
    viewer_computer: TestNetns,
    reverse_proxy: NewProxy,
    livekit_server: LocalLiveKitServer,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> AsyncIterator[Nginx]:
    """HostDesk (rate limits on, no window) on loopback behind nginx; the proxy is yielded."""
    monkeypatch.setenv("HOSTDESK_CONFIG", str(tmp_path / "config"))
    creds = livekit_server.credentials
    livekit = LiveKitSettings(creds.url, creds.api_key, creds.api_secret)
    proxy = reverse_proxy(viewer_computer.host_ip)
    backend = await start_backend(_settings(proxy, rate_limits=True, livekit=livekit))
    try:
        await proxy.start(backend.port)
        yield proxy
    finally:
        await backend.aclose()


async def _joins(
    http: aiohttp.ClientSession,
    url: str,
    room: str,
    count: int,
    forged: str | None = None,
) -> list[int]:
    headers = {"X-Forwarded-For": forged} if forged else {}
    statuses: list[int] = []
    for i in range(count):
        body = {"roomName": room, "participantName": f"Cy {i}", "role": "viewer"}
        async with http.post(url + JOIN, json=body, headers=headers) as answer:
            statuses.append(answer.status)
    return statuses


async def test_behind_nginx_joins_are_limited_per_real_client_and_a_written_header_fools_nobody(
    proxied_api: Nginx, remote_browser: RemoteBrowser, viewer_computer: TestNetns
) -> None:
    proxy = proxied_api
    room = new_room()
    browser = await remote_browser(proxy.certificate.spki_sha256_b64)
    ada = await open_remote(
        browser,
        f"{proxy.url}/",
        "Ada on another computer",
        expect=lambda v: v.expect_http_error(429, "Too Many Requests", JOIN),
    )
    page = ada.page

    args = {"room": room, "count": JOIN_LIMIT, "forged": None}
    assert await page.evaluate(PAGE_JOINS, args) == [200] * JOIN_LIMIT
    assert await page.evaluate(PAGE_JOINS, {**args, "count": 1}) == [429]
    # nginx appends the address it saw; HostDesk reads that end, not what the page wrote.
    forged = {**args, "count": 1, "forged": "203.0.113.7"}
    assert await page.evaluate(PAGE_JOINS, forged) == [429]

    # Another real client (this machine, from the host's veth address) has a limit of its own:
    # were every forwarded request counted as the proxy's, it would be refused already.
    trust_nginx = ssl.create_default_context(cafile=str(proxy.certificate.cert_path))
    connector = aiohttp.TCPConnector(ssl=trust_nginx, local_addr=(viewer_computer.host_ip, 0))
    async with aiohttp.ClientSession(connector=connector) as http:
        assert await _joins(http, proxy.url, room, JOIN_LIMIT) == [200] * JOIN_LIMIT
        assert await _joins(http, proxy.url, room, 1) == [429]
    await ada.context.close()
    assert ada.errors == [], ada.errors

    clients: dict[str, list[int]] = {}
    for forwarded in proxy.access():
        if forwarded.path == JOIN:
            clients.setdefault(forwarded.client, []).append(forwarded.status)
    assert clients == {
        viewer_computer.ns_ip: [200] * JOIN_LIMIT + [429, 429],
        viewer_computer.host_ip: [200] * JOIN_LIMIT + [429],
    }


@pytest.mark.parametrize(
    "trusted",
    [(), ("100.64.0.1",)],
    ids=["no-proxy-trusted", "another-proxy-trusted"],
)
async def test_a_forged_forwarded_for_on_loopback_is_not_believed_unless_loopback_is_trusted(
    trusted: tuple[str, ...],
    livekit_server: LocalLiveKitServer,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("HOSTDESK_CONFIG", str(tmp_path / "config"))
    creds = livekit_server.credentials
    settings = Settings(
        api_host="127.0.0.1",
        api_port=0,
        trusted_proxies=trusted,
        api_key=API_KEY,
        rate_limits=True,
        livekit=LiveKitSettings(creds.url, creds.api_key, creds.api_secret),
    )
    backend = await start_backend(settings)
    room = new_room()
    try:
        async with aiohttp.ClientSession() as http:
            url = f"http://127.0.0.1:{backend.port}"
            for i in range(JOIN_LIMIT):  # a different "client" each time, were it believed
                assert await _joins(http, url, room, 1, forged=f"198.51.100.{i + 1}") == [200]
            assert await _joins(http, url, room, 1, forged="198.51.100.99") == [429]
            assert await _joins(http, url, room, 1) == [429]
    finally:
        await backend.aclose()
