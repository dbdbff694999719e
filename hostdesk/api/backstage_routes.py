"""The endpoints of the backstage (`hostdesk.backstage`) and of stopping a screen share."""

from __future__ import annotations

from aiohttp import web

from hostdesk.api import models, stage_models
from hostdesk.api.auth import HOST_ONLY, INVALID_TOKEN, WRONG_ROOM
from hostdesk.api.context import (
    API,
    HOST_IN_BODY,
    HOST_ONLY_CALL,
    SIGNALLING,
    auth_of,
    room_of,
    service_of,
    stage_change_reply,
)
from hostdesk.api.endpoints import KEY_OR_TOKEN, TOKEN_ONLY, Doc
from hostdesk.moderation import ROOM_NOT_FOUND
from hostdesk.screen_share import NO_SHARE, stop_share
from hostdesk.show import stage
from hostdesk.show.backstage import BACKSTAGE_ATTRIBUTE, BACKSTAGE_SUFFIX, NOT_BACKSTAGE
from hostdesk.show.errors import InvalidInput

INVITE_BACKSTAGE = (
    'With `"to": "backstage"` the viewer is sent backstage instead (participant attribute '
    f'`{BACKSTAGE_ATTRIBUTE}` = `"1"`, written by the server): the answer\'s `token` is the '
    f"viewer's token for the backstage room `<roomName>{BACKSTAGE_SUFFIX}`, where the host "
    "sees and hears them and the audience cannot; `POST /api/rooms/{roomName}/take-live` puts "
    "them on stage, demote or remove-guest sends them back."
)
_NOT_FOUND = (ROOM_NOT_FOUND, stage.PARTICIPANT_NOT_FOUND)


async def invite_backstage(
    request: web.Request, room: str, body: stage_models.InviteRequest
) -> stage_models.StageChange:
    """`POST /invite` with `"to": "backstage"` (the invite route checked the host)."""
    if body.to != stage_models.INVITE_TO_BACKSTAGE:
        raise InvalidInput(stage_models.INVITE_TO_PROBLEM)
    backstage = service_of(request).backstage
    viewer = await backstage.send(room, body.viewer_identity, body.host_identity)
    token = await backstage.token(room, viewer.identity, viewer.display_name)
    ws_url = request.app[SIGNALLING].ws_url(request)
    return stage_models.StageChange(
        True, token.token, ws_url, f"{viewer.identity} has been invited backstage"
    )


@API.with_body(
    "POST",
    "/api/rooms/{roomName}/take-live",
    "take_live",
    Doc(
        "takeLive",
        "Put a backstage viewer on stage",
        HOST_IN_BODY + " The viewer the host sent backstage is promoted as `invite` promotes "
        "(the stage's size, its clock, `guest_promoted`), the `backstage` attribute is "
        "cleared and they are removed from the backstage room. The answer's `token` is their "
        "guest token for the show's room. Someone not backstage is refused (400, "
        "`<identity> is not backstage`); a full stage as for `invite` (403).",
        "stage",
        KEY_OR_TOKEN,
        {
            400: ("viewer-123 is not backstage",),
            403: (stage.ONLY_HOST_PROMOTES, stage.ROOM_HAS_GUEST, stage.STAGE_FULL),
            404: _NOT_FOUND,
        },
    ),
    stage_models.GuestRequest,
    stage_models.StageChange,
)
async def take_live(
    request: web.Request, body: stage_models.GuestRequest
) -> stage_models.StageChange:
    room = room_of(request)
    auth_of(request).require_host(request, room, body.host_identity, stage.ONLY_HOST_PROMOTES)
    backstage = service_of(request).backstage
    change = await backstage.take_live(room, body.guest_identity, body.host_identity)
    return stage_change_reply(request, change)


@API.plain(
    "POST",
    "/api/rooms/{roomName}/backstage/token",
    "backstage_token",
    Doc(
        "getBackstageToken",
        "Get a LiveKit token for the show's backstage room",
        "Needs the participant's own LiveKit token for the show's room (`Authorization: "
        "Bearer`), in every mode. Answered only while the host has them backstage (the "
        "participant attribute `backstage`); anyone else gets 403. The token is for the room "
        f"`<roomName>{BACKSTAGE_SUFFIX}` (publish camera and microphone, subscribe, data), "
        "which no other call mints tokens for.",
        "stage",
        TOKEN_ONLY,
        {403: (INVALID_TOKEN, WRONG_ROOM, NOT_BACKSTAGE)},
    ),
    stage_models.BackstageTokenReply,
)
async def backstage_token(request: web.Request) -> stage_models.BackstageTokenReply:
    room = room_of(request)
    caller = auth_of(request).participant(request, room)
    token = await service_of(request).backstage.token(room, caller.identity, caller.name)
    ws_url = request.app[SIGNALLING].ws_url(request)
    return stage_models.BackstageTokenReply(token.token, ws_url, token.room, token.identity)


@API.plain(
    "POST",
    "/api/rooms/{roomName}/participants/{identity}/stop-share",
    "stop_share",
    Doc(
        "stopScreenShare",
        "Stop a participant's screen share",
        HOST_ONLY_CALL + " The participant's screen share (its picture and its sound) is muted "
        "by the server: their client is told and stops sending, every subscriber sees it "
        "muted. 404 when they share nothing.",
        "stage",
        KEY_OR_TOKEN,
        {403: (HOST_ONLY,), 404: (NO_SHARE, *_NOT_FOUND)},
    ),
    models.Success,
)
async def stop_screen_share(request: web.Request) -> models.Success:
    room = room_of(request)
    auth_of(request).require_host(request, room)
    await stop_share(service_of(request).rooms, room, request.match_info["identity"])
    return models.Success(True)
