"""The viewer web page: `/` and `/watch/<room>`, its script and style, and livekit-client.

Everything comes from this server (no CDN): the page from resources/viewer, livekit-client from
npm's node_modules (or the frozen app's bundle). A strict Content-Security-Policy keeps the page
from loading or running anything else.
"""

from __future__ import annotations

from pathlib import Path

from aiohttp import web

from hostdesk.resources import livekit_client_path, resource_path
from hostdesk.show.errors import NotFound, Unavailable

#: Media and signalling go to the LiveKit server, which may be on another host and port.
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; "
    "media-src 'self' blob: mediastream:; connect-src 'self' ws: wss: http: https:; "
    "object-src 'none'; base-uri 'none'; frame-ancestors 'none'"
)
_ASSETS = {"viewer.js": "text/javascript", "viewer.css": "text/css"}
_SECURITY = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}

routes = web.RouteTableDef()


def _file(path: Path, content_type: str, cache: str) -> web.Response:
    try:
        body = path.read_bytes()
    except FileNotFoundError:
        raise NotFound("Not found") from None
    headers = {**_SECURITY, "Cache-Control": cache}
    return web.Response(body=body, content_type=content_type, charset="utf-8", headers=headers)


@routes.get("/", name="viewer_page")
async def page(request: web.Request) -> web.Response:
    return _file(resource_path("viewer/index.html"), "text/html", "no-cache")


@routes.get("/watch/{roomName}", name="viewer_watch")
async def watch(request: web.Request) -> web.Response:
    return _file(resource_path("viewer/index.html"), "text/html", "no-cache")


@routes.get("/static/{name}", name="viewer_asset")
async def asset(request: web.Request) -> web.Response:
    name = request.match_info["name"]
    if name not in _ASSETS:
        raise NotFound("Not found")
    return _file(resource_path(f"viewer/{name}"), _ASSETS[name], "no-cache")


@routes.get("/vendor/livekit-client.js", name="livekit_client")
async def livekit_client(request: web.Request) -> web.Response:
    path = livekit_client_path()
    if not path.exists():
        raise Unavailable("livekit-client is not installed: run `npm ci` in the HostDesk folder")
    return _file(path, "text/javascript", "public, max-age=3600")
