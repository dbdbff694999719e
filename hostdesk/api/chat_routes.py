"""The endpoints of chat moderation: hide a message, mute a participant's chat, slow mode
(`hostdesk.chat_moderation` does the work)."""

from __future__ import annotations

from aiohttp import web

from hostdesk.api import models, moderation_models
from hostdesk.api.auth import HOST_ONLY
from hostdesk.api.context import API, HOST_ONLY_CALL, auth_of, room_of, service_of
from hostdesk.api.endpoints import KEY_OR_TOKEN, Doc
from hostdesk.chat_moderation import HOST_NOT_MUTABLE
from hostdesk.moderation import ROOM_NOT_FOUND
from hostdesk.show import stage

#: Where every page and the window read what these endpoints write.
_OBEYED = (
    " Written by the server where no client can write, and obeyed by HostDesk's viewer page and "
    "window."
)


@API.with_body(
    "POST",
    "/api/rooms/{roomName}/chat/hide",
    "hide_chat",
    Doc(
        "hideChatMessage",
        "Hide a chat message from everyone",
        HOST_ONLY_CALL + " The message is named by its sender's identity (as LiveKit stamped "
        "the packet) and its `timestamp`; it goes into the room's metadata "
        '(`{"chat": {"hidden": ["<identity>:<timestamp>", ...]}}`, the newest 200 kept, other '
        "keys of the metadata unchanged)." + _OBEYED,
        "chat",
        KEY_OR_TOKEN,
        {403: (HOST_ONLY,), 404: (ROOM_NOT_FOUND,)},
    ),
    moderation_models.HideChatRequest,
    models.Success,
)
async def hide_chat(
    request: web.Request, body: moderation_models.HideChatRequest
) -> models.Success:
    room = room_of(request)
    auth_of(request).require_host(request, room)
    await service_of(request).chat.hide(room, body.sender_identity, body.timestamp)
    return models.Success(True)


@API.with_body(
    "POST",
    "/api/rooms/{roomName}/participants/{identity}/chat-mute",
    "chat_mute",
    Doc(
        "muteChat",
        "Mute or unmute a participant's chat",
        HOST_ONLY_CALL + " A muted participant's chat messages are dropped everywhere and their "
        "page tells them; their hand and the stage work as before (participant attribute "
        '`chatMuted` = `"1"`; unmuting deletes it; their permissions are not touched). The '
        "host's chat cannot be muted (400)." + _OBEYED,
        "chat",
        KEY_OR_TOKEN,
        {
            400: (HOST_NOT_MUTABLE,),
            403: (HOST_ONLY,),
            404: (stage.PARTICIPANT_NOT_FOUND, ROOM_NOT_FOUND),
        },
    ),
    moderation_models.ChatMuteRequest,
    moderation_models.ChatMuteState,
)
async def chat_mute(
    request: web.Request, body: moderation_models.ChatMuteRequest
) -> moderation_models.ChatMuteState:
    room = room_of(request)
    auth_of(request).require_host(request, room)
    identity = request.match_info["identity"]
    muted = await service_of(request).chat.mute(room, identity, body.muted)
    return moderation_models.ChatMuteState(True, muted)


@API.with_body(
    "POST",
    "/api/rooms/{roomName}/chat/slow-mode",
    "slow_mode",
    Doc(
        "setSlowMode",
        "Set the room's slow mode",
        HOST_ONLY_CALL + " Each viewer may send one chat message per `seconds` (0 turns it "
        'off); it goes into the room\'s metadata (`{"chat": {"slowModeSeconds": N}}`) and '
        "`GET /api/rooms/{roomName}` reports it." + _OBEYED,
        "chat",
        KEY_OR_TOKEN,
        {403: (HOST_ONLY,), 404: (ROOM_NOT_FOUND,)},
    ),
    moderation_models.SlowModeRequest,
    moderation_models.SlowModeState,
)
async def slow_mode(
    request: web.Request, body: moderation_models.SlowModeRequest
) -> moderation_models.SlowModeState:
    room = room_of(request)
    auth_of(request).require_host(request, room)
    seconds = await service_of(request).chat.slow_mode(room, body.seconds)
    return moderation_models.SlowModeState(True, seconds)
