"""Blocking while the host's window runs: the blocked viewer is disconnected, and coming back
with the token they still hold (LiveKit cannot revoke it) gets them removed again within 2 s."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import pytest_asyncio

from hostdesk.paths import ENV_CONFIG
from hostdesk.ui.models import IDENTITY_ROLE
from tests.support.api_fixtures import StartApi
from tests.support.bots import Bot
from tests.support.comeback import REMOVED_WITHIN_S, come_back
from tests.support.desk_fixtures import Desk, eventually, host_window, viewer


@pytest_asyncio.fixture(loop_scope="session")
async def blocking_desk(
    start_api: StartApi, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[Desk]:
    """The window on a HostDesk whose blocks go to this test's own config folder."""
    monkeypatch.setenv(ENV_CONFIG, str(tmp_path / "config"))
    async with host_window(await start_api(auth=True), tmp_path) as desk:
        yield desk


async def test_a_blocked_viewer_reconnecting_with_their_old_token_is_removed_at_once(
    blocking_desk: Desk,
) -> None:
    desk = blocking_desk
    await desk.go_live()
    troll = await viewer(desk, "Troll")
    bystander = await viewer(desk, "Sam Viewer")

    # As the host does it: the troll's row, Block…, and yes in the confirmation.
    view = desk.window.audience.view
    rows = [view.model().index(r, 0) for r in range(view.model().rowCount())]
    view.setCurrentIndex(next(i for i in rows if i.data(IDENTITY_ROLE) == troll.identity))
    desk.window.audience.block_button.click()
    await desk.accept_confirmation()
    await asyncio.wait_for(troll.disconnected.wait(), 10)
    await eventually(lambda: desk.mirror.get(troll.identity) is None, 10, "troll gone")
    await troll.close()

    back = await come_back(desk.api, desk.room, Bot(troll.identity, troll.token, troll.url))
    print(f"blocked reconnect: {back.describe()}")
    assert not back.listed_at_end and not back.connected_at_end, back.describe()
    assert back.time_in_room_s <= REMOVED_WITHIN_S, back.describe()
    await eventually(lambda: desk.mirror.get(troll.identity) is None, 5, "troll gone again")
    assert desk.mirror.get(bystander.identity) is not None
    assert not bystander.disconnected.is_set()
    listed = await desk.api.request("GET", f"/api/rooms/{desk.room}/blocks", key=True)
    assert [b["identity"] for b in listed.body["blocks"]] == [troll.identity]


async def test_an_unblocked_viewer_may_come_back_with_their_token(blocking_desk: Desk) -> None:
    desk = blocking_desk
    await desk.go_live()
    troll = await viewer(desk, "Troll")
    await desk.control.block(troll.identity)
    await asyncio.wait_for(troll.disconnected.wait(), 10)
    await troll.close()
    reply = await desk.api.request(
        "DELETE", f"/api/rooms/{desk.room}/blocks/{troll.identity}", key=True
    )
    assert reply.status == 200

    again = Bot(troll.identity, troll.token, troll.url)
    desk.api.bots.append(again)
    await again.connect()
    await eventually(lambda: desk.mirror.get(troll.identity), 10, "troll back in the audience")
    await asyncio.sleep(REMOVED_WITHIN_S)  # the window's removal would have come by now
    assert not again.disconnected.is_set()
