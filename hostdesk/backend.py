"""Everything HostDesk runs but the window: the local LiveKit server (--dev), the room service,
the show service and the embedded API, listening where the host's choice of audience says.

`hostdesk serve` runs just this; the desktop app runs it on the Qt loop beside the window, and
may move it to another audience before going live (`Backend.change_audience`).
"""

from __future__ import annotations

import contextlib
import errno
import logging
import ssl
from dataclasses import dataclass, field, replace
from pathlib import Path
from urllib.parse import urlsplit

from hostdesk import netaddr
from hostdesk.api.app import RELAY, ApiServer, create_app
from hostdesk.api.auth import Auth
from hostdesk.api.clients import ClientAddresses
from hostdesk.api.context import Signalling
from hostdesk.api.relay import SignallingRelay
from hostdesk.blocks_store import BlockStore
from hostdesk.config import ConfigError, LiveKitSettings, Settings
from hostdesk.devserver import LiveKitServerMissing, LocalLiveKitServer
from hostdesk.livekit import joining
from hostdesk.livekit.rooms import LiveKitRooms
from hostdesk.livekit.tokens import Tokens
from hostdesk.reach import Audience, Reach, resolve
from hostdesk.service import ShowService
from hostdesk.tasks import TaskSet
from hostdesk.tls import (
    Certificate,
    TlsError,
    default_folder,
    load_certificate,
    machine_certificate,
    server_context,
)

log = logging.getLogger("hostdesk")

#: LiveKit's usual ports (signalling, RTC over TCP, RTC over UDP), taken for --dev when free:
#: fixed numbers are what a host can write into a firewall rule.
DEV_PORTS = (7880, 7881, 7882)
#: How long closing waits for joins given up on to end and leave their rooms.
SETTLE_JOINS_S = 5.0


class StartError(ConfigError):
    """HostDesk cannot serve as asked; the message says what to change, in one sentence."""


@dataclass
class _Listening:
    """The API as it listens now: what `change_audience` replaces as one."""

    reach: Reach
    certificate: Certificate | None
    server: ApiServer
    relay: SignallingRelay
    port: int


@dataclass
class Backend:
    settings: Settings
    livekit: LiveKitSettings
    service: ShowService
    tokens: Tokens
    auth: Auth
    #: the local livekit-server (--dev), or None
    dev: LocalLiveKitServer | None
    _listening: _Listening = field(repr=False)
    _closers: contextlib.AsyncExitStack = field(repr=False)
    #: what LiveKit's answer at start says the host must fix (`Moderation.access_problem`)
    livekit_problem: str | None = None

    @property
    def reach(self) -> Reach:
        return self._listening.reach

    @property
    def audience(self) -> Audience:
        return self._listening.reach.audience

    @property
    def certificate(self) -> Certificate | None:
        """The certificate the API serves with (None: plain http on loopback)."""
        return self._listening.certificate

    @property
    def port(self) -> int:
        return self._listening.port

    @property
    def relay(self) -> SignallingRelay:
        return self._listening.relay

    @property
    def api_url(self) -> str:
        """The origin viewers open (never 0.0.0.0; the public URL where there is one)."""
        return self.reach.origin(self.port)

    def watch_link(self, room: str) -> str:
        return self.reach.watch_link(self.port, room)

    def access_details(self) -> str:
        """What the host tells viewers or their firewall, in one line for the window."""
        parts = [self.reach.audience.label]
        if self.certificate is not None:
            parts.append(f"Certificate SHA-256 {self.certificate.fingerprint_sha256}")
        if self.reach.audience is not Audience.THIS_COMPUTER:
            ports = [f"TCP {self.port} (page)"]
            if self.dev is not None:
                ports.append(f"UDP {self.dev.rtc_udp_port} and TCP {self.dev.rtc_tcp_port} (media)")
            parts.append("Firewall: allow " + ", ".join(ports))
        return " · ".join(parts)

    async def change_audience(self, audience: Audience) -> None:
        """Listens for another audience (before going live: a --dev server forgets its rooms).

        The address follows the audience (its own choice, not the stored one); a public URL is
        kept only for "anyone". Raises StartError with what to change; then the API listens
        where it did before.
        """
        if audience is self.audience:
            return
        wanted = replace(
            self.settings,
            audience=audience.value,
            api_host="",
            public_url=self.settings.public_url if audience is Audience.PUBLIC else "",
        )
        reach = _resolve(wanted)
        tls = _tls(wanted, reach)
        previous = self._listening
        await previous.server.aclose()
        try:
            await self._announce(reach)
            self._listening = await self._listen(wanted, reach, tls)
        except StartError:
            await self._announce(previous.reach)
            self._listening = await self._listen(
                self.settings, previous.reach, _tls(self.settings, previous.reach)
            )
            raise
        self.settings = wanted
        log.info("viewers now: %s", audience.label)

    async def _listen(self, settings: Settings, reach: Reach, tls: _Tls) -> _Listening:
        return await _listen(self.service, self.auth, self.livekit, settings, reach, tls)

    async def _announce(self, reach: Reach) -> None:
        dev = self.dev
        wanted = (reach.media_ips, reach.media_public_ip)
        if dev is not None and (dev.announce, dev.external_ip) != wanted:
            dev.announce, dev.external_ip = wanted
            await dev.restart()  # same URL, ports and keys; media on the new addresses

    async def aclose(self) -> None:
        try:
            await self._listening.server.aclose()
            # A join given up on (Cancel while going live) leaves its room before LiveKit goes.
            await joining.settle(SETTLE_JOINS_S)
        finally:
            await self._closers.aclose()


def _resolve(settings: Settings) -> Reach:
    try:
        return resolve(settings)
    except ConfigError as exc:
        raise StartError(str(exc)) from None


_Tls = tuple[Certificate, ssl.SSLContext] | None


def _tls(settings: Settings, reach: Reach) -> _Tls:
    """For TLS: the host's certificate when given, else HostDesk's own for every address."""
    if not reach.tls:
        return None
    try:
        if settings.tls_cert.strip():
            cert = load_certificate(Path(settings.tls_cert), Path(settings.tls_key))
        else:
            hosts = [reach.link_host, *netaddr.machine_addresses(), *reach.media_ips]
            hosts.append(reach.media_public_ip)
            if reach.public_url:
                hosts.append(urlsplit(reach.public_url).hostname or "")
            cert = machine_certificate(default_folder(), [h for h in hosts if h])
        return cert, server_context(cert)
    except TlsError as exc:
        raise StartError(str(exc)) from None


def _listen_problem(reach: Reach, port: int, exc: OSError) -> str:
    if exc.errno == errno.EADDRINUSE:
        return (
            f"Port {port} is already in use on {reach.listen_host} (is HostDesk already "
            "running?): choose another port"
        )
    if exc.errno == errno.EADDRNOTAVAIL:
        return f"{reach.listen_host} is not an address of this computer"
    where = f"{netaddr.host_in_url(reach.listen_host)}:{port}"
    return f"HostDesk cannot listen on {where}: {exc.strerror or exc}"


async def _listen(
    service: ShowService,
    auth: Auth,
    livekit: LiveKitSettings,
    settings: Settings,
    reach: Reach,
    tls: _Tls,
) -> _Listening:
    app = create_app(
        service,
        auth,
        rate_limits=settings.rate_limits,
        signalling=Signalling(livekit.url, livekit.viewer_url, reach.public_url, reach.tls),
        clients=ClientAddresses.trusting(reach.trusted_proxies),
    )
    server = ApiServer(app, tls[1] if tls else None)
    try:
        port = await server.start(reach.listen_host, settings.api_port)
    except OSError as exc:
        raise StartError(_listen_problem(reach, settings.api_port, exc)) from None
    return _Listening(reach, tls[0] if tls else None, server, app[RELAY], port)


async def start_backend(settings: Settings) -> Backend:
    """Starts LiveKit (dev mode), the service and the API; nothing stays running if one fails.

    Raises StartError with a sentence for the host (bad address, certificate, port taken).
    """
    reach = _resolve(settings)
    tls = _tls(settings, reach)
    async with contextlib.AsyncExitStack() as stack:
        livekit = settings.livekit
        dev = None
        if livekit is None:
            try:
                dev = LocalLiveKitServer(
                    announce=reach.media_ips,
                    external_ip=reach.media_public_ip,
                    preferred_ports=DEV_PORTS,
                )
            except LiveKitServerMissing as exc:
                raise StartError(str(exc)) from None
            await dev.start()
            stack.push_async_callback(dev.stop)
            creds = dev.credentials
            livekit = LiveKitSettings(creds.url, creds.api_key, creds.api_secret)
            log.info("local livekit-server at %s", creds.url)
        rooms = LiveKitRooms(livekit.url, livekit.api_key, livekit.api_secret)
        stack.push_async_callback(rooms.aclose)
        tokens = Tokens(livekit.api_key, livekit.api_secret, livekit.url)
        service = ShowService(
            rooms, tokens, stage_size=settings.stage_size, block_records=BlockStore()
        )
        sweeper = TaskSet(log)
        sweeper.spawn(service.moderation.sweep_forever(), name="blocked sweep")
        stack.push_async_callback(sweeper.aclose)
        auth = Auth(enabled=settings.auth, api_key=settings.api_key, verifier=tokens)
        listening = await _listen(service, auth, livekit, settings, reach, tls)
        problem = await service.moderation.access_problem()
        if problem:
            log.warning("%s", problem)
        backend = Backend(
            settings, livekit, service, tokens, auth, dev, listening, stack.pop_all(), problem
        )
    return backend
