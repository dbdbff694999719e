"""The API application factory and the server that runs it inside someone else's loop."""

from __future__ import annotations

import logging
import socket
import ssl

from aiohttp import web
from aiohttp.typedefs import Handler

from hostdesk.api.auth import Auth
from hostdesk.api.body import MAX_BODY
from hostdesk.api.clients import CLIENTS, ClientAddresses
from hostdesk.api.context import AUTH, SERVICE, SIGNALLING, Signalling
from hostdesk.api.errors import error_middleware
from hostdesk.api.ratelimit import RateLimiter
from hostdesk.api.relay import SignallingRelay
from hostdesk.api.routes import route_table
from hostdesk.api.viewer import routes as viewer_routes
from hostdesk.api.viewer import start_building
from hostdesk.service import ShowService
from hostdesk.show.rules import RATE_LIMITS

log = logging.getLogger("hostdesk.api")

LIMITER = web.AppKey("limiter", RateLimiter)
RELAY = web.AppKey("relay", SignallingRelay)


@web.middleware
async def rate_limit_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    if request.path.startswith("/api/") or request.path == "/health":
        # A route's name is its row in the contract's table (as the document says, see
        # hostdesk.api.endpoints.Operation.rate_group); every other route counts as "other".
        name = request.match_info.route.name or "other"
        group = name if name in RATE_LIMITS else "other"
        request.app[LIMITER].hit(group, request.app[CLIENTS].address(request))
    return await handler(request)


def create_app(
    service: ShowService,
    auth: Auth,
    *,
    rate_limits: bool = True,
    signalling: Signalling | None = None,
    clients: ClientAddresses | None = None,
) -> web.Application:
    middlewares = [error_middleware]
    if rate_limits:
        middlewares.append(rate_limit_middleware)
    app = web.Application(middlewares=middlewares, client_max_size=MAX_BODY)
    app[SERVICE] = service
    app[AUTH] = auth
    app[CLIENTS] = clients or ClientAddresses()
    signalling = signalling or Signalling(service.tokens.ws_url)
    app[SIGNALLING] = signalling
    if rate_limits:
        app[LIMITER] = RateLimiter()
    relay = app[RELAY] = SignallingRelay(signalling.livekit_url)
    app.cleanup_ctx.append(relay.cleanup_ctx)
    app.add_routes(route_table())
    app.add_routes(viewer_routes)
    app.on_startup.append(start_building)
    app.router.add_get("/rtc", relay.handle, name="relay_rtc")
    app.router.add_get("/rtc/{tail:.+}", relay.handle, name="relay_rtc_path")
    return app


class ApiServer:
    """An aiohttp app served on a TCP port from the running loop (port 0: any free port),
    over TLS when given a server context."""

    def __init__(self, app: web.Application, tls: ssl.SSLContext | None = None) -> None:
        self._runner = web.AppRunner(app, access_log=None, handle_signals=False)
        self._tls = tls
        self.port = 0

    async def start(self, host: str, port: int) -> int:
        """Listens; returns the port bound. OSError (port taken, address not ours) leaves
        nothing running."""
        await self._runner.setup()
        site = web.TCPSite(self._runner, host, port, reuse_address=True, ssl_context=self._tls)
        try:
            await site.start()
        except BaseException:
            await self._runner.cleanup()
            raise
        server = site._server
        sockets: list[socket.socket] = list(getattr(server, "sockets", []) or [])
        self.port = sockets[0].getsockname()[1] if sockets else port
        return self.port

    async def aclose(self) -> None:
        await self._runner.cleanup()
