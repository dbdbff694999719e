"""What every route module shares: the route table, the app's keys and the few helpers.

`hostdesk.api.routes` and the route modules it imports (blocks, chat, the stage clock) register
their endpoints on `API`; the OpenAPI document is built from its operations once all are
imported.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from aiohttp import web

from hostdesk.api import stage_models
from hostdesk.api.auth import Auth
from hostdesk.api.endpoints import Endpoints
from hostdesk.reach import viewer_livekit_url
from hostdesk.service import ShowService
from hostdesk.stage_service import StageChange


@dataclass(frozen=True)
class Signalling:
    """How a caller reaches LiveKit. `livekit_url` is the server as HostDesk reaches it (the
    relay's one upstream); `viewer_url` as others may reach it directly ("" = the same);
    `public_url` and `tls` make the origin a page was served from."""

    livekit_url: str
    viewer_url: str = ""
    public_url: str = ""
    tls: bool = False

    def page_origin(self, request: web.Request) -> str:
        # The Host the caller used is the address that works from where they are.
        return self.public_url or f"{'https' if self.tls else 'http'}://{request.host}"

    def ws_url(self, request: web.Request) -> str:
        """The `wsUrl` that works from the computer that asked (hostdesk.reach)."""
        return viewer_livekit_url(self.viewer_url or self.livekit_url, self.page_origin(request))


SERVICE = web.AppKey("service", ShowService)
AUTH = web.AppKey("auth", Auth)
SIGNALLING = web.AppKey("signalling", Signalling)

HOST_ONLY_CALL = "Host only: the API key, or the host's token for this room."
HOST_IN_BODY = (
    HOST_ONLY_CALL + " With a host token, `hostIdentity` must be that token's identity; in every "
    "mode `hostIdentity` must be the room's host."
)

API = Endpoints()
routes = API.routes


def service_of(request: web.Request) -> ShowService:
    return request.app[SERVICE]


def auth_of(request: web.Request) -> Auth:
    return request.app[AUTH]


def room_of(request: web.Request) -> str:
    """The room name of the path (checked before the handler runs)."""
    return request.match_info["roomName"]


def utc_text(ms: int) -> str:
    """Milliseconds since the epoch as the API gives a moment: `2024-01-01T12:00:00.000Z`."""
    stamp = datetime.fromtimestamp(ms / 1000, UTC)
    return stamp.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def stage_change_reply(request: web.Request, change: StageChange) -> stage_models.StageChange:
    """A promotion's or demotion's reply, with the `wsUrl` that works from where the caller is."""
    ws_url = request.app[SIGNALLING].ws_url(request)
    return stage_models.StageChange(True, change.token, ws_url, change.message)
