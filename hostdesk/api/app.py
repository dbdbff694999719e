"""The API application factory and the server that runs it inside someone else's loop."""

from __future__ import annotations

import logging
import socket

from aiohttp import web
from aiohttp.typedefs import Handler

from hostdesk.api.auth import Auth
from hostdesk.api.body import MAX_BODY
from hostdesk.api.errors import error_middleware
from hostdesk.api.ratelimit import RateLimiter
from hostdesk.api.routes import AUTH, SERVICE, routes
from hostdesk.api.viewer import routes as viewer_routes
from hostdesk.service import ShowService

log = logging.getLogger("hostdesk.api")

LIMITER = web.AppKey("limiter", RateLimiter)
_LIMITED_GROUPS = {"join", "invite", "hand_raise"}


@web.middleware
async def rate_limit_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    if request.path.startswith("/api/") or request.path == "/health":
        name = request.match_info.route.name or "other"
        request.app[LIMITER].hit(name if name in _LIMITED_GROUPS else "other", request.remote or "")
    return await handler(request)


def create_app(service: ShowService, auth: Auth, *, rate_limits: bool = True) -> web.Application:
    middlewares = [error_middleware]
    if rate_limits:
        middlewares.append(rate_limit_middleware)
    app = web.Application(middlewares=middlewares, client_max_size=MAX_BODY)
    app[SERVICE] = service
    app[AUTH] = auth
    if rate_limits:
        app[LIMITER] = RateLimiter()
    app.add_routes(routes)
    app.add_routes(viewer_routes)
    return app


class ApiServer:
    """An aiohttp app served on a TCP port from the running loop (port 0: any free port)."""

    def __init__(self, app: web.Application) -> None:
        self._runner = web.AppRunner(app, access_log=None, handle_signals=False)
        self.url = ""

    async def start(self, host: str, port: int) -> str:
        await self._runner.setup()
        site = web.TCPSite(self._runner, host, port, reuse_address=True)
        await site.start()
        server = site._server
        sockets: list[socket.socket] = list(getattr(server, "sockets", []) or [])
        bound = sockets[0].getsockname()[1] if sockets else port
        shown = f"[{host}]" if ":" in host else host
        self.url = f"http://{shown}:{bound}"
        return self.url

    async def aclose(self) -> None:
        await self._runner.cleanup()
