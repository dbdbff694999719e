"""The bodies the API reads and writes, as typed models: the handlers decode requests into them
and answer with them, and the OpenAPI document is generated from them (`hostdesk.api.openapi`).

Every constraint the server enforces is declared here, from the show's rules
(`hostdesk.show.rules`), so that what the document promises is what the decoder checks.
Request models ignore unknown fields (the contract never refused them); reply models are
closed (`forbid_unknown_fields` gives `additionalProperties: false`), so a client, or
Schemathesis, notices any field the server adds without saying.

Here are the fields every subject shares and the bodies of joining, the rooms and the system;
the stage's (invitations, hands, the backstage, the stage's limit) are in
`hostdesk.api.stage_models`, the moderation's (the chat, blocks) in
`hostdesk.api.moderation_models`.
"""

from __future__ import annotations

from typing import Annotated, Any, ClassVar, Literal

import msgspec
from msgspec import Meta, Struct

from hostdesk.show.roles import JOINABLE_ROLES, Role
from hostdesk.show.rules import (
    NAME_MAX_LENGTH,
    NAME_PATTERN,
    SLOW_MODE_MAX_S,
    STAGE_TIME_LIMIT_MAX_S,
    STAGE_WARNING_S,
)

NAME_RULE = (
    f"1 to {NAME_MAX_LENGTH} characters, not only spaces, no control or invisible characters."
)
SURROGATE_RANGE = "\\ud800-\\udfff"
#: The name rule as the document gives it: NAME_PATTERN less its lone-surrogate range. JSON text
#: carries Unicode scalar values (I-JSON, RFC 7493), and validators built on them (Rust's regex,
#: under Schemathesis) refuse a pattern that names surrogates at all, and drop it. The decoder
#: still applies the whole rule (`check_name`, run on every name the decoder lets through, with
#: the rule's own messages): a `\udc00` escape in a name is refused.
DOCUMENTED_NAME_PATTERN = NAME_PATTERN.replace(SURROGATE_RANGE, "")
#: A room name, display name or identity, as `hostdesk.show.validation.check_name` accepts it.
NAME = Meta(
    min_length=1,
    max_length=NAME_MAX_LENGTH,
    description=NAME_RULE,
    extra_json_schema={"pattern": DOCUMENTED_NAME_PATTERN},
)
Name = Annotated[str, NAME]
#: The viewer's browser, for blocks. Its rule is the name rule, checked by the service with the
#: rule's own messages; empty is the same as absent (the decoder has a default to tell by).
CLIENT_ID = Meta(
    description="Optional opaque id the viewer's page keeps in its browser storage and sends "
    "with every join. " + NAME_RULE + " A blocked one is refused (403); empty means none.",
    extra_json_schema={
        "maxLength": NAME_MAX_LENGTH,
        "pattern": "^$|" + DOCUMENTED_NAME_PATTERN,
    },
)
#: The roles a client may ask for at join (the service refuses the others with its message).
JoinRole = Annotated[
    str,
    Meta(
        extra_json_schema={"enum": sorted(role.value for role in JOINABLE_ROLES)},
        description="`host` (needs the API key in production mode) or `viewer`; a guest is "
        "made only by an invitation.",
    ),
]
#: Any role a participant may have now (a renewed token's).
AnyRole = Annotated[
    str,
    Meta(
        extra_json_schema={"enum": sorted(role.value for role in Role)},
        description="The role LiveKit gives the participant now: `host`, `guest` or `viewer`.",
    ),
]
#: Slow mode: seconds between two chat messages of a viewer (0: off).
SlowModeSeconds = Annotated[
    int,
    Meta(
        ge=0,
        le=SLOW_MODE_MAX_S,
        description=f"At most one chat message per this many seconds per viewer, 0 to "
        f"{SLOW_MODE_MAX_S}; 0 turns slow mode off. The host and guests are not slowed.",
    ),
]
#: The show's limit on a guest's time on stage (0: none).
StageTimeLimitSeconds = Annotated[
    int,
    Meta(
        ge=0,
        le=STAGE_TIME_LIMIT_MAX_S,
        description=f"The show's limit on each guest's time on stage, in seconds, 0 to "
        f"{STAGE_TIME_LIMIT_MAX_S}; 0: none. At {STAGE_WARNING_S} seconds left the guest's page "
        "warns; at the limit the host is asked to send the guest back (nobody is removed "
        "automatically).",
    ),
]
#: A moment as the API gives it: UTC, with milliseconds (`2024-01-01T12:00:00.000Z`).
DateTime = Annotated[str, Meta(extra_json_schema={"format": "date-time"})]
#: Always true in a reply that has it (msgspec has no boolean literal).
SuccessFlag = Annotated[bool, Meta(extra_json_schema={"const": True})]
#: Unix seconds as text, as the contract shows them.
UnixSecondsText = Annotated[str, Meta(pattern="^[0-9]+$")]
Count = Annotated[int, Meta(ge=0)]


class Request(Struct, rename="camel"):
    """A request body. `REQUIRED` lists the fields of the contract's "a and b are required"
    message, in its order: a missing, null or empty one of them gets that message."""

    REQUIRED: ClassVar[tuple[str, ...]] = ()


class Reply(Struct, rename="camel", forbid_unknown_fields=True):
    """A reply body: exactly these fields, all of them present."""


# -- requests -------------------------------------------------------------------------------------


class JoinRequest(Request):
    """Who joins which room, and as what."""

    REQUIRED = ("roomName", "participantName")
    room_name: Annotated[Name, Meta(description="Unique room identifier. " + NAME_RULE)]
    participant_name: Annotated[
        Name, Meta(description="Display name for the participant. " + NAME_RULE)
    ]
    role: JoinRole
    client_id: Annotated[str, CLIENT_ID] = ""


# -- replies --------------------------------------------------------------------------------------


class ErrorReply(Reply):
    """Every error, whatever its status."""

    error: Annotated[str, Meta(description="What went wrong, for a person to read.")]


class JoinReply(Reply):
    """A LiveKit access token for the room."""

    token: Annotated[str, Meta(description="LiveKit access token (JWT) with the role's grants.")]
    ws_url: Annotated[str, Meta(description="LiveKit server URL to connect to with the token.")]
    room_name: Annotated[str, Meta(description="The room joined.")]
    role: JoinRole
    identity: Annotated[
        str,
        Meta(
            description="The identity the server gave (role, name and a suffix: unique); "
            "used in later calls such as hand-raise and invite."
        ),
    ]


class TokenReply(Reply):
    """A fresh LiveKit access token for the same participant."""

    token: Annotated[str, Meta(description="LiveKit access token (JWT) with the role's grants.")]
    ws_url: Annotated[str, Meta(description="LiveKit server URL to connect to with the token.")]
    room_name: Annotated[str, Meta(description="The room.")]
    role: AnyRole
    identity: Annotated[str, Meta(description="The same identity as the asking token's.")]


class RoomSummary(Reply):
    """An active room."""

    name: str
    sid: Annotated[str, Meta(description="LiveKit room id (RM_...).")]
    num_participants: Count
    creation_time: Annotated[UnixSecondsText, Meta(description="When the room was created.")]


class RoomList(Reply):
    """All active rooms."""

    rooms: list[RoomSummary]


class GuestEntry(Reply):
    """A guest on stage."""

    identity: str
    name: Annotated[str, Meta(description="Display name.")]
    on_stage_since: Annotated[
        DateTime | None,
        Meta(
            description="When the guest went on stage, UTC, with milliseconds (the server's "
            "clock; the participant attribute `onStageSince` in milliseconds since the epoch); "
            "null when the server has not written it."
        ),
    ]


class BackstageEntry(Reply):
    """A viewer the host sent backstage."""

    identity: str
    name: Annotated[str, Meta(description="Display name.")]


class RoomDetails(Reply):
    """A room and its stage."""

    name: str
    sid: Annotated[str, Meta(description="LiveKit room id (RM_...).")]
    num_participants: Count
    has_host: Annotated[bool, Meta(description="Whether a host is in the room.")]
    has_guest: Annotated[bool, Meta(description="Whether a guest is on stage.")]
    slow_mode_seconds: SlowModeSeconds
    guests: Annotated[
        list[GuestEntry],
        Meta(description="Who is on stage, longest on stage first (at most the stage size)."),
    ]
    stage_time_limit_seconds: StageTimeLimitSeconds
    backstage: Annotated[
        list[BackstageEntry],
        Meta(description="Who the host sent backstage (participant attribute `backstage`)."),
    ]


class RoomInfo(Reply):
    """Details of one room."""

    room: RoomDetails


class ParticipantEntry(Reply):
    """A participant as LiveKit knows them."""

    sid: Annotated[str, Meta(description="LiveKit participant id (PA_...).")]
    identity: str
    name: Annotated[str, Meta(description="Display name.")]
    metadata: Annotated[
        str,
        Meta(
            description='JSON text written by the server, `{"role": ..., "displayName": ...}` '
            "(empty for a participant HostDesk did not admit)."
        ),
    ]
    joined_at: Annotated[UnixSecondsText, Meta(description="When the participant joined.")]


class ParticipantList(Reply):
    """Everyone in the room."""

    participants: list[ParticipantEntry]


class Success(Reply):
    """The action was done."""

    success: SuccessFlag


class Health(Reply):
    """The API is up; whether it can reach LiveKit."""

    status: Literal["ok"]
    timestamp: Annotated[
        str,
        Meta(
            description="Server time, UTC, with milliseconds.",
            extra_json_schema={"format": "date-time"},
        ),
    ]
    livekit_reachable: Annotated[bool, Meta(description="Whether the LiveKit server answers.")]


class OpenApiDocument(Struct, omit_defaults=True):
    """An OpenAPI 3.1 document (this API's own)."""

    openapi: str
    info: dict[str, Any]
    paths: dict[str, Any]
    servers: list[dict[str, Any]] = []
    tags: list[dict[str, Any]] = []
    components: dict[str, Any] = {}


def encode(reply: Struct) -> bytes:
    """A reply as JSON bytes (msgspec writes Structs without building dicts first)."""
    return msgspec.json.encode(reply)
