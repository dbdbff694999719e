"""The backstage through the API on the real livekit-server: a second room only HostDesk mints
tokens for, where the host meets a viewer before the audience sees them."""

from __future__ import annotations

import asyncio
import json
from typing import Any

from tests.support.api_fixtures import RunningApi, Show, StartApi, new_room
from tests.support.bots import Bot, first_frame_rgb

RED = (230, 20, 20)


async def _send_backstage(api: RunningApi, room: str, host: Bot, viewer: Bot) -> dict[str, Any]:
    body = {"viewerIdentity": viewer.identity, "hostIdentity": host.identity, "to": "backstage"}
    reply = await api.request("POST", f"/api/rooms/{room}/invite", body, token=host.token)
    assert reply.status == 200, reply.body
    result: dict[str, Any] = reply.body
    return result


def _attribute(bot: Bot, identity: str) -> str | None:
    remote = bot.remote(identity)
    return remote.attributes.get("backstage") if remote is not None else None


async def test_an_invitation_to_backstage_writes_the_attribute_a_bot_sees_and_answers_a_token(
    api: RunningApi,
    show: Show,
) -> None:
    room, host, viewer = show
    reply = await _send_backstage(api, room, host, viewer)
    assert reply["success"] is True
    assert reply["message"] == f"{viewer.identity} has been invited backstage"
    await host.wait_for(lambda: _attribute(host, viewer.identity) == "1")
    info = await api.request("GET", f"/api/rooms/{room}")
    assert info.body["room"]["backstage"] == [{"identity": viewer.identity, "name": "Sam Viewer"}]
    assert info.body["room"]["guests"] == []
    backstage = Bot(viewer.identity, reply["token"], reply["wsUrl"])
    api.bots.append(backstage)
    await backstage.connect()
    assert backstage.room.name == f"{room}~backstage"


async def test_a_backstage_token_is_refused_before_and_to_others_and_given_after(
    api: RunningApi,
    show: Show,
) -> None:
    room, host, viewer = show
    other = await api.joined_bot(room, "Bo")
    path = f"/api/rooms/{room}/backstage/token"
    before = await api.request("POST", path, token=viewer.token)
    assert (before.status, before.body) == (403, {"error": "You are not backstage"})
    await _send_backstage(api, room, host, viewer)
    refused = await api.request("POST", path, token=other.token)
    assert (refused.status, refused.body) == (403, {"error": "You are not backstage"})
    given = await api.request("POST", path, token=viewer.token)
    assert given.status == 200, given.body
    assert given.body["roomName"] == f"{room}~backstage"
    assert given.body["identity"] == viewer.identity
    no_token = await api.request("POST", path)
    assert (no_token.status, no_token.body) == (401, {"error": "Authentication required"})


async def test_the_backstage_guest_is_seen_by_the_host_backstage_and_by_no_viewer(
    api: RunningApi,
    show: Show,
) -> None:
    room, host, viewer = show
    audience = await api.joined_bot(room, "Cy")
    await _send_backstage(api, room, host, viewer)
    guest_backstage = await api.backstage_bot(room, viewer)
    await guest_backstage.publish_colour(RED)
    talkback = api.backend.service.backstage.host_token(room, host.identity, "Jane")
    host_backstage = Bot(host.identity, talkback.token, talkback.ws_url)
    api.bots.append(host_backstage)
    await host_backstage.connect()
    tracks = await host_backstage.wait_for(
        lambda: host_backstage.remote_video_tracks(viewer.identity), 15
    )
    r, g, b = await first_frame_rgb(tracks[0])
    assert r > 180 and g < 80 and b < 80, (r, g, b)
    for bot in (audience, host):  # in the show's room: the viewer, with no track of theirs
        remote = bot.remote(viewer.identity)
        assert remote is not None and not remote.track_publications
        assert {p.identity for p in bot.room.remote_participants.values()} <= {
            host.identity,
            viewer.identity,
            audience.identity,
        }


async def test_take_live_puts_them_on_stage_clears_the_attribute_and_empties_the_backstage(
    api: RunningApi,
    show: Show,
) -> None:
    room, host, viewer = show
    await _send_backstage(api, room, host, viewer)
    backstage = await api.backstage_bot(room, viewer)
    body = {"guestIdentity": viewer.identity, "hostIdentity": host.identity}
    reply = await api.request("POST", f"/api/rooms/{room}/take-live", body, token=host.token)
    assert reply.status == 200, reply.body
    assert reply.body["message"] == f"{viewer.identity} has been taken live"
    assert reply.body["token"] and reply.body["wsUrl"]
    await asyncio.wait_for(backstage.disconnected.wait(), 10)

    def live() -> bool:
        remote = host.remote(viewer.identity)
        return (
            remote is not None
            and json.loads(remote.metadata)["role"] == "guest"
            and "backstage" not in remote.attributes
        )

    await host.wait_for(live)
    info = (await api.request("GET", f"/api/rooms/{room}")).body["room"]
    assert info["backstage"] == []
    assert [g["identity"] for g in info["guests"]] == [viewer.identity]
    again = await api.request("POST", f"/api/rooms/{room}/take-live", body, token=host.token)
    assert (again.status, again.body) == (400, {"error": f"{viewer.identity} is not backstage"})


async def test_demote_of_a_backstage_viewer_sends_them_back(api: RunningApi, show: Show) -> None:
    room, host, viewer = show
    await _send_backstage(api, room, host, viewer)
    backstage = await api.backstage_bot(room, viewer)
    body = {"guestIdentity": viewer.identity, "hostIdentity": host.identity}
    reply = await api.request("POST", f"/api/rooms/{room}/demote", body, token=host.token)
    assert reply.status == 200, reply.body
    assert reply.body["message"] == f"{viewer.identity} has been sent back to the audience"
    await asyncio.wait_for(backstage.disconnected.wait(), 10)
    await host.wait_for(lambda: _attribute(host, viewer.identity) is None)
    remote = host.remote(viewer.identity)
    assert remote is not None and json.loads(remote.metadata)["role"] == "viewer"
    after = await api.request("POST", f"/api/rooms/{room}/backstage/token", token=viewer.token)
    assert (after.status, after.body) == (403, {"error": "You are not backstage"})


async def test_remove_guest_of_a_backstage_viewer_sends_them_back(
    api: RunningApi, show: Show
) -> None:
    room, host, viewer = show
    await _send_backstage(api, room, host, viewer)
    body = {"guestIdentity": viewer.identity, "hostIdentity": host.identity}
    reply = await api.request("POST", f"/api/rooms/{room}/remove-guest", body, token=host.token)
    assert reply.status == 200, reply.body
    assert reply.body["message"] == f"{viewer.identity} has been sent back to the audience"
    await host.wait_for(lambda: _attribute(host, viewer.identity) is None)
    assert not viewer.disconnected.is_set()  # still watching the show


async def test_removing_a_backstage_viewer_from_the_show_removes_them_from_the_backstage(
    api: RunningApi,
    show: Show,
) -> None:
    room, host, viewer = show
    await _send_backstage(api, room, host, viewer)
    backstage = await api.backstage_bot(room, viewer)
    path = f"/api/rooms/{room}/participants/{viewer.identity}"
    reply = await api.request("DELETE", path, token=host.token)
    assert (reply.status, reply.body) == (200, {"success": True})
    await asyncio.wait_for(backstage.disconnected.wait(), 10)


async def test_a_backstage_room_name_is_refused_at_join_and_in_paths(api: RunningApi) -> None:
    body = {"roomName": "x~backstage", "participantName": "Ann", "role": "viewer"}
    joined = await api.request("POST", "/api/rooms/join", body)
    assert (joined.status, joined.body) == (400, {"error": "That room name is reserved"})
    info = await api.request("GET", "/api/rooms/x~backstage")
    assert (info.status, info.body) == (400, {"error": "That room name is reserved"})


async def test_take_live_of_someone_not_backstage_is_refused(api: RunningApi, show: Show) -> None:
    room, host, viewer = show
    body = {"guestIdentity": viewer.identity, "hostIdentity": host.identity}
    reply = await api.request("POST", f"/api/rooms/{room}/take-live", body, token=host.token)
    assert (reply.status, reply.body) == (400, {"error": f"{viewer.identity} is not backstage"})
    bad = {**body, "to": "nowhere"}
    bad["viewerIdentity"] = viewer.identity
    invite = await api.request("POST", f"/api/rooms/{room}/invite", bad, token=host.token)
    assert (invite.status, invite.body) == (400, {"error": 'to must be "backstage" or "stage"'})


async def test_racing_take_lives_at_stage_size_one_make_one_guest(start_api: StartApi) -> None:
    api = await start_api()
    room = new_room()
    host = await api.joined_bot(room, "Jane", "host")
    viewers = [await api.joined_bot(room, f"V{i}") for i in range(4)]
    for viewer in viewers:
        await _send_backstage(api, room, host, viewer)
    replies = await asyncio.gather(
        *(
            api.request(
                "POST",
                f"/api/rooms/{room}/take-live",
                {"guestIdentity": v.identity, "hostIdentity": host.identity},
                key=True,
            )
            for v in viewers
        )
    )
    assert sorted(r.status for r in replies) == [200, 403, 403, 403]
    assert [r.body for r in replies if r.status == 403] == [
        {"error": "Room already has a guest"}
    ] * 3
    info = (await api.request("GET", f"/api/rooms/{room}")).body["room"]
    assert len(info["guests"]) == 1
    assert len(info["backstage"]) == 3
