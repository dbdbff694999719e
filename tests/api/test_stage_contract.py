"""Invite, demote, remove-guest and hand-raise: what the participants see in LiveKit."""

from __future__ import annotations

import asyncio
import json

from livekit import rtc

from tests.support.api_fixtures import RunningApi, new_room
from tests.support.bots import Bot, first_frame_rgb

GREEN = (40, 200, 60)


async def _show(api: RunningApi) -> tuple[str, Bot, Bot]:
    room = new_room()
    host = await api.joined_bot(room, "Jane Host", "host")
    viewer = await api.joined_bot(room, "Sam Viewer")
    await host.wait_for(lambda: host.remote(viewer.identity))
    return room, host, viewer


async def _invite(api: RunningApi, room: str, viewer: str, host: str) -> dict[str, object]:
    reply = await api.request(
        "POST", f"/api/rooms/{room}/invite", {"viewerIdentity": viewer, "hostIdentity": host}
    )
    assert reply.status == 200, reply.body
    body: dict[str, object] = reply.body
    return body


async def test_invited_viewer_is_promoted_live_and_their_video_reaches_the_host(
    open_api: RunningApi,
) -> None:
    room, host, viewer = await _show(open_api)
    body = await _invite(open_api, room, viewer.identity, host.identity)
    assert (
        body["success"] is True
        and body["message"] == f"{viewer.identity} has been promoted to guest"
    )
    assert isinstance(body["token"], str) and body["wsUrl"] == open_api.backend.livekit.url

    await viewer.wait_for(lambda: viewer.room.local_participant.permissions.can_publish)
    promoted = await viewer.wait_message("guest_promoted")
    assert promoted["targetParticipantId"] == viewer.identity
    assert promoted["senderId"] == host.identity
    assert json.loads(viewer.room.local_participant.metadata)["role"] == "guest"

    await viewer.publish_colour(GREEN)
    tracks = await host.wait_for(lambda: host.remote_video_tracks(viewer.identity), timeout=15)
    r, g, b = await first_frame_rgb(tracks[0])
    assert abs(r - GREEN[0]) < 30 and abs(g - GREEN[1]) < 30 and abs(b - GREEN[2]) < 30


async def test_demoted_guest_loses_the_stage_and_cannot_publish_again(
    open_api: RunningApi,
) -> None:
    room, host, viewer = await _show(open_api)
    await _invite(open_api, room, viewer.identity, host.identity)
    await viewer.wait_for(lambda: viewer.room.local_participant.permissions.can_publish)
    await viewer.publish_colour(GREEN)
    await host.wait_for(lambda: host.remote_video_tracks(viewer.identity), timeout=15)

    reply = await open_api.request(
        "POST",
        f"/api/rooms/{room}/demote",
        {"guestIdentity": viewer.identity, "hostIdentity": host.identity},
    )
    assert reply.status == 200
    assert reply.body["message"] == f"{viewer.identity} has been demoted to viewer"
    assert reply.body["success"] is True and reply.body["token"]

    await host.wait_for(lambda: not host.remote_video_tracks(viewer.identity), timeout=10)
    demoted = await viewer.wait_message("guest_demoted")
    assert demoted["targetParticipantId"] == viewer.identity
    await viewer.wait_for(lambda: not viewer.room.local_participant.permissions.can_publish)
    assert json.loads(viewer.room.local_participant.metadata)["role"] == "viewer"

    source = rtc.VideoSource(64, 64)
    track = rtc.LocalVideoTrack.create_video_track("again", source)
    refused = False
    try:
        await asyncio.wait_for(viewer.room.local_participant.publish_track(track), 10)
    except Exception:
        refused = True
    # The sentinel: a hand raised after the attempt reaches the host in a participant update
    # from the server, which lists the viewer's tracks as the server holds them by then.
    raised = await open_api.request(
        "POST",
        f"/api/rooms/{room}/hand-raise",
        {"participantIdentity": viewer.identity, "raised": True},
    )
    assert raised.status == 200, raised.body
    seen = await host.wait_for(
        lambda: (p := host.remote(viewer.identity)) and p.attributes.get("handRaisedAt") and p
    )
    assert refused or not seen.track_publications
    assert not host.remote_video_tracks(viewer.identity)


async def test_remove_guest_disconnects_the_guest(open_api: RunningApi) -> None:
    room, host, viewer = await _show(open_api)
    await _invite(open_api, room, viewer.identity, host.identity)
    reply = await open_api.request(
        "POST",
        f"/api/rooms/{room}/remove-guest",
        {"guestIdentity": viewer.identity, "hostIdentity": host.identity},
    )
    assert reply.status == 200
    assert reply.body == {
        "success": True,
        "message": f"{viewer.identity} has been removed from the room",
    }
    await asyncio.wait_for(viewer.disconnected.wait(), 10)
    assert (await host.wait_message("guest_demoted"))["targetParticipantId"] == viewer.identity


async def test_invite_errors_are_the_documented_ones(open_api: RunningApi) -> None:
    room, host, viewer = await _show(open_api)
    other = await open_api.joined_bot(room, "Other Viewer")
    path = f"/api/rooms/{room}/invite"

    missing = await open_api.request("POST", path, {"viewerIdentity": viewer.identity})
    assert (missing.status, missing.body) == (
        400,
        {"error": "viewerIdentity and hostIdentity are required"},
    )
    not_host = await open_api.request(
        "POST", path, {"viewerIdentity": viewer.identity, "hostIdentity": other.identity}
    )
    assert (not_host.status, not_host.body) == (
        403,
        {"error": "Only the host can promote viewers to guest"},
    )
    await _invite(open_api, room, viewer.identity, host.identity)
    second = await open_api.request(
        "POST", path, {"viewerIdentity": other.identity, "hostIdentity": host.identity}
    )
    assert (second.status, second.body) == (403, {"error": "Room already has a guest"})


async def test_five_racing_invitations_make_exactly_one_guest(open_api: RunningApi) -> None:
    room = new_room()
    host = await open_api.joined_bot(room, "Jane", "host")
    viewers = [await open_api.joined_bot(room, f"V{i}") for i in range(5)]
    replies = await asyncio.gather(
        *(
            open_api.request(
                "POST",
                f"/api/rooms/{room}/invite",
                {"viewerIdentity": v.identity, "hostIdentity": host.identity},
            )
            for v in viewers
        )
    )
    assert sorted(r.status for r in replies) == [200, 403, 403, 403, 403]
    listed = await open_api.request("GET", f"/api/rooms/{room}/participants")
    roles = [json.loads(p["metadata"])["role"] for p in listed.body["participants"]]
    assert roles.count("guest") == 1


async def test_demote_or_remove_of_someone_not_the_guest_is_refused(
    open_api: RunningApi,
) -> None:
    room, host, viewer = await _show(open_api)
    for action in ("demote", "remove-guest"):
        reply = await open_api.request(
            "POST",
            f"/api/rooms/{room}/{action}",
            {"guestIdentity": viewer.identity, "hostIdentity": host.identity},
        )
        assert (reply.status, reply.body) == (400, {"error": f"{viewer.identity} is not the guest"})
        missing = await open_api.request(
            "POST", f"/api/rooms/{room}/{action}", {"hostIdentity": host.identity}
        )
        assert (missing.status, missing.body) == (
            400,
            {"error": "guestIdentity and hostIdentity are required"},
        )


async def test_raised_hands_are_recorded_in_order_and_announced(open_api: RunningApi) -> None:
    room, host, first = await _show(open_api)
    second = await open_api.joined_bot(room, "Second")
    path = f"/api/rooms/{room}/hand-raise"

    for bot in (first, second):
        reply = await open_api.request(
            "POST", path, {"participantIdentity": bot.identity, "raised": True}
        )
        assert (reply.status, reply.body) == (200, {"success": True, "handRaised": True})
    announced = await host.wait_message("hand_raise")
    assert announced["senderId"] == first.identity and announced["senderName"] == "Sam Viewer"

    def stamps() -> tuple[int, int] | None:
        a = host.remote(first.identity)
        b = host.remote(second.identity)
        if a and b and a.attributes.get("handRaisedAt") and b.attributes.get("handRaisedAt"):
            return int(a.attributes["handRaisedAt"]), int(b.attributes["handRaisedAt"])
        return None

    first_at, second_at = await host.wait_for(stamps)
    assert first_at < second_at

    lowered = await open_api.request(
        "POST", path, {"participantIdentity": first.identity, "raised": False}
    )
    assert lowered.body == {"success": True, "handRaised": False}
    await host.wait_for(lambda: not host.remote(first.identity).attributes.get("handRaisedAt"))
    assert (await host.wait_message("hand_lower"))["senderId"] == first.identity


async def test_hand_raise_errors(open_api: RunningApi) -> None:
    room, _host, viewer = await _show(open_api)
    path = f"/api/rooms/{room}/hand-raise"
    unknown = await open_api.request(
        "POST", path, {"participantIdentity": "nobody", "raised": True}
    )
    assert (unknown.status, unknown.body) == (404, {"error": "Participant not found"})
    wrong = await open_api.request(
        "POST", path, {"participantIdentity": viewer.identity, "raised": "yes"}
    )
    assert (wrong.status, wrong.body) == (400, {"error": "raised must be a boolean"})
    missing = await open_api.request("POST", path, {"participantIdentity": viewer.identity})
    assert (missing.status, missing.body) == (
        400,
        {"error": "participantIdentity and raised are required"},
    )
