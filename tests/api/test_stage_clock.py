"""The stage clock through the API on the real livekit-server, as the show's participants see it:
the time a guest went on stage arrives in their attributes and the show's limit in the room's
metadata, both written by the server; the room's info lists the guests; only the host sets the
limit, and bad input gets its documented message."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime
from typing import Any

import pytest

from hostdesk.api.auth import HOST_ONLY
from hostdesk.show.chat import ChatSettings
from hostdesk.show.rules import STAGE_TIME_LIMIT_MAX_S
from hostdesk.show.stage_clock import ON_STAGE_ATTRIBUTE, StageSettings, on_stage_since
from tests.support.api_fixtures import RunningApi, Show, StartApi, new_room, start_show
from tests.support.bots import Bot


async def _attributes_seen(bot: Bot, identity: str, wanted: Any) -> dict[str, str]:
    """`identity`'s attributes as `bot`'s connection has them, once `wanted` holds of them."""

    def seen() -> tuple[dict[str, str]] | None:
        if identity == bot.identity:
            attributes = dict(bot.room.local_participant.attributes)
        else:
            participant = bot.remote(identity)
            if participant is None:
                return None
            attributes = dict(participant.attributes)
        return (attributes,) if wanted(attributes) else None  # truthy even when empty

    found: tuple[dict[str, str]] = await bot.wait_for(seen)
    return found[0]


async def _stage(api: RunningApi, room: str, action: str, body: dict[str, str]) -> None:
    reply = await api.request("POST", f"/api/rooms/{room}/{action}", body, key=True)
    assert reply.status == 200, reply.body


async def test_the_guest_carries_the_time_they_went_on_stage_until_demoted(
    api: RunningApi,
    show: Show,
) -> None:
    room, host, viewer = show
    before = int(time.time() * 1000)
    invite = {"viewerIdentity": viewer.identity, "hostIdentity": host.identity}
    await _stage(api, room, "invite", invite)
    after = int(time.time() * 1000)

    at_host = await _attributes_seen(host, viewer.identity, lambda a: ON_STAGE_ATTRIBUTE in a)
    since = on_stage_since(at_host)
    assert since is not None and before <= since <= after
    own = await _attributes_seen(viewer, viewer.identity, lambda a: ON_STAGE_ATTRIBUTE in a)
    assert own[ON_STAGE_ATTRIBUTE] == str(since)  # the guest's page counts from the same time

    demote = {"guestIdentity": viewer.identity, "hostIdentity": host.identity}
    await _stage(api, room, "demote", demote)
    gone = await _attributes_seen(host, viewer.identity, lambda a: ON_STAGE_ATTRIBUTE not in a)
    assert on_stage_since(gone) is None
    await _attributes_seen(viewer, viewer.identity, lambda a: ON_STAGE_ATTRIBUTE not in a)


# -- who is on stage, in the room's info ------------------------------------------------------


def _utc(ms: int) -> str:
    stamp = datetime.fromtimestamp(ms / 1000, UTC)
    return stamp.strftime("%Y-%m-%dT%H:%M:%S.") + f"{ms % 1000:03d}Z"


async def test_the_room_info_lists_the_guests_with_when_each_went_on_stage(
    start_api: StartApi,
) -> None:
    api = await start_api(stage_size=2)
    room, host, first = await start_show(api)
    second = await api.joined_bot(room, "Zoë Ünal 🎤")
    for viewer in (first, second):
        invite = {"viewerIdentity": viewer.identity, "hostIdentity": host.identity}
        await _stage(api, room, "invite", invite)
    times = [
        on_stage_since(await _attributes_seen(host, v.identity, lambda a: ON_STAGE_ATTRIBUTE in a))
        for v in (first, second)
    ]

    info = await api.request("GET", f"/api/rooms/{room}")

    assert info.status == 200
    assert info.body["room"]["hasGuest"] is True
    assert info.body["room"]["guests"] == [
        {"identity": first.identity, "name": "Sam Viewer", "onStageSince": _utc(times[0] or 0)},
        {"identity": second.identity, "name": "Zoë Ünal 🎤", "onStageSince": _utc(times[1] or 0)},
    ]
    demote = {"guestIdentity": first.identity, "hostIdentity": host.identity}
    await _stage(api, room, "demote", demote)
    after = await api.request("GET", f"/api/rooms/{room}")
    assert [g["identity"] for g in after.body["room"]["guests"]] == [second.identity]
    assert after.body["room"]["hasGuest"] is True


# -- the show's limit -------------------------------------------------------------------------

LIMIT_PROBLEM = f"seconds must be an integer from 0 to {STAGE_TIME_LIMIT_MAX_S}"


async def test_the_limit_reaches_every_participant_and_the_room_info_keeping_the_chat(
    api: RunningApi,
    show: Show,
) -> None:
    room, host, viewer = show
    slow = await api.request("POST", f"/api/rooms/{room}/chat/slow-mode", {"seconds": 30}, key=True)
    assert slow.status == 200, slow.body
    path = f"/api/rooms/{room}/stage/time-limit"

    on = await api.request("POST", path, {"seconds": 300}, token=host.token)

    assert (on.status, on.body) == (200, {"success": True, "stageTimeLimitSeconds": 300})
    await viewer.wait_for(
        lambda: StageSettings.from_room_metadata(viewer.room.metadata).time_limit_s == 300
    )
    assert json.loads(viewer.room.metadata) == {
        "chat": {"slowModeSeconds": 30, "hidden": []},
        "stage": {"timeLimitSeconds": 300},
    }
    info = await api.request("GET", f"/api/rooms/{room}")
    assert info.body["room"]["stageTimeLimitSeconds"] == 300
    assert info.body["room"]["slowModeSeconds"] == 30

    off = await api.request("POST", path, {"seconds": 0}, key=True)
    assert (off.status, off.body) == (200, {"success": True, "stageTimeLimitSeconds": 0})
    await viewer.wait_for(
        lambda: StageSettings.from_room_metadata(viewer.room.metadata).time_limit_s == 0
    )
    assert ChatSettings.from_room_metadata(viewer.room.metadata) == ChatSettings(30)
    info = await api.request("GET", f"/api/rooms/{room}")
    assert info.body["room"]["stageTimeLimitSeconds"] == 0


async def test_the_longest_limit_is_taken(api: RunningApi, show: Show) -> None:
    room, _host, _viewer = show
    reply = await api.request(
        "POST",
        f"/api/rooms/{room}/stage/time-limit",
        {"seconds": STAGE_TIME_LIMIT_MAX_S},
        key=True,
    )
    assert (reply.status, reply.body) == (
        200,
        {"success": True, "stageTimeLimitSeconds": 14400},
    )


@pytest.mark.parametrize(
    "seconds", [STAGE_TIME_LIMIT_MAX_S + 1, -1, "x", "300", True, 1.5, None, [60], {"s": 1}]
)
async def test_a_limit_out_of_its_range_or_of_another_type_is_refused(
    api: RunningApi, show: Show, seconds: Any
) -> None:
    room, _host, viewer = show
    path = f"/api/rooms/{room}/stage/time-limit"
    reply = await api.request("POST", path, {"seconds": seconds}, key=True)
    assert (reply.status, reply.body) == (400, {"error": LIMIT_PROBLEM})
    missing = await api.request("POST", path, {}, key=True)
    assert (missing.status, missing.body) == (400, {"error": "seconds is required"})
    info = await api.request("GET", f"/api/rooms/{room}")
    assert info.body["room"]["stageTimeLimitSeconds"] == 0
    assert StageSettings.from_room_metadata(viewer.room.metadata) == StageSettings()


async def test_a_limit_for_a_room_that_is_not_there_is_room_not_found(api: RunningApi) -> None:
    reply = await api.request(
        "POST", f"/api/rooms/{new_room()}/stage/time-limit", {"seconds": 60}, key=True
    )
    assert (reply.status, reply.body) == (404, {"error": "Room not found"})
    bad_path = await api.request(
        "POST", "/api/rooms/%20/stage/time-limit", {"seconds": 60}, key=True
    )
    assert (bad_path.status, bad_path.body) == (400, {"error": "roomName must not be empty"})


async def test_the_document_declares_the_limit_and_the_guests(api: RunningApi) -> None:
    document = (await api.request("GET", "/api/openapi.json")).body
    limit = document["paths"]["/api/rooms/{roomName}/stage/time-limit"]["post"]

    def errors(status: str) -> set[str]:
        examples = limit["responses"][status]["content"]["application/json"]["examples"]
        return {e["value"]["error"] for e in examples.values()}

    assert {LIMIT_PROBLEM, "seconds is required"} <= errors("400")
    assert HOST_ONLY in errors("403") and "Room not found" in errors("404")
    assert limit["security"] == [{"apiKey": []}, {"livekitToken": []}]
    schemas = document["components"]["schemas"]
    room = schemas["RoomDetails"]
    assert {"hasGuest", "guests", "stageTimeLimitSeconds"} <= set(room["required"])
    assert room["properties"]["stageTimeLimitSeconds"]["maximum"] == STAGE_TIME_LIMIT_MAX_S
    assert schemas["GuestEntry"]["required"] == ["identity", "name", "onStageSince"]
    reply = schemas["StageTimeLimitState"]["properties"]
    assert reply["stageTimeLimitSeconds"]["maximum"] == STAGE_TIME_LIMIT_MAX_S
