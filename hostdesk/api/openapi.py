"""The OpenAPI 3.1 document of the API: every route of `routes.py`, who may call it, its answers.

Built once at import from small helpers; `document()` hands out a copy. Success bodies are closed
(`additionalProperties: false`, every field required) so that a test validating real replies
against this document notices when the code and the document drift apart.
"""

from __future__ import annotations

import copy
from typing import Any

from hostdesk import __version__
from hostdesk.api.body import MAX_BODY
from hostdesk.show.rules import NAME_MAX_LENGTH as MAX_NAME_LENGTH

Schema = dict[str, Any]

JSON = "application/json"

# -- security -------------------------------------------------------------------------------------

API_KEY = "apiKey"
BEARER = "livekitToken"

Security = list[dict[str, list[str]]]

OPEN: Security = []
KEY_ONLY: Security = [{API_KEY: []}]
KEY_OR_TOKEN: Security = [{API_KEY: []}, {BEARER: []}]
#: Anonymous, or the API key (joining as host needs it).
OPEN_OR_KEY: Security = [{}, {API_KEY: []}]

SECURITY_SCHEMES: Schema = {
    API_KEY: {
        "type": "apiKey",
        "in": "header",
        "name": "X-API-Key",
        "description": "The host API key, for the host's own tools and server-to-server calls. "
        "It may do everything a host token may, in every room.",
    },
    BEARER: {
        "type": "http",
        "scheme": "bearer",
        "bearerFormat": "JWT",
        "description": "A LiveKit access token issued by this API (join, invite or demote), "
        "verified with the LiveKit API secret. It stands for its identity in its room only: "
        "the host's token (roomAdmin grant) for host-only calls, any participant's token for "
        "their own hand.",
    },
}

# -- schemas --------------------------------------------------------------------------------------


def ref(name: str) -> Schema:
    return {"$ref": f"#/components/schemas/{name}"}


def text(description: str, **extra: Any) -> Schema:
    return {"type": "string", "description": description, **extra}


def name_field(description: str) -> Schema:
    """A room name, display name or identity, as `check_name` accepts them."""
    return text(
        description + " (1-128 characters, not only spaces, no control characters).",
        minLength=1,
        maxLength=MAX_NAME_LENGTH,
    )


def flag(description: str) -> Schema:
    return {"type": "boolean", "description": description}


def closed(description: str, **properties: Schema) -> Schema:
    """A reply object: exactly these fields, all of them present."""
    return {
        "type": "object",
        "description": description,
        "properties": properties,
        "required": list(properties),
        "additionalProperties": False,
    }


def request(description: str, **properties: Schema) -> Schema:
    """A request body: these fields are required; others are ignored."""
    return {
        "type": "object",
        "description": description,
        "properties": properties,
        "required": list(properties),
    }


SUCCESS: Schema = {"const": True, "description": "Always true."}
DIGITS: Schema = {"pattern": "^[0-9]+$"}

SCHEMAS: Schema = {
    "Error": closed(
        "Every error, whatever its status.", error=text("What went wrong, for a person to read.")
    ),
    "JoinRequest": request(
        "Who joins which room, and as what.",
        roomName=name_field("Unique room identifier"),
        participantName=name_field("Display name for the participant"),
        role={
            "type": "string",
            "enum": ["host", "viewer"],
            "description": "`host` (needs the API key in production mode) or `viewer`; a guest "
            "is made only by an invitation.",
        },
    ),
    "JoinResponse": closed(
        "A LiveKit access token for the room.",
        token=text("LiveKit access token (JWT) for the room with the role's grants."),
        wsUrl=text("LiveKit server URL to connect to with the token."),
        roomName=text("The room joined."),
        role={"type": "string", "enum": ["host", "viewer"], "description": "The role granted."},
        identity=text(
            "The participant identity the server gave (unique: role, name and a suffix); "
            "used in later calls such as hand-raise and invite."
        ),
    ),
    "RoomSummary": closed(
        "An active room.",
        name=text("Room name."),
        sid=text("LiveKit room id (RM_...)."),
        numParticipants={"type": "integer", "minimum": 0},
        creationTime=text("When the room was created, Unix seconds as text.", **DIGITS),
    ),
    "RoomList": closed("All active rooms.", rooms={"type": "array", "items": ref("RoomSummary")}),
    "RoomDetails": closed(
        "A room and its stage.",
        name=text("Room name."),
        sid=text("LiveKit room id (RM_...)."),
        numParticipants={"type": "integer", "minimum": 0},
        hasHost=flag("Whether a host is in the room."),
        hasGuest=flag("Whether a guest is on stage."),
    ),
    "RoomInfo": closed("Details of one room.", room=ref("RoomDetails")),
    "Participant": closed(
        "A participant as LiveKit knows them.",
        sid=text("LiveKit participant id (PA_...)."),
        identity=text("Participant identity."),
        name=text("Display name."),
        metadata=text(
            'JSON text written by the server: `{"role": ..., "displayName": ...}` (empty for a '
            "participant HostDesk did not admit)."
        ),
        joinedAt=text("When the participant joined, Unix seconds as text.", **DIGITS),
    ),
    "ParticipantList": closed(
        "Everyone in the room.", participants={"type": "array", "items": ref("Participant")}
    ),
    "Success": closed("The action was done.", success=SUCCESS),
    "InviteRequest": request(
        "Whom the host puts on stage.",
        viewerIdentity=name_field("Identity of the viewer to invite"),
        hostIdentity=name_field("Identity of the host making the invitation"),
    ),
    "GuestRequest": request(
        "Which guest the host takes off stage.",
        guestIdentity=name_field("Identity of the guest"),
        hostIdentity=name_field("Identity of the host doing it"),
    ),
    "StageChange": closed(
        "The participant's permissions were changed live; a token with the new grants is "
        "returned for clients that prefer to reconnect.",
        success=SUCCESS,
        token=text("LiveKit access token with the participant's new role."),
        wsUrl=text("LiveKit server URL."),
        message=text("What happened, e.g. `viewer-123 has been promoted to guest`."),
    ),
    "GuestRemoved": closed(
        "The guest was disconnected from the room.",
        success=SUCCESS,
        message=text("What happened, e.g. `guest-123 has been removed from the room`."),
    ),
    "HandRaiseRequest": request(
        "Raise or lower a hand.",
        participantIdentity=name_field("Identity of the participant"),
        raised=flag("true to raise the hand, false to lower it."),
    ),
    "HandRaiseResponse": closed(
        "The hand's state now.",
        success=SUCCESS,
        handRaised=flag("Whether the hand is raised now."),
    ),
    "Health": closed(
        "The API is up; whether it can reach LiveKit.",
        status={"type": "string", "const": "ok"},
        timestamp=text("Server time, UTC, with milliseconds.", format="date-time"),
        livekitReachable=flag("Whether the LiveKit server answers."),
    ),
    "OpenApiDocument": {
        "type": "object",
        "description": "This OpenAPI 3.1 document.",
        "required": ["openapi", "info", "paths"],
    },
}

# -- parameters -----------------------------------------------------------------------------------


def path_parameter(key: str, description: str) -> Schema:
    return {
        "name": key,
        "in": "path",
        "required": True,
        "description": description,
        "schema": {"type": "string", "minLength": 1, "maxLength": MAX_NAME_LENGTH},
    }


PARAMETERS: Schema = {
    "RoomName": path_parameter("roomName", "Room name."),
    "Identity": path_parameter("identity", "Participant identity."),
}
ROOM = {"$ref": "#/components/parameters/RoomName"}
#: What a room path alone can get wrong.
ROOM_PATH_NOTES = {
    400: "A room name that is too long or has control characters.",
    404: "`Room not found`.",
}
IDENTITY = {"$ref": "#/components/parameters/Identity"}

# -- responses ------------------------------------------------------------------------------------


def body(schema: Schema) -> Schema:
    return {JSON: {"schema": schema}}


def ok(schema: str, description: str) -> Schema:
    return {"description": description, "content": body(ref(schema))}


def error(description: str, headers: Schema | None = None) -> Schema:
    response: Schema = {"description": description, "content": body(ref("Error"))}
    if headers:
        response["headers"] = headers
    return response


RETRY_AFTER: Schema = {
    "Retry-After": {
        "description": "Seconds until the client's window for this endpoint resets.",
        "required": True,
        "schema": {"type": "integer", "minimum": 1, "maximum": 60},
    }
}

#: What each error status means, for the responses an operation does not describe itself.
ERRORS: dict[int, str] = {
    400: "Malformed JSON, a missing or empty required field, or a field of the wrong type or "
    "length.",
    401: "No credentials: `Authentication required`.",
    403: "Wrong credentials (`Invalid API key`, `Invalid or expired token`, `Token is not for "
    "this room`) or a caller who may not do this (`Only the host can do this`).",
    404: "`Room not found` or `Participant not found`.",
    409: "`Room already has a host`.",
    413: f"`Request body too large` (over {MAX_BODY // 1024} KiB).",
    429: "`Too many requests` from this client address in this minute.",
    500: "`Internal server error`: an unexpected failure (logged; no details leave the server).",
    503: "`LiveKit server unavailable`.",
}

#: Every operation may answer these: the rate limiter and the error middleware see all calls.
ALWAYS = (429, 500)


def responses(success: Schema, *statuses: int, notes: dict[int, str] | None = None) -> Schema:
    """200, then the error statuses: `statuses` with their usual meaning (ERRORS), `notes` with
    what they mean for this operation; 429 and 500 always."""
    errors = {status: ERRORS[status] for status in (*statuses, *ALWAYS)} | (notes or {})
    answers: Schema = {"200": success}
    for status in sorted(errors):
        answers[str(status)] = error(errors[status], RETRY_AFTER if status == 429 else None)
    return answers


def operation(
    operation_id: str,
    summary: str,
    description: str,
    *,
    tag: str,
    security: Security,
    answers: Schema,
    request_body: str | None = None,
) -> Schema:
    op: Schema = {
        "operationId": operation_id,
        "summary": summary,
        "description": description,
        "tags": [tag],
        "security": security,
    }
    if request_body:
        op["requestBody"] = {"required": True, "content": body(ref(request_body))}
    op["responses"] = answers
    return op


# -- operations -----------------------------------------------------------------------------------

HOST_ONLY = (
    "Host only: the API key, or the host's token for this room (401 without credentials, 403 "
    "with others)."
)
HOST_IN_BODY = (
    HOST_ONLY + " With a host token, `hostIdentity` must be that token's identity; in every "
    "mode `hostIdentity` must be the room's host."
)
RATE = "Rate limit: {} requests per minute per client address."

PATHS: Schema = {
    "/api/rooms/join": {
        "post": operation(
            "joinRoom",
            "Join a room and receive a LiveKit access token",
            "Open for `viewer`. Joining as `host` needs the API key (`X-API-Key`) in production "
            "mode, and only one host per room is allowed (also while a host token is issued but "
            "not yet connected). The room is created when the host joins. " + RATE.format(10),
            tag="rooms",
            security=OPEN_OR_KEY,
            request_body="JoinRequest",
            answers=responses(
                ok("JoinResponse", "A token for the room."),
                413,
                503,
                notes={
                    400: "`roomName and participantName are required`, a field of the wrong "
                    'type or length, malformed JSON, or `role must be "host" or "viewer"`.',
                    401: "Joining as host without the API key: `Authentication required`.",
                    403: "Joining as host with a wrong API key: `Invalid API key`.",
                    409: "`Room already has a host`.",
                },
            ),
        )
    },
    "/api/rooms": {
        "get": operation(
            "listRooms",
            "List all active rooms",
            "API key only in production mode (a host token is for one room). " + RATE.format(100),
            tag="rooms",
            security=KEY_ONLY,
            answers=responses(
                ok("RoomList", "The active rooms."),
                503,
                notes={
                    401: "No API key: `Authentication required`.",
                    403: "A wrong API key (`Invalid API key`), a bad token, or any token "
                    "(`Only the host can do this`).",
                },
            ),
        )
    },
    "/api/rooms/{roomName}": {
        "parameters": [ROOM],
        "get": operation(
            "getRoom",
            "Get details of a room",
            "Open. " + RATE.format(100),
            tag="rooms",
            security=OPEN,
            answers=responses(
                ok("RoomInfo", "The room."),
                503,
                notes=ROOM_PATH_NOTES,
            ),
        ),
        "delete": operation(
            "deleteRoom",
            "End a room and disconnect all participants",
            HOST_ONLY + " " + RATE.format(100),
            tag="rooms",
            security=KEY_OR_TOKEN,
            answers=responses(
                ok("Success", "The room is gone."),
                401,
                403,
                503,
                notes=ROOM_PATH_NOTES,
            ),
        ),
    },
    "/api/rooms/{roomName}/participants": {
        "parameters": [ROOM],
        "get": operation(
            "listParticipants",
            "List the participants of a room",
            HOST_ONLY + " " + RATE.format(100),
            tag="rooms",
            security=KEY_OR_TOKEN,
            answers=responses(
                ok("ParticipantList", "Everyone in the room."),
                401,
                403,
                503,
                notes=ROOM_PATH_NOTES,
            ),
        ),
    },
    "/api/rooms/{roomName}/participants/{identity}": {
        "parameters": [ROOM, IDENTITY],
        "delete": operation(
            "removeParticipant",
            "Remove a participant from a room",
            HOST_ONLY + " " + RATE.format(100),
            tag="rooms",
            security=KEY_OR_TOKEN,
            answers=responses(
                ok("Success", "The participant was disconnected."),
                401,
                403,
                503,
                notes={
                    400: "A room name or identity that is too long or has control characters.",
                    404: "`Participant not found` or `Room not found`.",
                },
            ),
        ),
    },
    "/api/rooms/{roomName}/invite": {
        "parameters": [ROOM],
        "post": operation(
            "inviteGuest",
            "Promote a viewer to guest (co-broadcaster)",
            HOST_IN_BODY + " The viewer's permissions change live and everyone is told "
            "(`guest_promoted`). " + RATE.format(5),
            tag="stage",
            security=KEY_OR_TOKEN,
            request_body="InviteRequest",
            answers=responses(
                ok("StageChange", "The viewer is the guest now."),
                401,
                404,
                413,
                503,
                notes={
                    400: "`viewerIdentity and hostIdentity are required`, a field of the wrong "
                    "type or length, malformed JSON, or `<identity> is not a viewer`.",
                    403: "`Only the host can promote viewers to guest`, `Room already has a "
                    "guest`, or wrong credentials.",
                },
            ),
        ),
    },
    "/api/rooms/{roomName}/demote": {
        "parameters": [ROOM],
        "post": operation(
            "demoteGuest",
            "Demote the guest back to viewer",
            HOST_IN_BODY + " LiveKit unpublishes the guest's tracks; everyone is told "
            "(`guest_demoted`). " + RATE.format(100),
            tag="stage",
            security=KEY_OR_TOKEN,
            request_body="GuestRequest",
            answers=responses(
                ok("StageChange", "The guest is a viewer again."),
                401,
                404,
                413,
                503,
                notes={
                    400: "`guestIdentity and hostIdentity are required`, a field of the wrong type "
                    "or length, malformed JSON, or `<identity> is not the guest`.",
                    403: "`Only the host can demote guests` or wrong credentials.",
                },
            ),
        ),
    },
    "/api/rooms/{roomName}/remove-guest": {
        "parameters": [ROOM],
        "post": operation(
            "removeGuest",
            "Remove the guest from the room",
            HOST_IN_BODY
            + " The guest is disconnected; everyone is told (`guest_demoted`). "
            + RATE.format(100),
            tag="stage",
            security=KEY_OR_TOKEN,
            request_body="GuestRequest",
            answers=responses(
                ok("GuestRemoved", "The guest is gone."),
                401,
                404,
                413,
                503,
                notes={
                    400: "`guestIdentity and hostIdentity are required`, a field of the wrong type "
                    "or length, malformed JSON, or `<identity> is not the guest`.",
                    403: "`Only the host can remove guests` or wrong credentials.",
                },
            ),
        ),
    },
    "/api/rooms/{roomName}/hand-raise": {
        "parameters": [ROOM],
        "post": operation(
            "setHand",
            "Raise or lower a viewer's hand",
            "The participant's own token, the host's token for this room, or the API key "
            "(production mode). The hand is recorded in LiveKit with the server's time, which "
            "orders the queue; raising a raised hand keeps its place. " + RATE.format(10),
            tag="stage",
            security=KEY_OR_TOKEN,
            request_body="HandRaiseRequest",
            answers=responses(
                ok("HandRaiseResponse", "The hand's state."),
                401,
                404,
                413,
                503,
                notes={
                    400: "`participantIdentity and raised are required`, `raised must be a "
                    "boolean`, a field of the wrong type or length, or malformed JSON.",
                    403: "`You can only raise or lower your own hand`, `Only viewers can raise "
                    "their hand`, or wrong credentials.",
                },
            ),
        ),
    },
    "/health": {
        "get": operation(
            "getHealth",
            "Health check",
            "Open. Answers 200 while the API runs, also when LiveKit is down (then "
            "`livekitReachable` is false). " + RATE.format(100),
            tag="system",
            security=OPEN,
            answers=responses(ok("Health", "The API is up.")),
        )
    },
    "/api/openapi.json": {
        "get": operation(
            "getOpenApiDocument",
            "This OpenAPI document",
            "Open. " + RATE.format(100),
            tag="system",
            security=OPEN,
            answers=responses(ok("OpenApiDocument", "The OpenAPI 3.1 document of this API.")),
        )
    },
}

DESCRIPTION = """\
The HTTP API of HostDesk, the host's control room for live shows on LiveKit: viewers join a show
through it, raise their hand, and the host puts one of them on stage as the guest.

Production mode (the default) follows the *Trust* section of HostDesk's design: viewers prove who
they are with the LiveKit token the join call gave them (`Authorization: Bearer <token>`);
host-only calls need the host's token for that room or the host API key (`X-API-Key`). With
`--no-auth` every operation is open, as in the original MVP contract.

Every error is `{"error": "..."}`. Rate limits per client address per minute: join 10, invite 5,
hand-raise 10, every other endpoint 100; beyond them 429 with `Retry-After`.
"""

DOCUMENT: Schema = {
    "openapi": "3.1.0",
    "info": {
        "title": "HostDesk API",
        "version": __version__,
        "description": DESCRIPTION,
        "license": {"name": "MIT", "identifier": "MIT"},
    },
    "servers": [{"url": "/", "description": "The HostDesk instance serving this document."}],
    "tags": [
        {"name": "rooms", "description": "Joining, rooms and participants."},
        {"name": "stage", "description": "Hands, invitations and the guest."},
        {"name": "system", "description": "Health and this document."},
    ],
    "paths": PATHS,
    "components": {
        "schemas": SCHEMAS,
        "parameters": PARAMETERS,
        "securitySchemes": SECURITY_SCHEMES,
    },
}


def document() -> dict[str, Any]:
    """The OpenAPI document (a copy: callers may change it freely)."""
    return copy.deepcopy(DOCUMENT)
