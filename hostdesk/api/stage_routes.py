"""The endpoint of the stage clock: the show's limit on a guest's time on stage (the service
writes it into the room's metadata)."""

from __future__ import annotations

from aiohttp import web

from hostdesk.api import stage_models
from hostdesk.api.auth import HOST_ONLY
from hostdesk.api.context import API, HOST_ONLY_CALL, auth_of, room_of, service_of
from hostdesk.api.endpoints import KEY_OR_TOKEN, Doc
from hostdesk.moderation import ROOM_NOT_FOUND
from hostdesk.show.rules import STAGE_WARNING_S


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
