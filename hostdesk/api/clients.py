"""Who a request comes from: its peer address, or the forwarded one behind a trusted proxy.

A reverse proxy in front of HostDesk makes every request come from the proxy; rate limits are
per client, so the client's address is read from ``X-Forwarded-For`` then, but only when the
peer is one of the proxies the host named: anyone else could write that header.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from dataclasses import dataclass

from aiohttp import web

_Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def _address(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(text.strip())
    except ValueError:
        return None


@dataclass(frozen=True)
class ClientAddresses:
    trusted: tuple[_Network, ...] = ()

    @classmethod
    def trusting(cls, proxies: Iterable[str]) -> ClientAddresses:
        return cls(tuple(ipaddress.ip_network(p, strict=False) for p in proxies))

    def _is_trusted(self, text: str) -> bool:
        address = _address(text)
        return address is not None and any(address in net for net in self.trusted)

    def address(self, request: web.Request) -> str:
        """The client's address: the peer, or behind trusted proxies the nearest address in
        ``X-Forwarded-For`` that is not one of them (proxies append, so the right end is the
        part a trusted proxy wrote)."""
        peer = request.remote or ""
        if not self.trusted or not self._is_trusted(peer):
            return peer
        hops = [h.strip() for h in request.headers.get("X-Forwarded-For", "").split(",")]
        for hop in reversed([h for h in hops if h]):
            if not self._is_trusted(hop):
                return hop if _address(hop) is not None else peer
        return peer


CLIENTS = web.AppKey("clients", ClientAddresses)
