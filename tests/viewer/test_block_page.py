"""A viewer in headless Chromium blocked by the host: their page is ended, and reloading it and
joining again under another name is refused on the join form with the server's message, because
the page sends the same `clientId` from its browser storage. Another browser still gets in."""

from __future__ import annotations

from pathlib import Path

import pytest

from hostdesk.paths import ENV_CONFIG
from hostdesk.show.blocks import BLOCKED_JOIN
from tests.support.api_fixtures import StartApi, new_room
from tests.support.browser_fixtures import OpenPage, ViewerPage

LIVE = "hostdeskViewer.state === 'live'"
JOIN_ERROR = "document.getElementById('join-error')"


async def _join(viewer: ViewerPage, name: str) -> None:
    await viewer.page.fill("#name-input", name)
    await viewer.page.click("#join-button")


async def test_a_blocked_browser_cannot_rejoin_by_reloading(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    start_api: StartApi,
    viewer_pages: OpenPage,
) -> None:
    monkeypatch.setenv(ENV_CONFIG, str(tmp_path / "config"))
    api = await start_api()
    room = new_room()
    await api.joined_bot(room, "Jane Host", "host")
    troll = await viewer_pages(f"{api.url}/watch/{room}", label="troll")
    await _join(troll, "Troll")
    await troll.until(LIVE, 20)
    stored = await troll.page.evaluate("localStorage.getItem('hostdesk.clientId')")
    assert isinstance(stored, str) and stored

    listed = await api.request("GET", f"/api/rooms/{room}/participants", key=True)
    (identity,) = [p["identity"] for p in listed.body["participants"] if p["name"] == "Troll"]
    troll.expect_session_end()
    blocked = await api.request(
        "POST", f"/api/rooms/{room}/participants/{identity}/block", key=True
    )
    assert blocked.status == 200
    await troll.until(f"!({LIVE})", 10)

    troll.expect_http_error(403, "Forbidden", "/api/rooms/join")
    await troll.page.reload()
    await _join(troll, "Not A Troll")
    await troll.until(f"!{JOIN_ERROR}.hidden", 15)
    assert await troll.page.text_content("#join-error") == BLOCKED_JOIN
    assert await troll.page.evaluate("localStorage.getItem('hostdesk.clientId')") == stored

    other = await viewer_pages(f"{api.url}/watch/{room}", label="other browser")
    await _join(other, "Sam Viewer")
    await other.until(LIVE, 20)
