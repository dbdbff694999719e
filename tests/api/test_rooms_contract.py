"""The contract's room endpoints, exactly as documented, on a real livekit-server (--no-auth)."""

from __future__ import annotations

import asyncio
import json
from datetime import datetime

from tests.support.api_fixtures import RunningApi, new_room


async def test_viewer_join_returns_a_token_that_connects_with_the_documented_metadata(
    open_api: RunningApi,
) -> None:
    room = new_room()
    joined = await open_api.join(room, "John Doe")
    assert joined["roomName"] == room and joined["role"] == "viewer"
    assert joined["wsUrl"].startswith("ws") and joined["identity"].startswith("viewer-")
    bot = await open_api.bot(joined)
    assert json.loads(bot.room.local_participant.metadata) == {
        "role": "viewer",
        "displayName": "John Doe",
    }
    assert not bot.room.local_participant.permissions.can_publish


async def test_join_without_room_or_name_is_refused_with_the_documented_error(
    open_api: RunningApi,
) -> None:
    for body in (
        {"participantName": "a", "role": "viewer"},
        {"roomName": "r", "role": "viewer"},
        {"roomName": "", "participantName": "a", "role": "viewer"},
    ):
        reply = await open_api.request("POST", "/api/rooms/join", body)
        assert (reply.status, reply.body) == (
            400,
            {"error": "roomName and participantName are required"},
        )


async def test_guest_or_unknown_roles_cannot_be_asked_for_at_join(open_api: RunningApi) -> None:
    for role in ("guest", "admin", None, 3):
        reply = await open_api.request(
            "POST", "/api/rooms/join", {"roomName": "r", "participantName": "a", "role": role}
        )
        assert reply.status == 400
        assert "host" in reply.body["error"] and "viewer" in reply.body["error"]


async def test_second_host_gets_409_while_the_first_is_connected(open_api: RunningApi) -> None:
    room = new_room()
    await open_api.joined_bot(room, "Jane", "host")
    reply = await open_api.request(
        "POST", "/api/rooms/join", {"roomName": room, "participantName": "Mallory", "role": "host"}
    )
    assert (reply.status, reply.body) == (409, {"error": "Room already has a host"})


async def test_ten_racing_host_joins_give_exactly_one_host(open_api: RunningApi) -> None:
    room = new_room()
    replies = await asyncio.gather(
        *(
            open_api.request(
                "POST",
                "/api/rooms/join",
                {"roomName": room, "participantName": f"host {i}", "role": "host"},
            )
            for i in range(10)
        )
    )
    statuses = sorted(r.status for r in replies)
    assert statuses == [200] + [409] * 9
    assert all(r.body == {"error": "Room already has a host"} for r in replies if r.status == 409)


async def test_two_viewers_with_the_same_name_both_stay_connected(open_api: RunningApi) -> None:
    room = new_room()
    host = await open_api.joined_bot(room, "Jane", "host")
    first = await open_api.joined_bot(room, "Sam")
    second = await open_api.joined_bot(room, "Sam")
    assert first.identity != second.identity
    await host.wait_for(
        lambda: {first.identity, second.identity} <= set(host.room.remote_participants)
    )
    # Sentinel: someone who joins after both. LiveKit signals each participant in order, so a
    # first viewer dropped for the second's name would be gone before it could see the sentinel.
    sentinel = await open_api.joined_bot(room, "Kim")
    await first.wait_for(lambda: first.remote(sentinel.identity))
    await second.wait_for(lambda: second.remote(sentinel.identity))
    assert first.remote(second.identity) and second.remote(first.identity)
    assert not first.disconnected.is_set() and not second.disconnected.is_set()


async def test_rooms_and_room_info_reflect_live_roles(open_api: RunningApi) -> None:
    room = new_room()
    host = await open_api.joined_bot(room, "Jane", "host")
    viewer = await open_api.joined_bot(room, "Sam")

    listed = await open_api.request("GET", "/api/rooms")
    assert listed.status == 200
    mine = [r for r in listed.body["rooms"] if r["name"] == room]
    assert len(mine) == 1 and mine[0]["sid"].startswith("RM_")
    assert isinstance(mine[0]["creationTime"], str) and int(mine[0]["creationTime"]) > 0
    assert isinstance(mine[0]["numParticipants"], int)

    info = await open_api.request("GET", f"/api/rooms/{room}")
    assert info.status == 200
    assert info.body["room"] == {
        "name": room,
        "sid": mine[0]["sid"],
        "numParticipants": 2,
        "hasHost": True,
        "hasGuest": False,
        # HostDesk's additions: every documented field is kept
        "slowModeSeconds": 0,
        "guests": [],
        "stageTimeLimitSeconds": 0,
        "backstage": [],
    }
    await open_api.request(
        "POST",
        f"/api/rooms/{room}/invite",
        {"viewerIdentity": viewer.identity, "hostIdentity": host.identity},
    )
    info = await open_api.request("GET", f"/api/rooms/{room}")
    assert info.body["room"]["hasGuest"] is True


async def test_participants_are_listed_with_documented_fields(open_api: RunningApi) -> None:
    room = new_room()
    host = await open_api.joined_bot(room, "Jane Host", "host")
    reply = await open_api.request("GET", f"/api/rooms/{room}/participants")
    assert reply.status == 200
    (only,) = reply.body["participants"]
    assert only["identity"] == host.identity and only["name"] == "Jane Host"
    assert only["sid"].startswith("PA_")
    assert json.loads(only["metadata"]) == {"role": "host", "displayName": "Jane Host"}
    assert isinstance(only["joinedAt"], str) and int(only["joinedAt"]) > 0


async def test_removing_a_participant_disconnects_them(open_api: RunningApi) -> None:
    room = new_room()
    await open_api.joined_bot(room, "Jane", "host")
    viewer = await open_api.joined_bot(room, "Sam")
    reply = await open_api.request("DELETE", f"/api/rooms/{room}/participants/{viewer.identity}")
    assert (reply.status, reply.body) == (200, {"success": True})
    await asyncio.wait_for(viewer.disconnected.wait(), 10)

    again = await open_api.request("DELETE", f"/api/rooms/{room}/participants/{viewer.identity}")
    assert (again.status, again.body) == (404, {"error": "Participant not found"})


async def test_deleting_a_room_ends_the_show_for_everyone(open_api: RunningApi) -> None:
    room = new_room()
    host = await open_api.joined_bot(room, "Jane", "host")
    viewer = await open_api.joined_bot(room, "Sam")
    reply = await open_api.request("DELETE", f"/api/rooms/{room}")
    assert (reply.status, reply.body) == (200, {"success": True})
    await asyncio.wait_for(asyncio.gather(host.disconnected.wait(), viewer.disconnected.wait()), 10)
    gone = await open_api.request("GET", f"/api/rooms/{room}")
    assert (gone.status, gone.body) == (404, {"error": "Room not found"})


async def test_every_room_path_answers_404_for_an_unknown_room(open_api: RunningApi) -> None:
    room = new_room()
    calls = [
        ("GET", f"/api/rooms/{room}", None),
        ("DELETE", f"/api/rooms/{room}", None),
        ("GET", f"/api/rooms/{room}/participants", None),
        ("DELETE", f"/api/rooms/{room}/participants/someone", None),
        ("POST", f"/api/rooms/{room}/invite", {"viewerIdentity": "v", "hostIdentity": "h"}),
        ("POST", f"/api/rooms/{room}/demote", {"guestIdentity": "g", "hostIdentity": "h"}),
        ("POST", f"/api/rooms/{room}/remove-guest", {"guestIdentity": "g", "hostIdentity": "h"}),
        ("POST", f"/api/rooms/{room}/hand-raise", {"participantIdentity": "v", "raised": True}),
    ]
    for method, path, body in calls:
        reply = await open_api.request(method, path, body)
        assert (reply.status, reply.body) == (404, {"error": "Room not found"}), (method, path)


async def test_health_reports_status_time_and_livekit(open_api: RunningApi) -> None:
    reply = await open_api.request("GET", "/health")
    assert reply.status == 200
    assert reply.body["status"] == "ok" and reply.body["livekitReachable"] is True
    stamp = datetime.fromisoformat(reply.body["timestamp"].replace("Z", "+00:00"))
    offset = stamp.utcoffset()
    assert offset is not None and offset.total_seconds() == 0
