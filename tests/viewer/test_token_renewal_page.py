"""The viewer page in headless Chromium keeps its LiveKit token fresh through the real API
(`POST /api/rooms/:room/token`, proving who it is with the token it holds), adopts each answer,
and uses the newest token for its API calls. Real livekit-server, real API (auth on).

Test hook: HostDesk's tokens live ten minutes and the page renews at 60% of a token's life, from
the token's own `exp`. The page reads `localStorage["hostdesk.renewAfterMs"]`
(resources/viewer/token.js) in place of that delay, so this test sees renewals within seconds;
the server and its tokens are as in production. When to renew is pinned without a browser in
tests/viewer/js/token.test.js."""

from __future__ import annotations

import base64
import json
from typing import Any
from urllib.parse import urlsplit

from playwright.async_api import Request, Response

from tests.support.api_fixtures import StartApi, new_room
from tests.support.browser_fixtures import OpenPage
from tests.support.desk_fixtures import eventually

LIVE = "hostdeskViewer.state === 'live'"
RENEW_AFTER_MS = 1_500


def _claims(token: str) -> dict[str, Any]:
    payload = token.split(".")[1]
    claims: dict[str, Any] = json.loads(
        base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))
    )
    return claims


async def test_the_page_renews_its_token_and_uses_the_newest_for_its_calls(
    start_api: StartApi, viewer_pages: OpenPage
) -> None:
    api = await start_api()
    room = new_room()
    await api.joined_bot(room, "Jane Host", "host")
    viewer = await viewer_pages(f"{api.url}/watch/{room}", label="renewing")
    join, renew, hand = (
        "/api/rooms/join",
        f"/api/rooms/{room}/token",
        f"/api/rooms/{room}/hand-raise",
    )
    issued: list[str] = []  # the tokens the server gave the page: the join's, then each renewal's
    bearers: dict[str, list[str]] = {renew: [], hand: []}

    def on_request(request: Request) -> None:
        path = urlsplit(request.url).path
        if path in bearers:
            bearers[path].append(request.headers.get("authorization", ""))

    async def on_response(response: Response) -> None:
        if urlsplit(response.url).path in (join, renew) and response.ok:
            issued.append((await response.json())["token"])

    viewer.page.on("request", on_request)
    viewer.page.on("response", on_response)
    await viewer.page.evaluate(f"localStorage.setItem('hostdesk.renewAfterMs', '{RENEW_AFTER_MS}')")
    await viewer.page.fill("#name-input", "Rene Renewing")
    await viewer.page.click("#join-button")
    await viewer.until(LIVE, 20, "the page live")
    view = await viewer.view()
    first_exp, identity = view["tokenExpiresAt"], view["identity"]
    assert first_exp > 0

    await viewer.until(f"hostdeskViewer.tokenExpiresAt > {first_exp}", 10, "a renewed token")
    await eventually(lambda: len(issued) >= 3, 10, "two renewals", lambda: str(bearers[renew]))
    # Each renewal asked with the token the page held then: the one the previous answer gave.
    renewals = len(issued) - 1
    assert bearers[renew][:renewals] == [f"Bearer {token}" for token in issued[:renewals]]
    claims = [_claims(token) for token in issued]
    assert {c["sub"] for c in claims} == {identity}
    assert [c["exp"] for c in claims] == sorted(c["exp"] for c in claims)
    assert claims[-1]["exp"] > claims[0]["exp"]
    assert (await viewer.view())["identity"] == identity

    # The page's API calls carry the newest token, not the join's.
    await viewer.page.click("#hand-button")
    await viewer.until("hostdeskViewer.queuePosition === 1", 5, "the hand up")
    (used,) = bearers[hand]
    assert used in {f"Bearer {token}" for token in issued[1:]}, "not a renewed token"
    assert (await viewer.view())["state"] == "live"
