"""Chat moderation through the API on the real livekit-server, as the show's participants see it:
a hidden message and slow mode arrive in the room's metadata, a muted chat in the participant's
attributes; only the host may do any of it, and bad input gets its documented message."""

from __future__ import annotations

import json
from typing import Any

import pytest
from livekit import api as lkapi

from hostdesk.api.auth import HOST_ONLY
from hostdesk.show.chat import ChatSettings
from hostdesk.show.rules import HIDDEN_CHAT_KEEP, SLOW_MODE_MAX_S
from tests.support.api_fixtures import RunningApi, Show, new_room
from tests.support.bots import Bot

SLOW_MODE_PROBLEM = f"seconds must be an integer from 0 to {SLOW_MODE_MAX_S}"


async def _settings_seen(bot: Bot, wanted: Any) -> ChatSettings:
    """The chat settings in the room's metadata as `bot`'s connection has them, once `wanted`
    holds of them."""

    def seen() -> ChatSettings | None:
        settings = ChatSettings.from_room_metadata(bot.room.metadata)
        return settings if wanted(settings) else None

    found: ChatSettings = await bot.wait_for(seen)
    return found


async def _attributes_seen(bot: Bot, identity: str, wanted: Any) -> dict[str, str]:
    def seen() -> dict[str, str] | None:
        if identity == bot.identity:
            attributes = dict(bot.room.local_participant.attributes)
        else:
            participant = bot.remote(identity)
            if participant is None:
                return None
            attributes = dict(participant.attributes)
        return attributes if wanted(attributes) else None

    found: dict[str, str] = await bot.wait_for(seen)
    return found


async def _set_room_metadata(api: RunningApi, room: str, metadata: str) -> None:
    """What another tool of the host's may have written: through LiveKit's own room service."""
    settings = api.backend.livekit
    http_url = settings.url.replace("ws://", "http://").replace("wss://", "https://")
    async with lkapi.LiveKitAPI(http_url, settings.api_key, settings.api_secret) as livekit:
        await livekit.room.update_room_metadata(
            lkapi.UpdateRoomMetadataRequest(room=room, metadata=metadata)
        )


# -- hiding a message -------------------------------------------------------------------------


async def test_a_hidden_message_reaches_every_participant_in_the_room_metadata(
    api: RunningApi,
    show: Show,
) -> None:
    room, host, viewer = show
    await _set_room_metadata(api, room, json.dumps({"title": "Friday 🎤"}))
    await viewer.wait_for(lambda: "Friday" in viewer.room.metadata)

    body = {"senderIdentity": viewer.identity, "timestamp": 1704067200123}
    reply = await api.request("POST", f"/api/rooms/{room}/chat/hide", body, token=host.token)

    assert (reply.status, reply.body) == (200, {"success": True})
    seen = await _settings_seen(viewer, lambda s: s.hidden)
    assert seen.hidden == (f"{viewer.identity}:1704067200123",)
    assert json.loads(viewer.room.metadata)["title"] == "Friday 🎤"
    by_key = await api.request(
        "POST",
        f"/api/rooms/{room}/chat/hide",
        {"senderIdentity": host.identity, "timestamp": 0},
        key=True,
    )
    assert by_key.status == 200, by_key.body
    both = await _settings_seen(host, lambda s: len(s.hidden) == 2)
    assert both.hidden[-1] == f"{host.identity}:0"


async def test_hiding_past_the_keep_drops_the_oldest(api: RunningApi, show: Show) -> None:
    room, _host, viewer = show
    for n in range(HIDDEN_CHAT_KEEP + 1):
        reply = await api.request(
            "POST",
            f"/api/rooms/{room}/chat/hide",
            {"senderIdentity": viewer.identity, "timestamp": n},
            key=True,
        )
        assert reply.status == 200, reply.body
    seen = await _settings_seen(
        viewer, lambda s: s.hidden[-1:] == (f"{viewer.identity}:{HIDDEN_CHAT_KEEP}",)
    )
    assert len(seen.hidden) == HIDDEN_CHAT_KEEP
    assert seen.hidden[0] == f"{viewer.identity}:1"


@pytest.mark.parametrize(
    ("body", "error"),
    [
        ({}, "senderIdentity and timestamp are required"),
        ({"senderIdentity": "viewer-sam-1"}, "senderIdentity and timestamp are required"),
        ({"timestamp": 5}, "senderIdentity and timestamp are required"),
        ({"senderIdentity": "", "timestamp": 5}, "senderIdentity and timestamp are required"),
        ({"senderIdentity": 7, "timestamp": 5}, "senderIdentity must be a string"),
        (
            {"senderIdentity": "a\nb", "timestamp": 5},
            "senderIdentity must not contain control characters",
        ),
        (
            {"senderIdentity": "v", "timestamp": "5"},
            f"timestamp must be an integer from 0 to {2**53 - 1}",
        ),
        (
            {"senderIdentity": "v", "timestamp": -1},
            f"timestamp must be an integer from 0 to {2**53 - 1}",
        ),
        (
            {"senderIdentity": "v", "timestamp": True},
            f"timestamp must be an integer from 0 to {2**53 - 1}",
        ),
    ],
)
async def test_a_bad_hide_is_refused_with_its_message(
    api: RunningApi, body: dict[str, Any], error: str
) -> None:
    room = new_room()
    await api.joined_bot(room, "Jane Host", "host")
    reply = await api.request("POST", f"/api/rooms/{room}/chat/hide", body, key=True)
    assert (reply.status, reply.body) == (400, {"error": error})


# -- muting a chat ----------------------------------------------------------------------------


async def test_a_muted_chat_is_an_attribute_everyone_sees_and_unmuting_removes_it(
    api: RunningApi,
    show: Show,
) -> None:
    room, host, viewer = show
    path = f"/api/rooms/{room}/participants/{viewer.identity}/chat-mute"

    muted = await api.request("POST", path, {"muted": True}, token=host.token)

    assert (muted.status, muted.body) == (200, {"success": True, "chatMuted": True})
    at_host = await _attributes_seen(host, viewer.identity, lambda a: "chatMuted" in a)
    assert at_host["chatMuted"] == "1"
    own = await _attributes_seen(viewer, viewer.identity, lambda a: "chatMuted" in a)
    assert own["chatMuted"] == "1"  # the viewer's page can tell them

    hand = await api.request(
        "POST",
        f"/api/rooms/{room}/hand-raise",
        {"participantIdentity": viewer.identity, "raised": True},
        token=viewer.token,
    )
    assert (hand.status, hand.body) == (200, {"success": True, "handRaised": True})
    raised = await _attributes_seen(host, viewer.identity, lambda a: "handRaisedAt" in a)
    assert raised["chatMuted"] == "1"

    unmuted = await api.request("POST", path, {"muted": False}, key=True)
    assert (unmuted.status, unmuted.body) == (200, {"success": True, "chatMuted": False})
    after = await _attributes_seen(host, viewer.identity, lambda a: "chatMuted" not in a)
    assert "handRaisedAt" in after
    remote = host.remote(viewer.identity)
    assert remote is not None and remote.permissions.can_publish_data  # permissions untouched


async def test_the_hosts_chat_cannot_be_muted(api: RunningApi, show: Show) -> None:
    room, host, _viewer = show
    reply = await api.request(
        "POST",
        f"/api/rooms/{room}/participants/{host.identity}/chat-mute",
        {"muted": True},
        key=True,
    )
    assert (reply.status, reply.body) == (400, {"error": "The host's chat cannot be muted"})


@pytest.mark.parametrize(
    ("body", "error"),
    [
        ({}, "muted is required"),
        ({"muted": "yes"}, "muted must be a boolean"),
        ({"muted": None}, "muted must be a boolean"),
        ({"muted": 1}, "muted must be a boolean"),
    ],
)
async def test_a_bad_mute_is_refused_with_its_message(
    api: RunningApi, body: dict[str, Any], error: str
) -> None:
    room = new_room()
    viewer = await api.join(room, "Sam Viewer")
    path = f"/api/rooms/{room}/participants/{viewer['identity']}/chat-mute"
    reply = await api.request("POST", path, body, key=True)
    assert (reply.status, reply.body) == (400, {"error": error})


# -- slow mode --------------------------------------------------------------------------------


async def test_slow_mode_reaches_every_participant_and_the_room_info(
    api: RunningApi, show: Show
) -> None:
    room, host, viewer = show
    path = f"/api/rooms/{room}/chat/slow-mode"

    on = await api.request("POST", path, {"seconds": 30}, token=host.token)

    assert (on.status, on.body) == (200, {"success": True, "slowModeSeconds": 30})
    assert (await _settings_seen(viewer, lambda s: s.slow_mode_s)).slow_mode_s == 30
    info = await api.request("GET", f"/api/rooms/{room}")
    assert info.body == {
        "room": {
            "name": room,
            "sid": info.body["room"]["sid"],
            "numParticipants": 2,
            "hasHost": True,
            "hasGuest": False,
            "slowModeSeconds": 30,
            "guests": [],
            "stageTimeLimitSeconds": 0,
            "backstage": [],
        }
    }

    off = await api.request("POST", path, {"seconds": 0}, key=True)
    assert (off.status, off.body) == (200, {"success": True, "slowModeSeconds": 0})
    await viewer.wait_for(
        lambda: ChatSettings.from_room_metadata(viewer.room.metadata) == (ChatSettings())
    )
    info = await api.request("GET", f"/api/rooms/{room}")
    assert info.body["room"]["slowModeSeconds"] == 0


@pytest.mark.parametrize(
    ("seconds", "error"),
    [
        (SLOW_MODE_MAX_S + 1, SLOW_MODE_PROBLEM),
        (-1, SLOW_MODE_PROBLEM),
        ("x", SLOW_MODE_PROBLEM),
        ("30", SLOW_MODE_PROBLEM),
        (True, SLOW_MODE_PROBLEM),
        (1.5, SLOW_MODE_PROBLEM),
        (None, SLOW_MODE_PROBLEM),
    ],
)
async def test_slow_mode_outside_its_range_is_refused_with_its_message(
    api: RunningApi, show: Show, seconds: Any, error: str
) -> None:
    room, _host, viewer = show
    reply = await api.request(
        "POST", f"/api/rooms/{room}/chat/slow-mode", {"seconds": seconds}, key=True
    )
    assert (reply.status, reply.body) == (400, {"error": error})
    missing = await api.request("POST", f"/api/rooms/{room}/chat/slow-mode", {}, key=True)
    assert (missing.status, missing.body) == (400, {"error": "seconds is required"})
    info = await api.request("GET", f"/api/rooms/{room}")
    assert info.body["room"]["slowModeSeconds"] == 0
    assert ChatSettings.from_room_metadata(viewer.room.metadata) == ChatSettings()


async def test_the_longest_slow_mode_is_taken(api: RunningApi, show: Show) -> None:
    room, _host, _viewer = show
    reply = await api.request(
        "POST", f"/api/rooms/{room}/chat/slow-mode", {"seconds": SLOW_MODE_MAX_S}, key=True
    )
    assert (reply.status, reply.body) == (
        200,
        {"success": True, "slowModeSeconds": SLOW_MODE_MAX_S},
    )


# -- who may, and what is missing -------------------------------------------------------------


def _calls(room: str, identity: str) -> list[tuple[str, dict[str, Any]]]:
    return [
        (f"/api/rooms/{room}/chat/hide", {"senderIdentity": identity, "timestamp": 1}),
        (f"/api/rooms/{room}/participants/{identity}/chat-mute", {"muted": True}),
        (f"/api/rooms/{room}/chat/slow-mode", {"seconds": 10}),
    ]


async def test_chat_moderation_of_what_is_not_there_says_what_is_missing(
    api: RunningApi,
    show: Show,
) -> None:
    room, _host, _viewer = show
    for path, body in _calls(new_room(), "viewer-nobody"):
        reply = await api.request("POST", path, body, key=True)
        assert (reply.status, reply.body) == (404, {"error": "Room not found"}), path
    nobody = await api.request(
        "POST", f"/api/rooms/{room}/participants/viewer-nobody/chat-mute", {"muted": True}, key=True
    )
    assert (nobody.status, nobody.body) == (404, {"error": "Participant not found"})
    bad_path = await api.request("POST", "/api/rooms/%20/chat/slow-mode", {"seconds": 1}, key=True)
    assert (bad_path.status, bad_path.body) == (400, {"error": "roomName must not be empty"})


async def test_the_document_declares_the_chat_endpoints_with_their_errors(
    api: RunningApi,
) -> None:
    document = (await api.request("GET", "/api/openapi.json")).body
    paths = document["paths"]

    def errors(path: str, status: str) -> set[str]:
        response = paths[path]["post"]["responses"][status]
        return {
            e["value"]["error"]
            for e in response["content"]["application/json"]["examples"].values()
        }

    mute = "/api/rooms/{roomName}/participants/{identity}/chat-mute"
    assert {"muted is required", "muted must be a boolean", "The host's chat cannot be muted"} <= (
        errors(mute, "400")
    )
    assert {"Participant not found", "Room not found"} <= errors(mute, "404")
    assert SLOW_MODE_PROBLEM in errors("/api/rooms/{roomName}/chat/slow-mode", "400")
    hide = "/api/rooms/{roomName}/chat/hide"
    assert "senderIdentity and timestamp are required" in errors(hide, "400")
    assert HOST_ONLY in errors(hide, "403")
    room = document["components"]["schemas"]["RoomDetails"]
    assert room["properties"]["slowModeSeconds"]["maximum"] == SLOW_MODE_MAX_S
    assert "slowModeSeconds" in room["required"]
