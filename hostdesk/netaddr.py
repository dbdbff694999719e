"""This machine's addresses: which ones viewers can reach, and which one goes in their links."""

from __future__ import annotations

import ipaddress
import os
import re
import socket
import sys
from dataclasses import dataclass
from pathlib import Path

import psutil  # type: ignore[import-untyped]

from hostdesk.config import ConfigError

__all__ = [
    "check_own_address",
    "host_in_url",
    "is_loopback",
    "is_wildcard",
    "link_host",
    "machine_addresses",
    "network_addresses",
]

_IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

# Interfaces that lead to containers, VMs or VPNs rather than to the LAN the viewers are on:
# Docker, Podman/CNI, libvirt, LXC/LXD/Incus, Kubernetes overlays, veth pairs, VirtualBox,
# VMware, Hyper-V (vEthernet), macOS sharing bridges, tunnels and overlay VPNs.
_VIRTUAL_NAME = re.compile(
    r"^(docker|br-|veth|virbr|vnet|lxcbr|lxdbr|incusbr|podman|cni|flannel|cali|weave|kube|"
    r"vboxnet|virtualbox|vmnet|vmware|vethernet|bridge|utun|tun|tap|wg|tailscale|zt)",
    re.IGNORECASE,
)
_WILDCARDS = frozenset({"", "0.0.0.0", "::"})


@dataclass(frozen=True)
class _Address:
    ip: _IPAddress
    interface: str


def machine_addresses() -> list[str]:
    """This machine's IP addresses (v4 and v6, loopback included) on interfaces that are up.

    Link-local IPv6 (fe80::/10) is left out: it needs a scope (%eth0) that neither a URL a
    viewer types nor a certificate can carry.
    """
    return [str(a.ip) for a in _up_addresses()]


def network_addresses() -> list[str]:
    """The addresses other computers may reach this one on, the likeliest LAN address first.

    IPv4 on an interface that leads outside the machine first, then IPv4 on container and VM
    bridges (docker0, veth*, virbr*, ...) and IPv4 link-local, then IPv6 in the same order.
    """
    outward = [a for a in _up_addresses() if not a.ip.is_loopback]
    return [str(a.ip) for a in sorted(outward, key=_rank)]


def is_loopback(host: str) -> bool:
    """Whether `host` is this machine only: 127.0.0.0/8, ::1 or localhost."""
    host = _bare(host)
    if host == "localhost" or host.endswith(".localhost"):
        return True
    ip = _ip(host)
    return ip is not None and ip.is_loopback


def is_wildcard(host: str) -> bool:
    """Whether listening on `host` means every address of the machine ("", 0.0.0.0, ::)."""
    host = _bare(host)
    if host in _WILDCARDS:
        return True
    ip = _ip(host)
    return ip is not None and ip.is_unspecified


def check_own_address(host: str) -> None:
    """Raise ConfigError unless the server can listen on `host` on this machine.

    Wildcards and loopback pass; an IP literal must be one of `machine_addresses()`; a name must
    resolve to at least one of them.
    """
    if is_wildcard(host) or is_loopback(host):
        return
    bare = _bare(host)
    own = machine_addresses()
    # A link-local address with its zone is this machine's too, though no viewer link shows it.
    own_ips = {a.ip for a in _up_addresses(link_local=True)}
    ip = _ip(bare)
    if ip is not None:
        if ip not in own_ips:
            raise ConfigError(
                f"{bare} is not an address of this computer (its addresses: {', '.join(own)})"
            )
        return
    try:
        infos = socket.getaddrinfo(bare, None, proto=socket.IPPROTO_TCP)
    except (OSError, UnicodeError, ValueError) as e:
        raise ConfigError(f"cannot resolve {bare}") from e
    resolved: list[str] = []
    for info in infos:
        address = _ip(str(info[4][0]))
        if address is None:
            continue
        if address.is_loopback or address in own_ips:
            return
        if str(address) not in resolved:
            resolved.append(str(address))
    raise ConfigError(
        f"{bare} is not a name of this computer: it resolves to {', '.join(resolved) or 'nothing'}"
        f" (its addresses: {', '.join(own)})"
    )


def link_host(listen_host: str) -> str:
    """The host to put in viewers' links for a server listening on `listen_host`.

    A specific address or name is itself; a wildcard is the likeliest LAN address, or 127.0.0.1
    when the machine has no other address. Not bracketed: see `host_in_url`.
    """
    if not is_wildcard(listen_host):
        return _bare(listen_host)
    outward = network_addresses()
    return outward[0] if outward else "127.0.0.1"


def host_in_url(host: str) -> str:
    """`host` as it goes between "https://" and ":port": IPv6 literals in brackets."""
    bare = _bare(host)
    ip = _ip(bare)
    if isinstance(ip, ipaddress.IPv6Address):
        # RFC 6874: a zone's "%" is itself percent-encoded inside a URL.
        return "[" + bare.replace("%", "%25") + "]"
    return bare


def _up_addresses(*, link_local: bool = False) -> list[_Address]:
    stats = psutil.net_if_stats()
    found: list[_Address] = []
    seen: set[_IPAddress] = set()
    for name, entries in psutil.net_if_addrs().items():
        interface = str(name)
        stat = stats.get(interface)
        if stat is None or not stat.isup:
            continue
        for entry in entries:
            if entry.family not in (socket.AF_INET, socket.AF_INET6):
                continue
            ip = _ip(str(entry.address))
            if ip is None or ip in seen or ip.is_unspecified:
                continue
            if isinstance(ip, ipaddress.IPv6Address) and ip.is_link_local and not link_local:
                continue
            seen.add(ip)
            found.append(_Address(ip, interface))
    return found


def _rank(address: _Address) -> tuple[int, int, int, int]:
    """Sort key: lower is a likelier address for a viewer on the LAN (stable within ties)."""
    ip = address.ip
    return (
        0 if ip.version == 4 else 1,
        1 if _is_virtual(address.interface) or ip.is_link_local else 0,
        # IPv4 on a machine usually is private; IPv6's global one is what routers hand out,
        # unique local (fd00::/8) comes after it.
        0 if ip.version == 4 or ip.is_global else 1,
        1 if _is_virtual_device(address.interface) else 0,
    )


def _is_virtual(interface: str) -> bool:
    return bool(_VIRTUAL_NAME.match(interface))


def _is_virtual_device(interface: str) -> bool:
    """Linux: no hardware behind it (a veth, bridge, tunnel); a tie-breaker only, because a
    container's own eth0 is virtual too and is its LAN address."""
    if sys.platform != "linux":
        return False
    try:
        return "/virtual/" in os.path.realpath(Path("/sys/class/net") / interface)
    except OSError:
        return False


def _bare(host: str) -> str:
    host = host.strip()
    if host.startswith("[") and host.endswith("]"):
        host = host[1:-1]
    return host.rstrip(".").lower() if _ip(host) is None else host


def _ip(host: str) -> _IPAddress | None:
    try:
        return ipaddress.ip_address(host.split("%", 1)[0])
    except ValueError:
        return None
