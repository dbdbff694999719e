"""Composition root: the one place that wires LiveKit, the service, the API and (later) the window.

`Backend` is everything but the window: the local LiveKit server in dev mode, the room service,
the show service and the embedded API server. `hostdesk serve` runs just that; the desktop app
runs it on the Qt loop beside the window.
"""

from __future__ import annotations

import asyncio
import contextlib
import errno
import logging
import signal
import ssl
import sys
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from hostdesk import netaddr
from hostdesk.api.app import RELAY, ApiServer, create_app
from hostdesk.api.auth import Auth
from hostdesk.api.clients import ClientAddresses
from hostdesk.api.relay import SignallingRelay
from hostdesk.api.routes import Signalling
from hostdesk.config import ConfigError, LiveKitSettings, Settings
from hostdesk.devserver import LiveKitServerMissing, LocalLiveKitServer
from hostdesk.livekit.rooms import LiveKitRooms
from hostdesk.livekit.tokens import Tokens
from hostdesk.reach import Audience, Reach, resolve
from hostdesk.service import ShowService
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


class StartError(RuntimeError):
    """HostDesk cannot start as asked; the message says what to change, in one sentence."""


@dataclass
class Backend:
    settings: Settings
    livekit: LiveKitSettings
    service: ShowService
    tokens: Tokens
    reach: Reach
    #: the certificate the API serves with (None: plain http on loopback)
    certificate: Certificate | None
    port: int
    #: the local livekit-server (--dev), or None
    dev: LocalLiveKitServer | None
    relay: SignallingRelay
    _closers: contextlib.AsyncExitStack = field(repr=False)

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

    async def aclose(self) -> None:
        await self._closers.aclose()


def _tls(settings: Settings, reach: Reach) -> tuple[Certificate, ssl.SSLContext]:
    """The host's certificate when given, else HostDesk's own for every address served."""
    try:
        if settings.tls_cert.strip():
            cert = load_certificate(Path(settings.tls_cert), Path(settings.tls_key))
        else:
            hosts = [reach.link_host, *netaddr.machine_addresses(), *reach.media_ips]
            if reach.public_url:
                hosts.append(urlsplit(reach.public_url).hostname or "")
            cert = machine_certificate(default_folder(), [h for h in hosts if h])
        return cert, server_context(cert)
    except TlsError as exc:
        raise StartError(str(exc)) from None


def _listen_problem(reach: Reach, port: int, exc: OSError) -> str:
    where = f"{netaddr.host_in_url(reach.listen_host)}:{port}"
    if exc.errno == errno.EADDRINUSE:
        return (
            f"Port {port} is already in use on {reach.listen_host} (is HostDesk already "
            "running?): choose another port"
        )
    if exc.errno == errno.EADDRNOTAVAIL:
        return f"{reach.listen_host} is not an address of this computer"
    return f"HostDesk cannot listen on {where}: {exc.strerror or exc}"


async def start_backend(settings: Settings) -> Backend:
    """Starts LiveKit (dev mode), the service and the API; nothing stays running if one fails.

    Raises StartError with a sentence for the host (bad address, certificate, port taken).
    """
    try:
        reach = resolve(settings)
    except ConfigError as exc:
        raise StartError(str(exc)) from None
    certificate, tls = _tls(settings, reach) if reach.tls else (None, None)
    async with contextlib.AsyncExitStack() as stack:
        livekit = settings.livekit
        dev = None
        if livekit is None:
            try:
                dev = LocalLiveKitServer(announce=reach.media_ips, preferred_ports=DEV_PORTS)
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
        service = ShowService(rooms, tokens, stage_size=settings.stage_size)
        auth = Auth(enabled=settings.auth, api_key=settings.api_key, verifier=tokens)
        signalling = Signalling(livekit.url, livekit.viewer_url, reach.public_url, reach.tls)
        app = create_app(
            service,
            auth,
            rate_limits=settings.rate_limits,
            signalling=signalling,
            clients=ClientAddresses.trusting(reach.trusted_proxies),
        )
        server = ApiServer(app, tls)
        try:
            port = await server.start(reach.listen_host, settings.api_port)
        except OSError as exc:
            raise StartError(_listen_problem(reach, settings.api_port, exc)) from None
        stack.push_async_callback(server.aclose)
        backend = Backend(
            settings,
            livekit,
            service,
            tokens,
            reach,
            certificate,
            port,
            dev,
            app[RELAY],
            stack.pop_all(),
        )
    return backend


def serve(settings: Settings) -> int:
    """`hostdesk serve`: the API without a window, until Ctrl+C or SIGTERM."""
    return asyncio.run(_serve(settings))


async def _serve(settings: Settings) -> int:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    try:
        backend = await start_backend(settings)
    except StartError as exc:
        print(f"hostdesk: {exc}", file=sys.stderr)
        return 1
    try:
        print(f"LiveKit: {backend.livekit.url}", flush=True)
        if settings.auth and settings.api_key_generated:
            print(f"Host API key (X-API-Key): {settings.api_key}", flush=True)
        elif not settings.auth:
            print(
                "Auth is off (--no-auth): anyone who reaches the API may run the show", flush=True
            )
        _print_access(backend)
        await stop.wait()
    finally:
        await backend.aclose()
    return 0


def _print_access(backend: Backend) -> None:
    """What both commands print once listening: where viewers go, and what to trust."""
    print(f"Viewers: {backend.api_url}/watch/SHOW ({backend.access_details()})", flush=True)
    print(f"HostDesk API listening on {backend.api_url}", flush=True)


def desktop(
    settings: Settings,
    go_live: tuple[str, str] | None = None,
    cli_overrides: frozenset[str] | set[str] = frozenset(),
) -> int:
    """`hostdesk`: the window and the embedded API on one Qt loop. The window's stored
    settings apply where the command line and the environment say nothing."""
    from hostdesk.ui.runner import run

    return run(lambda closed: _desktop(settings, go_live, set(cli_overrides), closed))


async def _desktop(
    settings: Settings,
    go_live: tuple[str, str] | None,
    cli_overrides: set[str],
    closed: asyncio.Future[None],
) -> int:
    from hostdesk.host import HostControl
    from hostdesk.livekit.session import HostSession
    from hostdesk.show.mirror import ShowMirror
    from hostdesk.ui.dialogs import GoLiveChoice
    from hostdesk.ui.main_window import MainWindow
    from hostdesk.ui.settings import PrefsStore, apply_prefs

    prefs = PrefsStore()
    try:
        settings = apply_prefs(settings, prefs.load(), cli_overrides=cli_overrides)
    except ConfigError as exc:
        print(f"hostdesk: {exc}", file=sys.stderr)
        return 2
    try:
        backend = await start_backend(settings)
    except StartError as exc:
        print(f"hostdesk: {exc}", file=sys.stderr)
        return 1
    mirror = ShowMirror()
    session = HostSession(mirror)
    control = HostControl(backend.service, session, mirror)
    window = MainWindow(control, session, backend, prefs)
    window.closed.connect(lambda: None if closed.done() else closed.set_result(None))
    window.show()
    _print_access(backend)
    if settings.auth and settings.api_key_generated:
        print(f"Host API key (X-API-Key): {settings.api_key}", flush=True)
    if go_live is not None:
        stored = prefs.load()
        window.go_live(GoLiveChoice(go_live[0], go_live[1], stored.camera, stored.microphone))
    try:
        await closed
    finally:
        window.close()
        await window.bridge.aclose()
        await control.leave()
        await backend.aclose()
    return 0
