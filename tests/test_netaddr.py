"""This machine's addresses: which ones a server may listen on, and which one viewers are sent."""

from __future__ import annotations

import ipaddress
import socket
from types import SimpleNamespace
from typing import Any

import pytest

from hostdesk import netaddr
from hostdesk.config import ConfigError


def _outward() -> list[str]:
    addresses = netaddr.network_addresses()
    assert addresses, (
        "this test needs a network interface with an address other than loopback "
        f"(this machine has only {netaddr.machine_addresses()})"
    )
    return addresses


def _fake_interfaces(
    monkeypatch: pytest.MonkeyPatch, interfaces: dict[str, tuple[bool, list[str]]]
) -> None:
    """Replace psutil's view of the interfaces: name -> (up, addresses)."""

    def entry(address: str) -> SimpleNamespace:
        version = ipaddress.ip_address(address.split("%")[0]).version
        family = socket.AF_INET if version == 4 else socket.AF_INET6
        return SimpleNamespace(family=family, address=address)

    addrs = {name: [entry(a) for a in addresses] for name, (_, addresses) in interfaces.items()}
    stats = {name: SimpleNamespace(isup=up) for name, (up, _) in interfaces.items()}
    monkeypatch.setattr("psutil.net_if_addrs", lambda: addrs)
    monkeypatch.setattr("psutil.net_if_stats", lambda: stats)


LAPTOP = {
    "lo": (True, ["127.0.0.1", "::1"]),
    "docker0": (True, ["172.17.0.1"]),
    "veth1a2b": (True, ["169.254.3.4"]),
    "wlan0": (True, ["2a00:1450:4001::20", "fd00::20", "fe80::1%wlan0", "192.168.1.20"]),
    "eth1": (False, ["10.9.9.9"]),
}


# --- What this machine's addresses are -------------------------------------------------------


def test_machine_addresses_are_those_of_up_interfaces_without_link_local_ipv6(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _fake_interfaces(monkeypatch, LAPTOP)

    assert netaddr.machine_addresses() == [
        "127.0.0.1",
        "::1",
        "172.17.0.1",
        "169.254.3.4",
        "2a00:1450:4001::20",
        "fd00::20",
        "192.168.1.20",
    ]


def test_the_lan_address_comes_first_then_bridges_then_ipv6_global_before_unique_local(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _fake_interfaces(monkeypatch, LAPTOP)

    assert netaddr.network_addresses() == [
        "192.168.1.20",
        "172.17.0.1",
        "169.254.3.4",
        "2a00:1450:4001::20",
        "fd00::20",
    ]


def test_this_machines_real_addresses_include_loopback_and_never_link_local_ipv6() -> None:
    addresses = netaddr.machine_addresses()

    assert "127.0.0.1" in addresses
    assert not any(ipaddress.ip_address(a).is_link_local for a in addresses if ":" in a)
    assert not any(ipaddress.ip_address(a).is_loopback for a in netaddr.network_addresses())


@pytest.mark.parametrize(
    ("host", "loopback"),
    [
        ("127.0.0.1", True),
        ("127.0.1.1", True),
        ("::1", True),
        ("[::1]", True),
        ("localhost", True),
        ("LocalHost.", True),
        ("0.0.0.0", False),
        ("192.168.1.20", False),
        ("show.example", False),
    ],
)
def test_loopback_is_127_0_0_0_8_and_ipv6_loopback_and_localhost(host: str, loopback: bool) -> None:
    assert netaddr.is_loopback(host) is loopback


@pytest.mark.parametrize(
    ("host", "wildcard"),
    [("0.0.0.0", True), ("::", True), ("[::]", True), ("", True), ("127.0.0.1", False)],
)
def test_a_wildcard_is_the_empty_host_or_an_unspecified_address(host: str, wildcard: bool) -> None:
    assert netaddr.is_wildcard(host) is wildcard


# --- Where the server may listen -------------------------------------------------------------


@pytest.mark.parametrize("host", ["127.0.0.1", "::1", "localhost", "0.0.0.0", "::"])
def test_loopback_and_wildcards_are_always_accepted(host: str) -> None:
    netaddr.check_own_address(host)


def test_each_of_this_machines_addresses_is_accepted() -> None:
    for address in _outward():
        netaddr.check_own_address(address)


def test_an_address_of_another_computer_is_refused_with_this_ones_listed() -> None:
    with pytest.raises(ConfigError) as raised:
        netaddr.check_own_address("203.0.113.7")

    own = ", ".join(netaddr.machine_addresses())
    assert str(raised.value) == (
        f"203.0.113.7 is not an address of this computer (its addresses: {own})"
    )


def test_the_refusal_lists_the_machines_addresses_in_order(monkeypatch: pytest.MonkeyPatch) -> None:
    _fake_interfaces(monkeypatch, {"lo": (True, ["127.0.0.1"]), "eth0": (True, ["192.168.1.20"])})

    with pytest.raises(ConfigError) as raised:
        netaddr.check_own_address("10.1.2.3")

    assert str(raised.value) == (
        "10.1.2.3 is not an address of this computer (its addresses: 127.0.0.1, 192.168.1.20)"
    )


def _resolving_to(*addresses: str) -> Any:
    def getaddrinfo(host: str, *args: object, **kwargs: object) -> list[Any]:
        # No DNS in tests: names resolve to what the test says.
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (a, 0)) for a in addresses]

    return getaddrinfo


def test_a_name_that_resolves_to_an_address_of_this_machine_is_accepted(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    address = _outward()[0]
    monkeypatch.setattr("socket.getaddrinfo", _resolving_to("203.0.113.7", address))

    netaddr.check_own_address("desk.show.example")


def test_a_name_of_another_computer_is_refused_with_what_it_resolves_to(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr("socket.getaddrinfo", _resolving_to("203.0.113.7"))

    with pytest.raises(ConfigError) as raised:
        netaddr.check_own_address("other.show.example")

    own = ", ".join(netaddr.machine_addresses())
    assert str(raised.value) == (
        "other.show.example is not a name of this computer: it resolves to 203.0.113.7 "
        f"(its addresses: {own})"
    )


def test_a_name_that_does_not_resolve_says_so(monkeypatch: pytest.MonkeyPatch) -> None:
    def getaddrinfo(host: str, *args: object, **kwargs: object) -> list[Any]:
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    monkeypatch.setattr("socket.getaddrinfo", getaddrinfo)

    with pytest.raises(ConfigError) as raised:
        netaddr.check_own_address("nowhere.show.example")

    assert str(raised.value) == "cannot resolve nowhere.show.example"


# --- What goes in viewers' links -------------------------------------------------------------


def test_a_wildcard_listener_is_linked_by_a_real_address_of_this_machine() -> None:
    outward = _outward()

    for wildcard in ("0.0.0.0", "::", ""):
        host = netaddr.link_host(wildcard)
        assert host == outward[0]
        assert not netaddr.is_wildcard(host)
        assert not netaddr.is_loopback(host)


def test_a_wildcard_listener_is_linked_by_the_lan_address_not_a_bridge(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _fake_interfaces(monkeypatch, LAPTOP)

    assert netaddr.link_host("0.0.0.0") == "192.168.1.20"


def test_a_wildcard_listener_on_a_machine_with_only_loopback_is_linked_by_127_0_0_1(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _fake_interfaces(monkeypatch, {"lo": (True, ["127.0.0.1", "::1"])})

    assert netaddr.link_host("0.0.0.0") == "127.0.0.1"


@pytest.mark.parametrize(
    ("listen", "link"),
    [
        ("192.168.1.20", "192.168.1.20"),
        ("[fd00::20]", "fd00::20"),
        ("Desk.Example", "desk.example"),
    ],
)
def test_a_specific_listen_address_is_its_own_link_host(listen: str, link: str) -> None:
    assert netaddr.link_host(listen) == link


@pytest.mark.parametrize(
    ("host", "in_url"),
    [
        ("192.168.1.20", "192.168.1.20"),
        ("fd00::20", "[fd00::20]"),
        ("[fd00::20]", "[fd00::20]"),
        ("fe80::1%eth0", "[fe80::1%25eth0]"),
        ("desk.example", "desk.example"),
    ],
)
def test_ipv6_literals_are_bracketed_in_urls(host: str, in_url: str) -> None:
    assert netaddr.host_in_url(host) == in_url
