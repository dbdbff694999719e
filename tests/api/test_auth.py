"""Production mode (the default): who may call what (DESIGN.md "Trust")."""

from __future__ import annotations

from tests.support.api_fixtures import RunningApi, new_room


async def test_joining_as_host_needs_the_api_key(api: RunningApi) -> None:
    body = {"roomName": new_room(), "participantName": "Jane", "role": "host"}
    none = await api.request("POST", "/api/rooms/join", body)
    assert (none.status, none.body) == (401, {"error": "Authentication required"})
    wrong = await api.request("POST", "/api/rooms/join", body, headers={"X-API-Key": "guess"})
    assert (wrong.status, wrong.body) == (403, {"error": "Invalid API key"})
    right = await api.request("POST", "/api/rooms/join", body, key=True)
    assert right.status == 200 and right.body["role"] == "host"


async def test_viewers_join_and_read_room_info_without_credentials(api: RunningApi) -> None:
    room = new_room()
    await api.joined_bot(room, "Jane", "host")
    joined = await api.request(
        "POST", "/api/rooms/join", {"roomName": room, "participantName": "Sam", "role": "viewer"}
    )
    assert joined.status == 200
    info = await api.request("GET", f"/api/rooms/{room}")
    assert info.status == 200 and info.body["room"]["hasHost"] is True
    assert (await api.request("GET", "/health")).status == 200
    assert (await api.request("GET", "/api/openapi.json")).status == 200


async def test_host_only_calls_need_credentials(api: RunningApi) -> None:
    room = new_room()
    host = await api.joined_bot(room, "Jane", "host")
    viewer = await api.joined_bot(room, "Sam")
    calls = [
        ("GET", "/api/rooms", None),
        ("GET", f"/api/rooms/{room}/participants", None),
        ("DELETE", f"/api/rooms/{room}/participants/{viewer.identity}", None),
        ("DELETE", f"/api/rooms/{room}", None),
        (
            "POST",
            f"/api/rooms/{room}/invite",
            {"viewerIdentity": viewer.identity, "hostIdentity": host.identity},
        ),
        (
            "POST",
            f"/api/rooms/{room}/demote",
            {"guestIdentity": viewer.identity, "hostIdentity": host.identity},
        ),
        (
            "POST",
            f"/api/rooms/{room}/remove-guest",
            {"guestIdentity": viewer.identity, "hostIdentity": host.identity},
        ),
    ]
    for method, path, body in calls:
        anonymous = await api.request(method, path, body)
        assert (anonymous.status, anonymous.body) == (401, {"error": "Authentication required"})
        as_viewer = await api.request(method, path, body, token=viewer.token)
        assert as_viewer.status == 403, (method, path, as_viewer.body)
        forged = await api.request(method, path, body, token=viewer.token[:-4] + "AAAA")
        assert (forged.status, forged.body) == (403, {"error": "Invalid or expired token"})
    assert not viewer.disconnected.is_set()


async def test_host_token_runs_its_own_show_but_only_as_itself(api: RunningApi) -> None:
    room = new_room()
    host = await api.joined_bot(room, "Jane", "host")
    viewer = await api.joined_bot(room, "Sam")
    path = f"/api/rooms/{room}/invite"
    impersonated = await api.request(
        "POST",
        path,
        {"viewerIdentity": viewer.identity, "hostIdentity": "someone-else"},
        token=host.token,
    )
    assert (impersonated.status, impersonated.body) == (
        403,
        {"error": "Only the host can promote viewers to guest"},
    )
    invited = await api.request(
        "POST",
        path,
        {"viewerIdentity": viewer.identity, "hostIdentity": host.identity},
        token=host.token,
    )
    assert invited.status == 200
    listed = await api.request("GET", f"/api/rooms/{room}/participants", token=host.token)
    assert listed.status == 200 and len(listed.body["participants"]) == 2


async def test_a_host_token_of_another_room_is_refused(api: RunningApi) -> None:
    room, elsewhere = new_room(), new_room()
    await api.joined_bot(room, "Jane", "host")
    other_host = await api.joined_bot(elsewhere, "Olga", "host")
    reply = await api.request("GET", f"/api/rooms/{room}/participants", token=other_host.token)
    assert (reply.status, reply.body) == (403, {"error": "Token is not for this room"})


async def test_viewers_raise_only_their_own_hand(api: RunningApi) -> None:
    room = new_room()
    host = await api.joined_bot(room, "Jane", "host")
    sam = await api.joined_bot(room, "Sam")
    eve = await api.joined_bot(room, "Eve")
    path = f"/api/rooms/{room}/hand-raise"
    body = {"participantIdentity": sam.identity, "raised": True}

    assert (await api.request("POST", path, body)).status == 401
    by_eve = await api.request("POST", path, body, token=eve.token)
    assert (by_eve.status, by_eve.body) == (
        403,
        {"error": "You can only raise or lower your own hand"},
    )
    by_sam = await api.request("POST", path, body, token=sam.token)
    assert (by_sam.status, by_sam.body) == (200, {"success": True, "handRaised": True})
    lowered_by_host = await api.request(
        "POST", path, {"participantIdentity": sam.identity, "raised": False}, token=host.token
    )
    assert lowered_by_host.body == {"success": True, "handRaised": False}


async def test_no_auth_mode_is_the_documented_mvp(open_api: RunningApi) -> None:
    room = new_room()
    reply = await open_api.request(
        "POST", "/api/rooms/join", {"roomName": room, "participantName": "Jane", "role": "host"}
    )
    assert reply.status == 200
    assert (await open_api.request("GET", "/api/rooms")).status == 200
