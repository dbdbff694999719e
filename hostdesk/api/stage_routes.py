"""The stage's endpoints: inviting a viewer on stage (or backstage), demoting and removing a
guest, raising and lowering hands and clearing their questions, and the stage clock (the
show's limit on a guest's time on stage, which the service writes into the room's metadata)."""

from __future__ import annotations

from aiohttp import web

from hostdesk.api import backstage_routes, models, stage_models
from hostdesk.api.auth import HOST_ONLY
from hostdesk.api.context import (
    API,
    HOST_IN_BODY,
    HOST_ONLY_CALL,
    auth_of,
    room_of,
    service_of,
    stage_change_reply,
)
from hostdesk.api.endpoints import KEY_OR_TOKEN, Doc
from hostdesk.moderation import ROOM_NOT_FOUND
from hostdesk.show import rules, stage
from hostdesk.show.rules import STAGE_WARNING_S

OWN_HAND_ONLY = "You can only raise or lower your own hand"


@API.with_body(
    "POST",
    "/api/rooms/{roomName}/stage/time-limit",
    "stage_time_limit",
    Doc(
        "setStageTimeLimit",
        "Set the show's limit on a guest's time on stage",
        HOST_ONLY_CALL + " Each guest's time on stage counts from the participant attribute "
        "`onStageSince` (the server's milliseconds since the epoch, written at promotion and "
        "deleted at demotion). The limit (`seconds`, 0 for none) goes into the room's metadata "
        '(`{"stage": {"timeLimitSeconds": N}}`, other keys of the metadata unchanged) and '
        f"`GET /api/rooms/{{roomName}}` reports it. At {STAGE_WARNING_S} seconds left the "
        "guest's page warns; at the limit the host is asked to send the guest back: nobody is "
        "removed automatically. Written by the server where no client can write.",
        "stage",
        KEY_OR_TOKEN,
        {403: (HOST_ONLY,), 404: (ROOM_NOT_FOUND,)},
    ),
    stage_models.StageTimeLimitRequest,
    stage_models.StageTimeLimitState,
)
async def stage_time_limit(
    request: web.Request, body: stage_models.StageTimeLimitRequest
) -> stage_models.StageTimeLimitState:
    room = room_of(request)
    auth_of(request).require_host(request, room)
    seconds = await service_of(request).stage_limit(room, body.seconds)
    return stage_models.StageTimeLimitState(True, seconds)


_STAGE_NOT_FOUND = (ROOM_NOT_FOUND, stage.PARTICIPANT_NOT_FOUND)


@API.with_body(
    "POST",
    "/api/rooms/{roomName}/invite",
    "invite",
    Doc(
        "inviteGuest",
        "Promote a viewer to guest (co-broadcaster)",
        HOST_IN_BODY + " The viewer's permissions change live, their stage clock starts "
        "(participant attribute `onStageSince`, the server's milliseconds since the epoch) and "
        "everyone is told (`guest_promoted`). A participant who is not a viewer is refused "
        f"(400). A full stage is refused (403): with the default stage size of one guest "
        f"`{stage.ROOM_HAS_GUEST}`, with a stage size above 1 (`--stage-size`, up to "
        f"{rules.STAGE_SIZE_MAX}) `{stage.STAGE_FULL}`. " + backstage_routes.INVITE_BACKSTAGE,
        "stage",
        KEY_OR_TOKEN,
        {
            400: (stage_models.INVITE_TO_PROBLEM,),
            403: (stage.ONLY_HOST_PROMOTES, stage.ROOM_HAS_GUEST, stage.STAGE_FULL),
            404: _STAGE_NOT_FOUND,
        },
    ),
    stage_models.InviteRequest,
    stage_models.StageChange,
)
async def invite(
    request: web.Request, body: stage_models.InviteRequest
) -> stage_models.StageChange:
    room = room_of(request)
    auth_of(request).require_host(request, room, body.host_identity, stage.ONLY_HOST_PROMOTES)
    if body.to != stage_models.INVITE_TO_STAGE:
        return await backstage_routes.invite_backstage(request, room, body)
    change = await service_of(request).promote(room, body.viewer_identity, body.host_identity)
    return stage_change_reply(request, change)


@API.with_body(
    "POST",
    "/api/rooms/{roomName}/demote",
    "demote",
    Doc(
        "demoteGuest",
        "Demote the guest back to viewer",
        HOST_IN_BODY + " LiveKit unpublishes the guest's tracks, their stage clock stops "
        "(`onStageSince` deleted); everyone is told (`guest_demoted`). A participant who is not "
        "a guest is refused (400).",
        "stage",
        KEY_OR_TOKEN,
        {403: (stage.ONLY_HOST_DEMOTES,), 404: _STAGE_NOT_FOUND},
    ),
    stage_models.GuestRequest,
    stage_models.StageChange,
)
async def demote(request: web.Request, body: stage_models.GuestRequest) -> stage_models.StageChange:
    room = room_of(request)
    auth_of(request).require_host(request, room, body.host_identity, stage.ONLY_HOST_DEMOTES)
    change = await service_of(request).demote(room, body.guest_identity, body.host_identity)
    return stage_change_reply(request, change)


@API.with_body(
    "POST",
    "/api/rooms/{roomName}/remove-guest",
    "remove_guest",
    Doc(
        "removeGuest",
        "Remove the guest from the room",
        HOST_IN_BODY + " The guest is disconnected; everyone is told (`guest_demoted`). A "
        "participant who is not the guest is refused (400).",
        "stage",
        KEY_OR_TOKEN,
        {403: (stage.ONLY_HOST_REMOVES,), 404: _STAGE_NOT_FOUND},
    ),
    stage_models.GuestRequest,
    stage_models.GuestRemoved,
)
async def remove_guest(
    request: web.Request, body: stage_models.GuestRequest
) -> stage_models.GuestRemoved:
    room = room_of(request)
    auth_of(request).require_host(request, room, body.host_identity, stage.ONLY_HOST_REMOVES)
    message = await service_of(request).remove_guest(room, body.guest_identity, body.host_identity)
    return stage_models.GuestRemoved(True, message)


@API.with_body(
    "POST",
    "/api/rooms/{roomName}/hand-raise",
    "hand_raise",
    Doc(
        "setHand",
        "Raise or lower a viewer's hand",
        "The participant's own token, the host's token for this room, or the API key "
        "(production mode). The hand is recorded in LiveKit with the server's time, which "
        "orders the queue; raising a raised hand keeps its place. Only a viewer may raise a "
        "hand (403). An optional `question` goes with a raise and is shown in the host's "
        "queue; raising again replaces it (an empty one removes it), lowering takes it away.",
        "stage",
        KEY_OR_TOKEN,
        {
            400: stage_models.QUESTION_PROBLEMS,
            403: (OWN_HAND_ONLY, stage.ONLY_VIEWERS_RAISE),
            404: _STAGE_NOT_FOUND,
        },
    ),
    stage_models.HandRaiseRequest,
    stage_models.HandState,
)
async def hand_raise(
    request: web.Request, body: stage_models.HandRaiseRequest
) -> stage_models.HandState:
    room = room_of(request)
    identity = body.participant_identity
    auth_of(request).require_self_or_host(request, room, identity, OWN_HAND_ONLY)
    state = await service_of(request).set_hand(room, identity, body.raised, body.question)
    return stage_models.HandState(True, state)


@API.plain(
    "POST",
    "/api/rooms/{roomName}/participants/{identity}/clear-question",
    "clear_question",
    Doc(
        "clearQuestion",
        "Clear the question of a raised hand",
        HOST_ONLY_CALL + " The question goes from the host's queue and the viewer's page; the "
        "hand stays up, in its place. A hand without a question is left as it is.",
        "stage",
        KEY_OR_TOKEN,
        {403: (HOST_ONLY,), 404: (stage.PARTICIPANT_NOT_FOUND, ROOM_NOT_FOUND)},
    ),
    models.Success,
)
async def clear_question(request: web.Request) -> models.Success:
    room = room_of(request)
    auth_of(request).require_host(request, room)
    await service_of(request).clear_question(room, request.match_info["identity"])
    return models.Success(True)
