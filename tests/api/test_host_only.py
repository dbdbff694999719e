"""Every host-only endpoint HostDesk added to the contract refuses everyone but the host, with the
documented status and message, and changes nothing when it refuses: one table of the routes, one
test per route."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from hostdesk.api.auth import HOST_ONLY
from hostdesk.api.endpoints import KEY_OR_TOKEN
from hostdesk.api.routes import operations
from hostdesk.show.stage import ONLY_HOST_PROMOTES
from tests.support.api_fixtures import RunningApi, Show, start_show


@dataclass(frozen=True)
class HostOnly:
    """A route: `{room}`, `{viewer}` and `{host}` in its path and body are the show's."""

    method: str
    path: str
    body: dict[str, Any] | None = None
    #: What a viewer's token gets (the route's own denial where it has one).
    viewer_denial: str = HOST_ONLY

    def call(self, show: Show) -> tuple[str, str, dict[str, Any] | None]:
        names = {"room": show.room, "viewer": show.viewer.identity, "host": show.host.identity}
        body = None
        if self.body is not None:
            body = {k: v.format(**names) if isinstance(v, str) else v for k, v in self.body.items()}
        return self.method, self.path.format(**names), body


ROUTES = {
    "stage_time_limit": HostOnly("POST", "/api/rooms/{room}/stage/time-limit", {"seconds": 60}),
    "hide_chat": HostOnly(
        "POST", "/api/rooms/{room}/chat/hide", {"senderIdentity": "{viewer}", "timestamp": 1}
    ),
    "chat_mute": HostOnly(
        "POST", "/api/rooms/{room}/participants/{viewer}/chat-mute", {"muted": True}
    ),
    "slow_mode": HostOnly("POST", "/api/rooms/{room}/chat/slow-mode", {"seconds": 10}),
    "clear_question": HostOnly("POST", "/api/rooms/{room}/participants/{viewer}/clear-question"),
    "stop_share": HostOnly("POST", "/api/rooms/{room}/participants/{viewer}/stop-share"),
    "block_participant": HostOnly("POST", "/api/rooms/{room}/participants/{viewer}/block"),
    "blocks": HostOnly("GET", "/api/rooms/{room}/blocks"),
    "unblock": HostOnly("DELETE", "/api/rooms/{room}/blocks/{viewer}"),
    "take_live": HostOnly(
        "POST",
        "/api/rooms/{room}/take-live",
        {"guestIdentity": "{viewer}", "hostIdentity": "{host}"},
        ONLY_HOST_PROMOTES,
    ),
}


@pytest.mark.parametrize("name", ROUTES)
async def test_a_host_only_route_refuses_all_but_the_host_and_changes_nothing(
    api: RunningApi, show: Show, name: str
) -> None:
    method, path, body = ROUTES[name].call(show)
    other_show = await start_show(api)
    anonymous = await api.request(method, path, body)
    assert (anonymous.status, anonymous.body) == (401, {"error": "Authentication required"})
    as_viewer = await api.request(method, path, body, token=show.viewer.token)
    assert (as_viewer.status, as_viewer.body) == (403, {"error": ROUTES[name].viewer_denial})
    elsewhere = await api.request(method, path, body, token=other_show.host.token)
    assert (elsewhere.status, elsewhere.body) == (403, {"error": "Token is not for this room"})
    wrong_key = await api.request(method, path, body, headers={"X-API-Key": "guess"})
    assert (wrong_key.status, wrong_key.body) == (403, {"error": "Invalid API key"})
    info = (await api.request("GET", f"/api/rooms/{show.room}")).body["room"]
    assert (info["stageTimeLimitSeconds"], info["slowModeSeconds"]) == (0, 0)
    assert info["backstage"] == [] and info["guests"] == []
    assert "chatMuted" not in show.viewer.room.local_participant.attributes
    assert not show.viewer.disconnected.is_set()


#: The contract's own host-only routes (test_auth.py pins them the same way).
CONTRACT = {"end_room", "participants", "remove_participant", "invite", "demote", "remove_guest"}


def test_the_table_holds_every_host_only_route_hostdesk_added() -> None:
    documented = {op.name for op in operations() if op.doc.security == KEY_OR_TOKEN}
    # hand_raise takes the host or the hand's own viewer (test_stage_contract.py).
    assert documented - CONTRACT - {"hand_raise"} == ROUTES.keys()
