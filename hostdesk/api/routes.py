"""The documented endpoints: each is registered with its models and what the document says of it
(`hostdesk.api.endpoints`); a handler gets its body decoded and checked, calls the service and
returns its reply model."""

from __future__ import annotations

from datetime import UTC, datetime
from functools import cache

from aiohttp import web

# The route modules register their endpoints on API as they are imported: all are, here.
from hostdesk.api import (  # noqa: F401
    backstage_routes,
    block_routes,
    chat_routes,
    models,
    stage_models,
    stage_routes,
)
from hostdesk.api.auth import HOST_ONLY, INVALID_TOKEN, WRONG_ROOM
from hostdesk.api.context import (
    API,
    HOST_ONLY_CALL,
    SIGNALLING,
    auth_of,
    room_of,
    service_of,
    utc_text,
)
from hostdesk.api.endpoints import (
    KEY_ONLY,
    KEY_OR_TOKEN,
    OPEN,
    OPEN_OR_KEY,
    TOKEN_ONLY,
    Doc,
    Operation,
)
from hostdesk.api.openapi import build_document
from hostdesk.moderation import ROOM_NOT_FOUND
from hostdesk.show import stage
from hostdesk.show.backstage import ROOM_NAME_RESERVED, backstage_of
from hostdesk.show.blocks import BLOCKED_JOIN
from hostdesk.show.participants import Participant, RoomSummary
from hostdesk.show.roles import Role

JOIN_HOST_NEEDS_KEY = "Joining as host needs the API key"
LIST_ROOMS_NEEDS_KEY = "Listing all rooms needs the API key"
CLIENT_ID_NOT_TEXT = "clientId must be a string"


@API.with_body(
    "POST",
    "/api/rooms/join",
    "join",
    Doc(
        "joinRoom",
        "Join a room and receive a LiveKit access token",
        "Open for `viewer`. Joining as `host` needs the API key (`X-API-Key`) in production "
        "mode, and only one host per room is allowed (also while a host token is issued but not "
        "yet connected). The room is created when the host joins.",
        "rooms",
        OPEN_OR_KEY,
        {
            400: (stage.ROLE_NOT_JOINABLE, CLIENT_ID_NOT_TEXT, ROOM_NAME_RESERVED),
            403: (JOIN_HOST_NEEDS_KEY, BLOCKED_JOIN),
            409: (stage.ROOM_HAS_HOST,),
        },
    ),
    models.JoinRequest,
    models.JoinReply,
)
async def join(request: web.Request, body: models.JoinRequest) -> models.JoinReply:
    if body.role == Role.HOST.value:
        auth_of(request).require_api_key(request, JOIN_HOST_NEEDS_KEY)
    client_id = body.client_id or None
    joined = await service_of(request).join(
        body.room_name, body.participant_name, body.role, client_id=client_id
    )
    return models.JoinReply(
        joined.token,
        request.app[SIGNALLING].ws_url(request),
        joined.room,
        joined.role.value,
        joined.identity,
    )


@API.plain(
    "POST",
    "/api/rooms/{roomName}/token",
    "renew_token",
    Doc(
        "renewToken",
        "Get a fresh LiveKit token for yourself",
        "Needs the participant's own LiveKit token for this room, still valid "
        "(`Authorization: Bearer`), in every mode. Tokens HostDesk mints expire within minutes "
        "(their `exp`), so a page asks for a fresh one before its own expires. The fresh token "
        "has the same identity and name, with the role LiveKit gives the participant now "
        "(`viewer` when they are not in the room at the moment; `host` only for a host "
        "token). A blocked participant gets none (403).",
        "rooms",
        TOKEN_ONLY,
        {403: (INVALID_TOKEN, WRONG_ROOM, BLOCKED_JOIN)},
    ),
    models.TokenReply,
)
async def renew_token(request: web.Request) -> models.TokenReply:
    room = room_of(request)
    caller = auth_of(request).participant(request, room)
    renewed = await service_of(request).renew(
        room, caller.identity, caller.name, host_token=caller.room_admin
    )
    return models.TokenReply(
        renewed.token,
        request.app[SIGNALLING].ws_url(request),
        renewed.room,
        renewed.role.value,
        renewed.identity,
    )


def _room_summary(room: RoomSummary) -> models.RoomSummary:
    return models.RoomSummary(room.name, room.sid, room.num_participants, str(room.creation_time))


@API.plain(
    "GET",
    "/api/rooms",
    "rooms",
    Doc(
        "listRooms",
        "List all active rooms",
        "API key only in production mode (a host token is for one room).",
        "rooms",
        KEY_ONLY,
        {403: (LIST_ROOMS_NEEDS_KEY,)},
    ),
    models.RoomList,
)
async def list_rooms(request: web.Request) -> models.RoomList:
    auth_of(request).require_api_key(request, LIST_ROOMS_NEEDS_KEY)
    rooms = await service_of(request).list_rooms()
    return models.RoomList([_room_summary(r) for r in rooms])


@API.plain(
    "GET",
    "/api/rooms/{roomName}",
    "room",
    Doc(
        "getRoom",
        "Get details of a room",
        "Open. Besides the documented fields: the chat's slow mode, who is on stage (`guests`, "
        "each with when they went on stage) and the show's stage time limit.",
        "rooms",
        OPEN,
        {404: (ROOM_NOT_FOUND,)},
    ),
    models.RoomInfo,
)
async def room_info(request: web.Request) -> models.RoomInfo:
    state = await service_of(request).room(room_of(request))
    summary = state.summary
    return models.RoomInfo(
        models.RoomDetails(
            summary.name,
            summary.sid,
            summary.num_participants,
            state.has_host,
            state.has_guest,
            state.chat.slow_mode_s,
            [_guest(guest) for guest in state.guests],
            state.stage.time_limit_s,
            [
                models.BackstageEntry(p.identity, p.display_name)
                for p in backstage_of(state.participants)
            ],
        )
    )


def _guest(guest: Participant) -> models.GuestEntry:
    since = guest.on_stage_since
    return models.GuestEntry(
        guest.identity, guest.display_name, utc_text(since) if since is not None else None
    )


@API.plain(
    "DELETE",
    "/api/rooms/{roomName}",
    "end_room",
    Doc(
        "deleteRoom",
        "End a room and disconnect all participants",
        HOST_ONLY_CALL,
        "rooms",
        KEY_OR_TOKEN,
        {403: (HOST_ONLY,), 404: (ROOM_NOT_FOUND,)},
    ),
    models.Success,
)
async def delete_room(request: web.Request) -> models.Success:
    room = room_of(request)
    auth_of(request).require_host(request, room)
    await service_of(request).end_show(room)
    return models.Success(True)


def _participant(p: Participant) -> models.ParticipantEntry:
    return models.ParticipantEntry(p.sid, p.identity, p.name, p.metadata, str(p.joined_at))


@API.plain(
    "GET",
    "/api/rooms/{roomName}/participants",
    "participants",
    Doc(
        "listParticipants",
        "List the participants of a room",
        HOST_ONLY_CALL,
        "rooms",
        KEY_OR_TOKEN,
        {403: (HOST_ONLY,), 404: (ROOM_NOT_FOUND,)},
    ),
    models.ParticipantList,
)
async def list_participants(request: web.Request) -> models.ParticipantList:
    room = room_of(request)
    auth_of(request).require_host(request, room)
    participants = await service_of(request).participants(room)
    return models.ParticipantList([_participant(p) for p in participants])


@API.plain(
    "DELETE",
    "/api/rooms/{roomName}/participants/{identity}",
    "remove_participant",
    Doc(
        "removeParticipant",
        "Remove a participant from a room",
        HOST_ONLY_CALL,
        "rooms",
        KEY_OR_TOKEN,
        {403: (HOST_ONLY,), 404: (stage.PARTICIPANT_NOT_FOUND, ROOM_NOT_FOUND)},
    ),
    models.Success,
)
async def remove_participant(request: web.Request) -> models.Success:
    room = room_of(request)
    auth_of(request).require_host(request, room)
    await service_of(request).remove_participant(room, request.match_info["identity"])
    return models.Success(True)


@API.plain(
    "GET",
    "/health",
    "health",
    Doc(
        "getHealth",
        "Health check",
        "Open. Answers 200 while the API runs, also when LiveKit is down (then "
        "`livekitReachable` is false).",
        "system",
        livekit=False,
    ),
    models.Health,
)
async def health(request: web.Request) -> models.Health:
    reachable = await service_of(request).livekit_reachable()
    stamp = datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
    return models.Health("ok", stamp, reachable)


@API.plain(
    "GET",
    "/api/openapi.json",
    "openapi",
    Doc("getOpenApiDocument", "This OpenAPI document", "Open.", "system", livekit=False),
    models.OpenApiDocument,
)
async def openapi(_request: web.Request) -> models.OpenApiDocument:
    return document()


@cache
def document() -> models.OpenApiDocument:
    """The OpenAPI document of these routes, built once (a model: treat it as read-only)."""
    return build_document(API.operations)


def route_table() -> web.RouteTableDef:
    """Every endpoint of the API (this module has imported every route module)."""
    return API.routes


def operations() -> list[Operation]:
    """Every operation of the API, as the document lists them."""
    return API.operations
