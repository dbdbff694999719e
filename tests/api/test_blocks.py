"""Blocking through the API on the real livekit-server: the blocked participant is disconnected,
the browser they joined from is refused a new token with the documented message, the block is
listed and can be lifted; every new endpoint refuses bad input with its documented error."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest

from hostdesk.paths import ENV_CONFIG
from hostdesk.show import rules
from hostdesk.show.blocks import BLOCK_NOT_FOUND, BLOCKED_JOIN
from hostdesk.show.stage import PARTICIPANT_NOT_FOUND
from tests.support.api_fixtures import RunningApi, StartApi, new_room
from tests.support.bots import Bot
from tests.support.comeback import REMOVED_WITHIN_S, come_back


@pytest.fixture
def config_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Blocks go to a folder of this test's own, never the user's config folder."""
    folder = tmp_path / "config"
    monkeypatch.setenv(ENV_CONFIG, str(folder))
    return folder


async def join_with_client(
    api: RunningApi, room: str, name: str, client_id: Any, role: str = "viewer"
) -> Any:
    body = {"roomName": room, "participantName": name, "role": role, "clientId": client_id}
    return await api.request("POST", "/api/rooms/join", body, key=role == "host")


async def show_with_troll(api: RunningApi, client_id: str) -> tuple[str, Bot, Bot]:
    room = new_room()
    host = await api.joined_bot(room, "Jane Host", "host")
    joined = await join_with_client(api, room, "Troll 🧌", client_id)
    assert joined.status == 200, joined.body
    troll = await api.bot(joined.body)
    await host.wait_for(lambda: host.remote(troll.identity))
    return room, host, troll


async def test_a_blocked_viewer_is_disconnected_and_their_browser_refused_until_unblocked(
    config_folder: Path, start_api: StartApi
) -> None:
    api = await start_api()
    room, host, troll = await show_with_troll(api, "browser-of-the-troll")
    blocked = await api.request(
        "POST", f"/api/rooms/{room}/participants/{troll.identity}/block", token=host.token
    )
    assert (blocked.status, blocked.body) == (200, {"success": True})
    await asyncio.wait_for(troll.disconnected.wait(), 10)
    await host.wait_for(lambda: host.remote(troll.identity) is None)

    listed = await api.request("GET", f"/api/rooms/{room}/blocks", key=True)
    assert listed.status == 200
    (entry,) = listed.body["blocks"]
    assert (entry["identity"], entry["name"]) == (troll.identity, "Troll 🧌")
    assert entry["blockedAt"].endswith("Z")

    refused = await join_with_client(api, room, "Totally New Name", "browser-of-the-troll")
    assert (refused.status, refused.body) == (403, {"error": BLOCKED_JOIN})
    other = await join_with_client(api, room, "Someone Else", "another-browser")
    assert other.status == 200, other.body
    plain = await api.request(
        "POST", "/api/rooms/join", {"roomName": room, "participantName": "No Id", "role": "viewer"}
    )
    assert plain.status == 200, plain.body

    lifted = await api.request("DELETE", f"/api/rooms/{room}/blocks/{troll.identity}", key=True)
    assert (lifted.status, lifted.body) == (200, {"success": True})
    back = await join_with_client(api, room, "Troll 🧌", "browser-of-the-troll")
    assert back.status == 200, back.body
    assert (await api.request("GET", f"/api/rooms/{room}/blocks", key=True)).body == {"blocks": []}
    again = await api.request("DELETE", f"/api/rooms/{room}/blocks/{troll.identity}", key=True)
    assert (again.status, again.body) == (404, {"error": BLOCK_NOT_FOUND})


async def test_an_old_token_reconnecting_is_removed_within_2_s_without_the_window(
    config_folder: Path, start_api: StartApi
) -> None:
    """Only the backend runs (as under `hostdesk serve`): its sweep removes the comer."""
    api = await start_api()
    room, _host, troll = await show_with_troll(api, "browser-r")
    path = f"/api/rooms/{room}/participants/{troll.identity}/block"
    assert (await api.request("POST", path, key=True)).status == 200
    await asyncio.wait_for(troll.disconnected.wait(), 10)
    await troll.close()
    back = await come_back(api, room, Bot(troll.identity, troll.token, troll.url))
    print(f"blocked reconnect: {back.describe()}")
    assert not back.listed_at_end and not back.connected_at_end, back.describe()
    assert back.time_in_room_s <= REMOVED_WITHIN_S, back.describe()


async def test_blocks_are_per_room(config_folder: Path, start_api: StartApi) -> None:
    api = await start_api()
    room, _host, troll = await show_with_troll(api, "browser-t")
    reply = await api.request(
        "POST", f"/api/rooms/{room}/participants/{troll.identity}/block", key=True
    )
    assert reply.status == 200
    elsewhere = new_room()
    await api.joined_bot(elsewhere, "Other Host", "host")
    assert (await join_with_client(api, elsewhere, "Troll", "browser-t")).status == 200


async def test_blocking_someone_not_there_says_who_is_missing(
    config_folder: Path, start_api: StartApi
) -> None:
    api = await start_api()
    room, host_bot, _troll = await show_with_troll(api, "browser-w")
    unknown = await api.request(
        "POST", f"/api/rooms/{room}/participants/viewer-nobody/block", key=True
    )
    assert (unknown.status, unknown.body) == (404, {"error": PARTICIPANT_NOT_FOUND})
    no_room = await api.request(
        "POST", f"/api/rooms/{new_room()}/participants/viewer-nobody/block", key=True
    )
    assert (no_room.status, no_room.body) == (404, {"error": "Room not found"})
    not_blocked = await api.request("DELETE", f"/api/rooms/{room}/blocks/viewer-nobody", key=True)
    assert (not_blocked.status, not_blocked.body) == (404, {"error": BLOCK_NOT_FOUND})
    bad_path = await api.request("GET", f"/api/rooms/{' '}/blocks", key=True)
    assert (bad_path.status, bad_path.body) == (400, {"error": "roomName must not be empty"})
    host = await api.request(
        "POST", f"/api/rooms/{room}/participants/{host_bot.identity}/block", key=True
    )
    assert (host.status, host.body) == (400, {"error": "The host cannot be blocked"})


@pytest.mark.parametrize(
    ("client_id", "error"),
    [
        (5, "clientId must be a string"),
        (None, "clientId must be a string"),
        (["a"], "clientId must be a string"),
        (True, "clientId must be a string"),
        ("   ", "clientId must not be empty"),
        (
            "x" * (rules.NAME_MAX_LENGTH + 1),
            f"clientId must be at most {rules.NAME_MAX_LENGTH} characters",
        ),
        ("id\u202eevil", "clientId must not contain control characters"),
    ],
)
async def test_a_join_with_a_bad_client_id_is_refused_with_its_message(
    api: RunningApi, client_id: Any, error: str
) -> None:
    reply = await join_with_client(api, new_room(), "Sam Viewer", client_id)
    assert (reply.status, reply.body) == (400, {"error": error})
    as_host = await join_with_client(api, new_room(), "Jane Host", client_id, role="host")
    assert (as_host.status, as_host.body) == (400, {"error": error})
