"""A viewer on a network that blocks UDP still watches and goes on stage: over LiveKit's RTC
TCP port, which --dev opens beside the UDP one (docs/reaching-viewers.md, "Firewall").

HostDesk serves "people on my network" with --dev on the host's veth address
(tests/viewer/test_other_computer.py's ``lan_desk``, its "dev" variant). Inside the viewer's
computer (the session's shared network namespace, tests/support/lan_fixtures.py) an nftables table
of this test's own drops every UDP packet to and from the network, with a counter; the table is
deleted afterwards, and the test checks that it is gone. The page must be live, play the host's
video and reach the host's window with its camera, and its peer connection's selected candidate pair
must be TCP to LiveKit's RTC TCP port (also seen by ``ss`` in the namespace).
"""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from hostdesk.app import Backend
from tests.support.desk_fixtures import Desk
from tests.support.lan_fixtures import RemoteBrowser
from tests.support.netns import TestNetns
from tests.support.remote_viewer import hand_up_and_on_stage, join, open_remote, watching
from tests.viewer import test_other_computer

#: The host's window with HostDesk serving "people on my network" (parametrized to "dev").
lan_desk = test_other_computer.lan_desk

NFT = "/usr/sbin/nft"
TABLE = "hostdesk_test_no_udp"

#: Keeps every RTCPeerConnection the page makes in `window.__peerConnections` (init script).
RECORD_PEER_CONNECTIONS = """(() => {
  const Native = window.RTCPeerConnection;
  const made = [];
  Object.defineProperty(window, '__peerConnections', {value: made});
  window.RTCPeerConnection = class extends Native {
    constructor(...args) { super(...args); made.push(this); }
  };
})()"""

#: JS: for each connected peer connection, its selected candidate pair (null: none selected).
SELECTED_PAIRS = """async () => {
  const pairs = [];
  for (const pc of window.__peerConnections) {
    if (pc.connectionState !== 'connected') continue;
    const stats = await pc.getStats();
    let pair = null;
    stats.forEach((s) => {
      if (s.type === 'transport' && s.selectedCandidatePairId) {
        pair = stats.get(s.selectedCandidatePairId);
      }
    });
    if (!pair) { pairs.push(null); continue; }
    const local = stats.get(pair.localCandidateId);
    const remote = stats.get(pair.remoteCandidateId);
    pairs.push({local: local.protocol, remote: remote.protocol, address: remote.address,
      port: remote.port, bytesReceived: pair.bytesReceived, bytesSent: pair.bytesSent});
  }
  return pairs;
}"""


def _ip_netns_exec(netns: TestNetns, *command: str, stdin: str | None = None) -> str:
    ip = shutil.which("ip") or "/usr/sbin/ip"
    done = subprocess.run(
        [ip, "netns", "exec", netns.name, *command],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(
            f"`{' '.join(command)}` in {netns.name} failed ({done.returncode}): "
            f"{(done.stderr or done.stdout).strip()}"
        )
    return done.stdout


@dataclass
class UdpBlocked:
    """UDP dropped both ways on the viewer's network interface, counted."""

    netns: TestNetns

    def dropped(self) -> int:
        """Packets dropped so far (both directions)."""
        listing = json.loads(
            _ip_netns_exec(self.netns, NFT, "--json", "list", "table", "inet", TABLE)
        )
        return sum(
            expr["counter"]["packets"]
            for item in listing["nftables"]
            if "rule" in item
            for expr in item["rule"]["expr"]
            if "counter" in expr
        )


def _tables(netns: TestNetns) -> str:
    return _ip_netns_exec(netns, NFT, "list", "tables")


@pytest.fixture
def udp_blocked(viewer_computer: TestNetns) -> Iterator[UdpBlocked]:
    """An nftables table in the viewer's namespace dropping UDP on its veth; deleted after."""
    if not shutil.which(NFT):
        pytest.fail(
            f"{NFT} not found: the UDP-blocked test drops UDP with nftables. "
            "Install it with `apt-get install nftables`.",
            pytrace=False,
        )
    device = viewer_computer.ns_if
    rules = f"""table inet {TABLE} {{
    chain output {{
        type filter hook output priority filter; policy accept;
        oifname "{device}" meta l4proto udp counter drop
    }}
    chain input {{
        type filter hook input priority filter; policy accept;
        iifname "{device}" meta l4proto udp counter drop
    }}
}}
"""
    assert TABLE not in _tables(viewer_computer), "a UDP block left by an earlier test"
    _ip_netns_exec(viewer_computer, NFT, "-f", "-", stdin=rules)
    try:
        yield UdpBlocked(viewer_computer)
    finally:
        _ip_netns_exec(viewer_computer, NFT, "delete", "table", "inet", TABLE)
    # The namespace is the whole session's: no other test may find UDP blocked.
    assert TABLE not in _tables(viewer_computer), _tables(viewer_computer)


def _tcp_to(netns: TestNetns, address: str, port: int) -> list[str]:
    """Established TCP connections from the namespace to `address:port`, as `ss` shows them."""
    out = _ip_netns_exec(netns, "ss", "-Htn", "state", "established", "dst", f"{address}:{port}")
    return [line for line in out.splitlines() if line.strip()]


async def _selected_pairs(page: Any) -> list[dict[str, Any] | None]:
    pairs: list[dict[str, Any] | None] = await page.evaluate(SELECTED_PAIRS)
    return pairs


@pytest.mark.parametrize("lan_desk", ["dev"], indirect=True)
async def test_with_udp_blocked_a_viewer_on_another_computer_watches_and_goes_on_stage_over_tcp(
    lan_desk: Desk,
    remote_browser: RemoteBrowser,
    viewer_computer: TestNetns,
    udp_blocked: UdpBlocked,
) -> None:
    desk = lan_desk
    backend: Backend = desk.api.backend
    assert backend.dev is not None and backend.certificate is not None
    tcp_port = backend.dev.rtc_tcp_port
    host_ip = viewer_computer.host_ip
    await desk.go_live()
    link = desk.window.viewer_access.link.text()
    assert link == f"https://{host_ip}:{backend.port}/watch/{desk.room}"

    browser = await remote_browser(backend.certificate.spki_sha256_b64)
    ada = await open_remote(browser, link, "Ada without UDP", init_script=RECORD_PEER_CONNECTIONS)
    page = ada.page
    await join(ada, "Ada Tcp")
    await watching(ada)

    def over_tcp(pairs: list[dict[str, Any] | None]) -> bool:
        return bool(pairs) and all(
            p is not None
            and p["local"] == "tcp"
            and p["remote"] == "tcp"
            and (p["address"], p["port"]) == (host_ip, tcp_port)
            for p in pairs
        )

    while_watching = await _selected_pairs(page)
    assert over_tcp(while_watching), while_watching
    assert sum(p["bytesReceived"] for p in while_watching if p) > 0, while_watching
    assert _tcp_to(viewer_computer, host_ip, tcp_port), "no TCP connection to LiveKit's RTC port"

    await hand_up_and_on_stage(desk, ada, "Ada Tcp", ", over TCP")

    on_stage = await _selected_pairs(page)
    assert over_tcp(on_stage), on_stage
    assert sum(p["bytesSent"] for p in on_stage if p) > 0, on_stage
    # The browser did try UDP (ICE checks, media) and the network dropped it: this is the
    # fallback, not a page that never wanted UDP.
    assert udp_blocked.dropped() > 0
    await ada.context.close()
    assert ada.errors == [], ada.errors
