"""A network namespace of the test run's own, joined to the host by a veth pair.

Why: libwebrtc (under the livekit Python SDK and in Chromium) ignores loopback interfaces when it
gathers ICE candidates, so a livekit-server on 127.0.0.1 is only reachable through the machine's
outward address (eth0). Running the server inside a namespace that this test run creates keeps
all test media on a veth pair the run owns:

    host side  hd<pid>h  198.18.<n>.1/30   (clients: Python SDK, Chromium, the API under test)
    namespace  hd<pid>n  198.18.<n>.2/30   (livekit-server, started with ``ip netns exec``)

198.18.0.0/15 is the RFC 2544 benchmarking range: never routed on the internet. The namespace
has no default route, so nothing inside it can reach anything but the host side of the veth.
``n`` is derived from the pid, skipping subnets already in use, so parallel runs do not clash.

Needs root (CAP_NET_ADMIN and CAP_SYS_ADMIN) and iproute2's ``ip``.
"""

from __future__ import annotations

import atexit
import ipaddress
import os
import shutil
import subprocess
from dataclasses import dataclass, field

__all__ = ["NetnsUnavailable", "TestNetns", "create_test_netns"]

_HOW_TO = (
    "The LiveKit integration tests run livekit-server in a network namespace of their own "
    "and need root and iproute2: run the tests as root (e.g. `sudo -E .venv/bin/python -m "
    "pytest`; in a container, root with CAP_NET_ADMIN and CAP_SYS_ADMIN, e.g. `docker run "
    "--cap-add NET_ADMIN --cap-add SYS_ADMIN`) and install `ip` with `apt-get install iproute2`."
)


class NetnsUnavailable(RuntimeError):
    """The test network namespace cannot be created here."""


def _ip(*args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    ip = shutil.which("ip") or shutil.which("ip", path="/usr/sbin:/sbin:/usr/bin:/bin")
    if ip is None:
        raise NetnsUnavailable(f"`ip` (iproute2) not found. {_HOW_TO}")
    proc = subprocess.run([ip, *args], capture_output=True, text=True, timeout=30, check=False)
    if check and proc.returncode != 0:
        err = (proc.stderr or proc.stdout).strip()
        if "not permitted" in err.lower() or "permission denied" in err.lower():
            raise NetnsUnavailable(f"`ip {' '.join(args)}` failed: {err}. {_HOW_TO}")
        raise NetnsUnavailable(f"`ip {' '.join(args)}` failed ({proc.returncode}): {err}")
    return proc


def _subnets_in_use() -> list[ipaddress.IPv4Network]:
    out = _ip("-4", "-o", "addr", "show").stdout + _ip("-4", "route", "show").stdout
    used: list[ipaddress.IPv4Network] = []
    for word in out.split():
        try:
            used.append(ipaddress.IPv4Network(word, strict=False))
        except ValueError:
            continue
    return used


def _namespaces() -> set[str]:
    return {line.split()[0] for line in _ip("netns", "list").stdout.splitlines() if line.strip()}


@dataclass
class TestNetns:
    """A created namespace; :meth:`cleanup` deletes it (and with it the veth pair)."""

    __test__ = False  # not a pytest test class

    name: str
    host_if: str
    ns_if: str
    host_ip: str
    ns_ip: str
    prefix_len: int = 30
    _deleted: bool = field(default=False, repr=False)

    def exec_prefix(self) -> list[str]:
        """The command prefix that runs a program inside the namespace."""
        return ["ip", "netns", "exec", self.name]

    def cleanup(self) -> None:
        """Delete the namespace; idempotent. Processes still inside it are not killed."""
        if self._deleted:
            return
        self._deleted = True
        if self.name in _namespaces():
            _ip("netns", "delete", self.name)
        # The veth pair goes with the namespace; make sure the host end is gone too.
        if _ip("link", "show", self.host_if, check=False).returncode == 0:
            _ip("link", "delete", self.host_if, check=False)


_created = 0


def create_test_netns() -> TestNetns:
    """Create ``hd<pid>`` with a veth pair in 198.18.<n>.0/30 and bring everything up."""
    global _created
    if os.geteuid() != 0:
        raise NetnsUnavailable(f"not running as root (euid {os.geteuid()}). {_HOW_TO}")
    pid = os.getpid()
    name = f"hd{pid}" if _created == 0 else f"hd{pid}x{_created}"
    _created += 1
    if len(name) + 1 > 15:  # interface names are at most 15 characters
        name = f"hd{pid % 10**9}"[:13]
    existing = _namespaces()
    if name in existing:
        raise NetnsUnavailable(
            f"network namespace {name} already exists (left by an earlier run with the same "
            f"pid?); delete it with `ip netns delete {name}`"
        )

    used = _subnets_in_use()
    subnet: ipaddress.IPv4Network | None = None
    for i in range(255):
        n = (pid + i) % 255
        candidate = ipaddress.IPv4Network(f"198.18.{n}.0/30")
        if not any(candidate.overlaps(u) for u in used):
            subnet = candidate
            break
    if subnet is None:
        raise NetnsUnavailable("no free /30 subnet left in 198.18.0.0/16 for the test veth")
    host_ip, ns_ip = (str(a) for a in list(subnet.hosts())[:2])

    netns = TestNetns(name=name, host_if=f"{name}h", ns_if=f"{name}n", host_ip=host_ip, ns_ip=ns_ip)
    _ip("netns", "add", name)
    try:
        _ip("link", "add", netns.host_if, "type", "veth", "peer", "name", netns.ns_if)
        _ip("link", "set", netns.ns_if, "netns", name)
        _ip("addr", "add", f"{host_ip}/30", "dev", netns.host_if)
        _ip("link", "set", netns.host_if, "up")
        _ip("-n", name, "addr", "add", f"{ns_ip}/30", "dev", netns.ns_if)
        _ip("-n", name, "link", "set", "lo", "up")
        _ip("-n", name, "link", "set", netns.ns_if, "up")
    except BaseException:
        netns.cleanup()
        raise
    atexit.register(netns.cleanup)
    return netns
