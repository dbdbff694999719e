"""The viewer web page: `/` and `/watch/<room>`, its modules and style, and livekit-client.

Everything comes from this server (no CDN): the page from resources/viewer, livekit-client from
npm's node_modules (or the frozen app's bundle), all made once by `hostdesk.api.assets`. The page
is revalidated on every visit (`no-cache`, ETag, 304); the files it names carry their content
hash and are cached for good. Each answer is the best coding the browser takes (brotli, gzip,
else as is). A strict Content-Security-Policy keeps the page from loading or running anything
else. The page carries the show's limits for this app's stage size (`rules.for_clients`), so it
checks names and chat as the server will, without a request of its own.
"""

from __future__ import annotations

import asyncio
import logging
import re

from aiohttp import web

from hostdesk.api.assets import (
    CODINGS,
    IDENTITY,
    Asset,
    StaticBuild,
    StaticSet,
    page_with_rules,
    viewer_build,
)
from hostdesk.api.context import SERVICE
from hostdesk.show import rules
from hostdesk.show.errors import NotFound, Unavailable

log = logging.getLogger("hostdesk.api")

#: Media and signalling go to the LiveKit server, which may be on another host and port.
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; "
    "media-src 'self' blob: mediastream:; connect-src 'self' ws: wss: http: https:; "
    "object-src 'none'; base-uri 'none'; frame-ancestors 'none'"
)
_SECURITY = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}
#: The page may change with any release, so the browser asks each time (a 304 is ~300 bytes).
PAGE_CACHE = "no-cache"
#: A hashed name's content never changes: a new file gets a new name.
FILE_CACHE = "public, max-age=31536000, immutable"
LIVEKIT_CLIENT = "livekit-client.js"

#: The static set the app serves; only tests set it, to serve files of their own.
STATIC = web.AppKey("viewer_static", StaticBuild)
_VIEWER = viewer_build()
_ENTITY_TAG = re.compile(r'(?:W/)?("[^"]*")|(\*)')
#: Pages for stage sizes other than the default, by (template digest, stage size): made once.
_PAGES: dict[tuple[str, int], Asset] = {}

routes = web.RouteTableDef()


async def start_building(app: web.Application) -> None:
    """An app's on_startup: the first viewer need not wait for the compression."""
    app.get(STATIC, _VIEWER).start()


async def _static(request: web.Request) -> StaticSet:
    try:
        return await request.app.get(STATIC, _VIEWER).result()
    except FileNotFoundError as exc:
        log.warning("a viewer page file is missing: %s", exc.filename)
        raise NotFound("Not found") from None


def _stage_size(app: web.Application) -> int:
    """The stage size of the show this app serves (its ShowService), else the default."""
    service = app.get(SERVICE)
    return service.stage_size if service is not None else rules.DEFAULT_STAGE_SIZE


async def _page(request: web.Request) -> Asset:
    """The page with the limits of this app's show."""
    static = await _static(request)
    stage_size = _stage_size(request.app)
    if stage_size == rules.DEFAULT_STAGE_SIZE:
        return static.page
    key = (static.page.digest, stage_size)
    if key not in _PAGES:
        limits = rules.for_clients(stage_size)
        _PAGES[key] = await asyncio.to_thread(page_with_rules, static, limits)
    return _PAGES[key]


def _coding(accept_encoding: str) -> str:
    """The preferred coding (CODINGS order) the browser accepts, else identity."""
    weights: dict[str, float] = {}
    for part in accept_encoding.split(","):
        token, _, params = part.partition(";")
        weight = 1.0
        for param in params.split(";"):
            key, _, value = param.partition("=")
            if key.strip().lower() == "q":
                try:
                    weight = float(value)
                except ValueError:
                    weight = 0.0
        if token.strip():
            weights[token.strip().lower()] = weight
    anything = weights.get("*", 0.0)
    for coding in CODINGS:
        if weights.get(coding, anything) > 0:
            return coding
    return IDENTITY


def _not_modified(if_none_match: str | None, etag: str) -> bool:
    """RFC 9110's If-None-Match: weak comparison, or `*`."""
    if not if_none_match:
        return False
    return any(star or tag == etag for tag, star in _ENTITY_TAG.findall(if_none_match))


def _respond(request: web.Request, asset: Asset, cache: str) -> web.Response:
    coding = _coding(request.headers.get("Accept-Encoding", ""))
    etag = asset.etag(coding)
    headers = {**_SECURITY, "Cache-Control": cache, "ETag": etag, "Vary": "Accept-Encoding"}
    if _not_modified(request.headers.get("If-None-Match"), etag):
        return web.Response(status=304, headers=headers)
    if coding != IDENTITY:
        headers["Content-Encoding"] = coding
    return web.Response(
        body=asset.bodies[coding], content_type=asset.content_type, charset="utf-8", headers=headers
    )


@routes.get("/", name="viewer_page")
async def page(request: web.Request) -> web.Response:
    return _respond(request, await _page(request), PAGE_CACHE)


@routes.get("/watch/{roomName}", name="viewer_watch")
async def watch(request: web.Request) -> web.Response:
    return _respond(request, await _page(request), PAGE_CACHE)


@routes.get("/static/{name}", name="viewer_asset")
async def asset(request: web.Request) -> web.Response:
    found = (await _static(request)).files.get(request.path)
    if found is None:
        raise NotFound("Not found")
    return _respond(request, found, FILE_CACHE)


@routes.get("/vendor/{name}", name="livekit_client")
async def livekit_client(request: web.Request) -> web.Response:
    static = await _static(request)
    if LIVEKIT_CLIENT in static.missing:
        raise Unavailable("livekit-client is not installed: run `npm ci` in the HostDesk folder")
    found = static.files.get(request.path)
    if found is None:
        raise NotFound("Not found")
    return _respond(request, found, FILE_CACHE)
