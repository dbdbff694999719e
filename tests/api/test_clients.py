"""Whose address a request counts against (hostdesk/api/clients.py): X-Forwarded-For is read
only from the proxies the host named."""

from __future__ import annotations

from aiohttp.test_utils import make_mocked_request

from hostdesk.api.clients import ClientAddresses


def _request(peer: str, forwarded: str | None = None) -> object:
    headers = {"X-Forwarded-For": forwarded} if forwarded is not None else {}
    request = make_mocked_request("GET", "/api/rooms/x", headers=headers)
    request._transport_peername = (peer, 40000)  # type: ignore[attr-defined]
    return request


def _address(clients: ClientAddresses, peer: str, forwarded: str | None = None) -> str:
    return clients.address(_request(peer, forwarded))  # type: ignore[arg-type]


def test_without_trusted_proxies_the_peer_is_the_client_whatever_the_header_says() -> None:
    assert _address(ClientAddresses(), "198.51.100.7", "203.0.113.1") == "198.51.100.7"


def test_behind_a_trusted_proxy_the_forwarded_client_counts() -> None:
    clients = ClientAddresses.trusting(["127.0.0.1"])
    assert _address(clients, "127.0.0.1", "203.0.113.1") == "203.0.113.1"


def test_an_untrusted_peer_cannot_claim_another_address() -> None:
    clients = ClientAddresses.trusting(["127.0.0.1"])
    assert _address(clients, "198.51.100.7", "203.0.113.1") == "198.51.100.7"


def test_a_client_cannot_hide_behind_an_address_it_prepends() -> None:
    # The proxy appends the address it saw; anything before it is the client's own writing.
    clients = ClientAddresses.trusting(["10.0.0.0/24"])
    assert _address(clients, "10.0.0.2", "1.2.3.4, 203.0.113.1, 10.0.0.3") == "203.0.113.1"


def test_a_garbled_header_from_the_proxy_falls_back_to_the_peer() -> None:
    clients = ClientAddresses.trusting(["127.0.0.1"])
    assert _address(clients, "127.0.0.1", "not-an-address") == "127.0.0.1"
    assert _address(clients, "127.0.0.1") == "127.0.0.1"
