"""The documented endpoints: parse and check the request, call the service, shape the JSON."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from aiohttp import web

from hostdesk.api.auth import Auth
from hostdesk.api.body import json_object, path_name, required_names
from hostdesk.api.openapi import document
from hostdesk.reach import viewer_livekit_url
from hostdesk.service import ShowService, StageChange
from hostdesk.show import stage
from hostdesk.show.errors import InvalidInput
from hostdesk.show.participants import Participant, RoomSummary
from hostdesk.show.roles import Role


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

JOIN_HOST_NEEDS_KEY = "Joining as host needs the API key"
OWN_HAND_ONLY = "You can only raise or lower your own hand"

routes = web.RouteTableDef()


def _service(request: web.Request) -> ShowService:
    return request.app[SERVICE]


def _auth(request: web.Request) -> Auth:
    return request.app[AUTH]


@routes.post("/api/rooms/join", name="join")
async def join(request: web.Request) -> web.Response:
    body = await json_object(request)
    room, name = required_names(body, "roomName", "participantName")
    role = body.get("role")
    if role == Role.HOST.value:
        _auth(request).require_api_key(request, JOIN_HOST_NEEDS_KEY)
    joined = await _service(request).join(room, name, role if isinstance(role, str) else "")
    return web.json_response(
        {
            "token": joined.token,
            "wsUrl": request.app[SIGNALLING].ws_url(request),
            "roomName": joined.room,
            "role": joined.role.value,
            "identity": joined.identity,
        }
    )


def _room_json(room: RoomSummary) -> dict[str, object]:
    return {
        "name": room.name,
        "sid": room.sid,
        "numParticipants": room.num_participants,
        "creationTime": str(room.creation_time),
    }


@routes.get("/api/rooms", name="rooms")
async def list_rooms(request: web.Request) -> web.Response:
    _auth(request).require_api_key(request, "Listing all rooms needs the API key")
    rooms = await _service(request).list_rooms()
    return web.json_response({"rooms": [_room_json(r) for r in rooms]})


@routes.get("/api/rooms/{roomName}", name="room")
async def room_info(request: web.Request) -> web.Response:
    state = await _service(request).room(path_name(request, "roomName"))
    summary = state.summary
    return web.json_response(
        {
            "room": {
                "name": summary.name,
                "sid": summary.sid,
                "numParticipants": summary.num_participants,
                "hasHost": state.has_host,
                "hasGuest": state.has_guest,
            }
        }
    )


@routes.delete("/api/rooms/{roomName}", name="end_room")
async def delete_room(request: web.Request) -> web.Response:
    room = path_name(request, "roomName")
    _auth(request).require_host(request, room)
    await _service(request).end_show(room)
    return web.json_response({"success": True})


def _participant_json(p: Participant) -> dict[str, object]:
    return {
        "sid": p.sid,
        "identity": p.identity,
        "name": p.name,
        "metadata": p.metadata,
        "joinedAt": str(p.joined_at),
    }


@routes.get("/api/rooms/{roomName}/participants", name="participants")
async def list_participants(request: web.Request) -> web.Response:
    room = path_name(request, "roomName")
    _auth(request).require_host(request, room)
    participants = await _service(request).participants(room)
    return web.json_response({"participants": [_participant_json(p) for p in participants]})


@routes.delete("/api/rooms/{roomName}/participants/{identity}", name="remove_participant")
async def remove_participant(request: web.Request) -> web.Response:
    room = path_name(request, "roomName")
    identity = path_name(request, "identity")
    _auth(request).require_host(request, room)
    await _service(request).remove_participant(room, identity)
    return web.json_response({"success": True})


@routes.post("/api/rooms/{roomName}/invite", name="invite")
async def invite(request: web.Request) -> web.Response:
    room = path_name(request, "roomName")
    viewer, host = required_names(await json_object(request), "viewerIdentity", "hostIdentity")
    _auth(request).require_host(request, room, host, stage.ONLY_HOST_PROMOTES)
    return _stage_change_json(request, await _service(request).promote(room, viewer, host))


@routes.post("/api/rooms/{roomName}/demote", name="demote")
async def demote(request: web.Request) -> web.Response:
    room = path_name(request, "roomName")
    guest, host = required_names(await json_object(request), "guestIdentity", "hostIdentity")
    _auth(request).require_host(request, room, host, stage.ONLY_HOST_DEMOTES)
    return _stage_change_json(request, await _service(request).demote(room, guest, host))


def _stage_change_json(request: web.Request, change: StageChange) -> web.Response:
    ws_url = request.app[SIGNALLING].ws_url(request)
    return web.json_response(
        {"success": True, "token": change.token, "wsUrl": ws_url, "message": change.message}
    )


@routes.post("/api/rooms/{roomName}/remove-guest", name="remove_guest")
async def remove_guest(request: web.Request) -> web.Response:
    room = path_name(request, "roomName")
    guest, host = required_names(await json_object(request), "guestIdentity", "hostIdentity")
    _auth(request).require_host(request, room, host, stage.ONLY_HOST_REMOVES)
    message = await _service(request).remove_guest(room, guest, host)
    return web.json_response({"success": True, "message": message})


@routes.post("/api/rooms/{roomName}/hand-raise", name="hand_raise")
async def hand_raise(request: web.Request) -> web.Response:
    room = path_name(request, "roomName")
    body = await json_object(request)
    if body.get("participantIdentity") in (None, "") or "raised" not in body:
        raise InvalidInput("participantIdentity and raised are required")
    (identity,) = required_names(body, "participantIdentity")
    raised = body["raised"]
    if not isinstance(raised, bool):
        raise InvalidInput("raised must be a boolean")
    _auth(request).require_self_or_host(request, room, identity, OWN_HAND_ONLY)
    state = await _service(request).set_hand(room, identity, raised)
    return web.json_response({"success": True, "handRaised": state})


@routes.get("/health", name="health")
async def health(request: web.Request) -> web.Response:
    reachable = await _service(request).livekit_reachable()
    stamp = datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
    return web.json_response({"status": "ok", "timestamp": stamp, "livekitReachable": reachable})


@routes.get("/api/openapi.json", name="openapi")
async def openapi(request: web.Request) -> web.Response:
    return web.json_response(document())
