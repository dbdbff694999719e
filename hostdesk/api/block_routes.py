"""The endpoints of blocking: block a participant, list the blocks, lift one
(`hostdesk.moderation` does the work)."""

from __future__ import annotations

from aiohttp import web

from hostdesk.api import models, moderation_models
from hostdesk.api.auth import HOST_ONLY
from hostdesk.api.context import API, HOST_ONLY_CALL, auth_of, room_of, service_of, utc_text
from hostdesk.api.endpoints import KEY_OR_TOKEN, Doc
from hostdesk.moderation import ROOM_NOT_FOUND
from hostdesk.show import stage
from hostdesk.show.blocks import BLOCK_NOT_FOUND, HOST_NOT_BLOCKABLE, Block


@API.plain(
    "POST",
    "/api/rooms/{roomName}/participants/{identity}/block",
    "block_participant",
    Doc(
        "blockParticipant",
        "Block a participant: remove them and keep them out",
        HOST_ONLY_CALL + " The participant is disconnected; the browser they joined from "
        "(its `clientId`) is refused at join (403), and reconnecting with a token they still "
        "hold gets them removed again within 2 s. Kept (across restarts) until lifted. The "
        "host cannot be blocked (400).",
        "rooms",
        KEY_OR_TOKEN,
        {
            400: (HOST_NOT_BLOCKABLE,),
            403: (HOST_ONLY,),
            404: (stage.PARTICIPANT_NOT_FOUND, ROOM_NOT_FOUND),
        },
    ),
    models.Success,
)
async def block_participant(request: web.Request) -> models.Success:
    room = room_of(request)
    auth_of(request).require_host(request, room)
    await service_of(request).moderation.block(room, request.match_info["identity"])
    return models.Success(True)


def _block(block: Block) -> moderation_models.BlockEntry:
    return moderation_models.BlockEntry(block.identity, block.name, utc_text(block.blocked_at_ms))


@API.plain(
    "GET",
    "/api/rooms/{roomName}/blocks",
    "blocks",
    Doc(
        "listBlocks",
        "List the participants blocked from a room",
        HOST_ONLY_CALL + " Blocks are kept by HostDesk per room name, also while the room "
        "is not live (so an empty list for a room that does not exist).",
        "rooms",
        KEY_OR_TOKEN,
        {403: (HOST_ONLY,)},
    ),
    moderation_models.BlockList,
)
async def list_blocks(request: web.Request) -> moderation_models.BlockList:
    room = room_of(request)
    auth_of(request).require_host(request, room)
    return moderation_models.BlockList(
        [_block(b) for b in service_of(request).moderation.blocks(room)]
    )


@API.plain(
    "DELETE",
    "/api/rooms/{roomName}/blocks/{identity}",
    "unblock",
    Doc(
        "unblockParticipant",
        "Lift a block",
        HOST_ONLY_CALL + " The participant and their browser may join again.",
        "rooms",
        KEY_OR_TOKEN,
        {403: (HOST_ONLY,), 404: (BLOCK_NOT_FOUND,)},
    ),
    models.Success,
)
async def unblock(request: web.Request) -> models.Success:
    room = room_of(request)
    auth_of(request).require_host(request, room)
    service_of(request).moderation.unblock(room, request.match_info["identity"])
    return models.Success(True)
