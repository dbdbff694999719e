"""Who can watch the show, and the addresses through which viewers get in.

The host chooses one of three audiences; everything else follows from that choice and a few
options, in one place:

- **this computer only**: the API listens on loopback, over plain http (browsers treat
  loopback as a secure origin, so a local viewer still gets a camera);
- **people on my network**: the API listens on this computer's network address (or all of
  them) over https, and links name that address, never ``0.0.0.0`` nor loopback;
- **anyone through a public address**: links and LiveKit's signalling use ``--public-url``;
  behind a reverse proxy the API itself stays on loopback over http, with port forwarding it
  listens on the network over https.

Whenever the API listens beyond loopback it speaks TLS: a page served over plain http to
another computer is not a secure context, and its viewer could never go on stage.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from enum import StrEnum
from urllib.parse import quote, urlsplit

from hostdesk import netaddr
from hostdesk.config import ConfigError, Settings


class Audience(StrEnum):
    """Who can watch: the choice the host makes."""

    THIS_COMPUTER = "local"
    NETWORK = "network"
    PUBLIC = "public"

    @property
    def label(self) -> str:
        return _LABELS[self]


_LABELS = {
    Audience.THIS_COMPUTER: "This computer only",
    Audience.NETWORK: "People on my network",
    Audience.PUBLIC: "Anyone, through a public address",
}


@dataclass(frozen=True)
class Reach:
    """The resolved choice: where the API listens and what viewers are told."""

    audience: Audience
    #: what the API binds (an address of this machine, or a wildcard)
    listen_host: str
    #: https for the API and the page (every non-loopback listener)
    tls: bool
    #: "https://host[:port]" that links and the relayed signalling use, or ""
    public_url: str
    #: the host links name when there is no public URL
    link_host: str
    #: the addresses of this machine a local livekit-server (--dev) offers media on
    media_ips: tuple[str, ...]
    #: the public address it announces instead, when that is not this machine's (NAT)
    media_public_ip: str = ""
    trusted_proxies: tuple[str, ...] = ()

    def origin(self, port: int) -> str:
        """The origin viewers open, for an API bound to `port`."""
        if self.public_url:
            return self.public_url
        scheme = "https" if self.tls else "http"
        return f"{scheme}://{netaddr.host_in_url(self.link_host)}:{port}"

    def watch_link(self, port: int, room: str) -> str:
        return f"{self.origin(port)}/watch/{quote(room, safe='')}"


def _public_url(url: str) -> str:
    url = url.strip().rstrip("/")
    parts = urlsplit(url)
    if parts.scheme != "https" or not parts.hostname:
        raise ConfigError(
            f"The public URL must be https://NAME[:PORT] (the address viewers open), not {url!r}"
        )
    if parts.path or parts.query or parts.fragment:
        raise ConfigError(f"The public URL must be an origin without a path, not {url!r}")
    return f"https://{parts.netloc}"


def _ip_literal(host: str) -> str | None:
    try:
        return str(ipaddress.ip_address(host))
    except ValueError:
        return None


def _check_proxies(proxies: tuple[str, ...]) -> tuple[str, ...]:
    for proxy in proxies:
        try:
            ipaddress.ip_network(proxy, strict=False)
        except ValueError:
            raise ConfigError(
                f"--trusted-proxy wants an address or network (10.0.0.2, 10.0.0.0/24), "
                f"not {proxy!r}"
            ) from None
    return proxies


def resolve(settings: Settings) -> Reach:
    """Checks the host's choice against this machine; ConfigError says what to change."""
    host = settings.api_host.strip()
    public_url = _public_url(settings.public_url) if settings.public_url.strip() else ""
    audience = Audience(settings.audience) if settings.audience else None
    if audience is None:
        if public_url:
            audience = Audience.PUBLIC
        elif host and not netaddr.is_loopback(host):
            audience = Audience.NETWORK
        else:
            audience = Audience.THIS_COMPUTER
    if bool(settings.tls_cert.strip()) != bool(settings.tls_key.strip()):
        raise ConfigError("Give both the TLS certificate and its key (--tls-cert and --tls-key)")

    if audience is Audience.THIS_COMPUTER:
        host = host or "127.0.0.1"
        if not netaddr.is_loopback(host):
            raise ConfigError(
                f"{host} is not loopback: for viewers on other computers choose "
                "“People on my network” (--watch network)"
            )
        if public_url:
            raise ConfigError("A public URL is for “Anyone” (--watch public)")
        media: tuple[str, ...] = (host,)
    media_public_ip = ""
    if audience is not Audience.THIS_COMPUTER:
        host = host or "0.0.0.0"
        if audience is Audience.NETWORK and netaddr.is_loopback(host):
            raise ConfigError(
                f"Other computers cannot reach {host}: give this computer's network address "
                "or leave the address empty"
            )
        if audience is Audience.PUBLIC and not public_url:
            raise ConfigError(
                "“Anyone” needs the public URL viewers open (--public-url https://NAME[:PORT])"
            )
        netaddr.check_own_address(host)
        if netaddr.is_wildcard(host) or netaddr.is_loopback(host):
            media = tuple(netaddr.network_addresses())
        else:
            media = (host,)
        if not media:
            raise ConfigError("This computer has no network address: connect it to a network")
        public_ip = _ip_literal(urlsplit(public_url).hostname or "") if public_url else None
        if public_ip and public_ip not in media:
            # Behind NAT (port forwarding): LiveKit binds here and tells viewers that address.
            media_public_ip = public_ip
    link_host = netaddr.link_host(host) if public_url == "" else host
    return Reach(
        audience=audience,
        listen_host=host,
        tls=not netaddr.is_loopback(host),
        public_url=public_url,
        link_host=link_host,
        media_ips=media,
        media_public_ip=media_public_ip,
        trusted_proxies=_check_proxies(settings.trusted_proxies),
    )


def viewer_livekit_url(livekit_url: str, page_origin: str) -> str:
    """The LiveKit URL a viewer's page connects to.

    LiveKit's own URL when it is TLS (LiveKit Cloud, a TLS-fronted server) or when the page is
    plain http itself (this computer only); otherwise the page's own origin, where HostDesk
    relays LiveKit's signalling websocket: an https page may not open a ``ws://`` socket.
    """
    if livekit_url.startswith(("wss://", "https://")) or page_origin.startswith("http://"):
        return livekit_url
    return "wss://" + page_origin.removeprefix("https://")
