"""Blocks outlive HostDesk: a second HostDesk on the same config folder still refuses the
blocked browser, lists the block and can lift it for good."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from hostdesk.paths import ENV_CONFIG
from hostdesk.show.blocks import BLOCKED_JOIN
from tests.api.test_blocks import join_with_client, show_with_troll
from tests.support.api_fixtures import StartApi


async def test_blocks_survive_a_restart_of_hostdesk(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, start_api: StartApi
) -> None:
    monkeypatch.setenv(ENV_CONFIG, str(tmp_path / "config"))
    first = await start_api()
    room, _host, troll = await show_with_troll(first, "browser-of-the-troll")
    path = f"/api/rooms/{room}/participants/{troll.identity}/block"
    assert (await first.request("POST", path, key=True)).status == 200
    await asyncio.wait_for(troll.disconnected.wait(), 10)
    await first.backend.aclose()

    second = await start_api()
    listed = await second.request("GET", f"/api/rooms/{room}/blocks", key=True)
    assert [b["identity"] for b in listed.body["blocks"]] == [troll.identity]
    refused = await join_with_client(second, room, "New Name", "browser-of-the-troll")
    assert (refused.status, refused.body) == (403, {"error": BLOCKED_JOIN})
    lifted = await second.request("DELETE", f"/api/rooms/{room}/blocks/{troll.identity}", key=True)
    assert lifted.status == 200

    third = await start_api()
    assert (await join_with_client(third, room, "Troll", "browser-of-the-troll")).status == 200
