"""A stage of more than one guest (`--stage-size`), through the API on the real livekit-server:
racing invitations never put more guests on it than it has seats, and a full stage says so."""

from __future__ import annotations

import asyncio
import json

from tests.support.api_fixtures import RunningApi, StartApi, new_room
from tests.support.bots import Bot


async def test_six_racing_invitations_at_stage_size_two_make_exactly_two_guests(
    start_api: StartApi,
) -> None:
    api = await start_api(stage_size=2)
    room = new_room()
    host = await api.joined_bot(room, "Jane", "host")
    viewers = [await api.joined_bot(room, f"V{i}") for i in range(6)]
    replies = await asyncio.gather(
        *(
            api.request(
                "POST",
                f"/api/rooms/{room}/invite",
                {"viewerIdentity": v.identity, "hostIdentity": host.identity},
                token=host.token,
            )
            for v in viewers
        )
    )
    assert sorted(r.status for r in replies) == [200, 200, 403, 403, 403, 403]
    refused = [r.body for r in replies if r.status == 403]
    assert refused == [{"error": "The stage is full"}] * 4
    listed = await api.request("GET", f"/api/rooms/{room}/participants", key=True)
    roles = [json.loads(p["metadata"])["role"] for p in listed.body["participants"]]
    assert roles.count("guest") == 2


async def test_a_guest_demoted_from_a_full_stage_frees_one_seat(start_api: StartApi) -> None:
    api = await start_api(stage_size=2)
    room = new_room()
    host = await api.joined_bot(room, "Jane", "host")
    first, second, third = [await api.joined_bot(room, name) for name in ("Ann", "Bo", "Cy")]

    async def invite(viewer: Bot) -> tuple[int, object]:
        body = {"viewerIdentity": viewer.identity, "hostIdentity": host.identity}
        reply = await api.request("POST", f"/api/rooms/{room}/invite", body, key=True)
        return reply.status, reply.body

    assert (await invite(first))[0] == 200
    assert (await invite(second))[0] == 200
    assert await invite(third) == (403, {"error": "The stage is full"})
    body = {"guestIdentity": first.identity, "hostIdentity": host.identity}
    demoted = await api.request("POST", f"/api/rooms/{room}/demote", body, key=True)
    assert demoted.status == 200, demoted.body
    assert (await invite(third))[0] == 200


async def test_the_document_says_which_full_stage_message_comes_when(api: RunningApi) -> None:
    document = (await api.request("GET", "/api/openapi.json")).body
    invite = document["paths"]["/api/rooms/{roomName}/invite"]["post"]
    examples = invite["responses"]["403"]["content"]["application/json"]["examples"].values()
    assert {"Room already has a guest", "The stage is full"} <= {
        e["value"]["error"] for e in examples
    }
    assert "`Room already has a guest`, with a stage size above 1" in invite["description"]
