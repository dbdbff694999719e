"""Short-lived tokens and their renewal, on the real livekit-server: a participant's own token
gets a fresh one for the same identity and name with the role LiveKit gives them now, which
connects; nobody else's credentials do, and a blocked participant gets none."""

from __future__ import annotations

import asyncio
import datetime
import time
from pathlib import Path
from typing import Any

import jwt
import pytest
from livekit import api as lkapi

from hostdesk.paths import ENV_CONFIG
from hostdesk.show.blocks import BLOCKED_JOIN
from tests.support.api_fixtures import RunningApi, new_room


@pytest.fixture
def config_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Blocks go to a folder of this test's own, never the user's config folder."""
    folder = tmp_path / "config"
    monkeypatch.setenv(ENV_CONFIG, str(folder))
    return folder


def _claims(api: RunningApi, token: str) -> dict[str, Any]:
    claims: dict[str, Any] = jwt.decode(
        token, api.backend.livekit.api_secret, ["HS256"], options={"verify_iss": False}
    )
    return claims


def _token(api: RunningApi, room: str, identity: str, ttl: datetime.timedelta) -> str:
    """A token signed with the API secret as HostDesk's are, with the lifetime given."""
    settings = api.backend.livekit
    return (
        lkapi.AccessToken(settings.api_key, settings.api_secret)
        .with_identity(identity)
        .with_name("Sam Viewer")
        .with_grants(lkapi.VideoGrants(room_join=True, room=room))
        .with_ttl(ttl)
        .to_jwt()
    )


async def _renew(api: RunningApi, room: str, token: str | None, **kwargs: Any) -> Any:
    return await api.request("POST", f"/api/rooms/{room}/token", token=token, **kwargs)


async def test_a_fresh_token_is_the_same_participant_for_ten_more_minutes(
    api: RunningApi,
) -> None:
    room = new_room()
    await api.joined_bot(room, "Jane Host", "host")
    viewer = await api.joined_bot(room, "Sam Viewer")
    nearly_expired = _token(api, room, viewer.identity, datetime.timedelta(minutes=1))

    reply = await _renew(api, room, nearly_expired)

    assert reply.status == 200, reply.body
    assert reply.body.keys() == {"token", "wsUrl", "roomName", "role", "identity"}
    assert (reply.body["identity"], reply.body["roomName"], reply.body["role"]) == (
        viewer.identity,
        room,
        "viewer",
    )
    old, new = _claims(api, nearly_expired), _claims(api, reply.body["token"])
    assert (new["sub"], new["name"], new["video"]["room"]) == (viewer.identity, "Sam Viewer", room)
    assert new["exp"] > old["exp"]
    assert abs(new["exp"] - (time.time() + 600)) <= 5
    assert new["video"].get("canPublish") is False


async def test_every_token_the_api_mints_lives_ten_minutes(api: RunningApi) -> None:
    joined = await api.join(new_room(), "Sam Viewer")
    claims = _claims(api, joined["token"])
    assert claims["exp"] - claims["nbf"] == 600


async def test_a_renewed_token_connects_to_livekit_as_the_same_participant(
    api: RunningApi,
) -> None:
    room = new_room()
    host = await api.joined_bot(room, "Jane Host", "host")
    viewer = await api.joined_bot(room, "Sam Viewer")
    renewed = (await _renew(api, room, viewer.token)).body
    await viewer.close()
    await host.wait_for(lambda: host.remote(viewer.identity) is None)

    again = await api.bot(renewed)

    seen = await host.wait_for(lambda: host.remote(viewer.identity))
    assert seen.name == "Sam Viewer"
    assert again.room.local_participant.identity == viewer.identity


async def test_the_guest_renews_as_guest_and_back_to_viewer_after_demotion(
    api: RunningApi,
) -> None:
    room = new_room()
    host = await api.joined_bot(room, "Jane Host", "host")
    viewer = await api.joined_bot(room, "Sam Viewer")
    body = {"viewerIdentity": viewer.identity, "hostIdentity": host.identity}
    invited = await api.request("POST", f"/api/rooms/{room}/invite", body, token=host.token)
    assert invited.status == 200, invited.body

    as_guest = await _renew(api, room, viewer.token)  # the join's token, a viewer's

    assert (as_guest.status, as_guest.body["role"]) == (200, "guest")
    assert _claims(api, as_guest.body["token"])["video"]["canPublish"] is True
    demote = {"guestIdentity": viewer.identity, "hostIdentity": host.identity}
    demoted = await api.request("POST", f"/api/rooms/{room}/demote", demote, token=host.token)
    assert demoted.status == 200, demoted.body
    back = await _renew(api, room, as_guest.body["token"])  # a guest's token
    assert (back.status, back.body["role"]) == (200, "viewer")


async def test_someone_not_in_the_room_renews_as_a_viewer_even_with_a_guest_token(
    api: RunningApi,
) -> None:
    room = new_room()
    host = await api.joined_bot(room, "Jane Host", "host")
    viewer = await api.joined_bot(room, "Sam Viewer")
    body = {"viewerIdentity": viewer.identity, "hostIdentity": host.identity}
    guest_token = (await api.request("POST", f"/api/rooms/{room}/invite", body, key=True)).body
    await viewer.close()
    await host.wait_for(lambda: host.remote(viewer.identity) is None)

    reply = await _renew(api, room, guest_token["token"])

    assert (reply.status, reply.body["role"]) == (200, "viewer")


async def test_the_host_renews_as_host_with_its_own_token_only(api: RunningApi) -> None:
    room = new_room()
    host = await api.joined_bot(room, "Jane Host", "host")

    reply = await _renew(api, room, host.token)

    assert (reply.status, reply.body["role"], reply.body["identity"]) == (
        200,
        "host",
        host.identity,
    )
    assert _claims(api, reply.body["token"])["video"]["roomAdmin"] is True
    # A viewer's token of the host's identity (signed elsewhere with the secret) is no host.
    forged = _token(api, room, host.identity, datetime.timedelta(minutes=5))
    as_viewer = await _renew(api, room, forged)
    assert (as_viewer.status, as_viewer.body["role"]) == (200, "viewer")


async def test_a_blocked_participant_gets_no_fresh_token(
    config_folder: Path, api: RunningApi
) -> None:
    room = new_room()
    await api.joined_bot(room, "Jane Host", "host")
    troll = await api.joined_bot(room, "Troll")
    path = f"/api/rooms/{room}/participants/{troll.identity}/block"
    assert (await api.request("POST", path, key=True)).status == 200
    await asyncio.wait_for(troll.disconnected.wait(), 10)

    reply = await _renew(api, room, troll.token)

    assert (reply.status, reply.body) == (403, {"error": BLOCKED_JOIN})


async def test_without_its_own_valid_token_nobody_gets_one(api: RunningApi) -> None:
    room, elsewhere = new_room(), new_room()
    await api.joined_bot(room, "Jane Host", "host")
    viewer = await api.join(room, "Sam Viewer")
    expired = _token(api, room, viewer["identity"], datetime.timedelta(seconds=-60))
    other_room = (await api.join(elsewhere, "Sam Viewer"))["token"]

    cases = [
        ({}, (401, "Authentication required")),
        ({"key": True}, (401, "Authentication required")),  # the API key names nobody
        ({"token": expired}, (403, "Invalid or expired token")),
        ({"token": viewer["token"][:-4] + "AAAA"}, (403, "Invalid or expired token")),
        ({"headers": {"Authorization": "Basic abc"}}, (403, "Invalid or expired token")),
        ({"token": other_room}, (403, "Token is not for this room")),
    ]
    for credentials, (status, error) in cases:
        token = credentials.get("token")
        extra = {k: v for k, v in credentials.items() if k != "token"}
        reply = await _renew(api, room, token, **extra)
        assert (reply.status, reply.body) == (status, {"error": error}), credentials


async def test_renewal_needs_the_token_without_auth_too(open_api: RunningApi) -> None:
    room = new_room()
    viewer = await open_api.join(room, "Sam Viewer")
    assert (await _renew(open_api, room, None)).status == 401
    reply = await _renew(open_api, room, viewer["token"])
    assert (reply.status, reply.body["identity"]) == (200, viewer["identity"])


async def test_the_document_declares_the_renewal_for_a_participants_token(
    api: RunningApi,
) -> None:
    document = (await api.request("GET", "/api/openapi.json")).body
    operation = document["paths"]["/api/rooms/{roomName}/token"]["post"]
    assert operation["security"] == [{"livekitToken": []}]
    assert operation["x-rateLimit"]["group"] == "other"
    forbidden = operation["responses"]["403"]["content"]["application/json"]["examples"]
    assert {e["value"]["error"] for e in forbidden.values()} == {
        "Invalid or expired token",
        "Token is not for this room",
        BLOCKED_JOIN,
    }
    roles = document["components"]["schemas"]["TokenReply"]["properties"]["role"]["enum"]
    assert roles == ["guest", "host", "viewer"]
