"""The page's name and chat checks in headless Chromium, with the rules the real server embeds in
the page it serves (`rules.for_clients`), against the server's own checks: one rule, two places.
The same for chat moderation (the served moderation.js against hostdesk/show/chat.py) and the
stage clock (stageclock.js and participants.js against hostdesk/show/stage_clock.py).
The real app (`create_app`) on a real port; no LiveKit is needed for a page that has not joined."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any, cast

import pytest_asyncio
from aiohttp import web
from aiohttp.test_utils import TestServer

from hostdesk.api.app import create_app
from hostdesk.api.auth import Auth
from hostdesk.livekit.tokens import Tokens
from hostdesk.service import ShowService
from hostdesk.show import rules
from hostdesk.show.chat import ChatGate, ChatSettings
from hostdesk.show.gateways import RoomGateway
from hostdesk.show.roles import Role
from hostdesk.show.stage_clock import StageSettings, clock, on_stage_since
from tests.support.browser_fixtures import OpenPage, ViewerPage

STAGE_SIZE = 2
#: Runs the served rules.js (by its hashed URL, as the page imports it) on the served rules.
CHECK = """async (cases) => {
  const url = [...document.querySelectorAll('link[rel=modulepreload]')]
    .map((l) => l.href).find((h) => /\\/static\\/rules\\.[0-9a-f]+\\.js$/.test(h));
  const checks = await import(url);
  const served = checks.readRules(document);
  return {
    served,
    names: cases.names.map((v) => checks.nameProblem('Your name', v, served)),
    chats: cases.chats.map((v) => checks.chatProblem(v, served)),
  };
}"""
NAMES = [
    "Ada",
    "  ",
    "",
    "x" * rules.NAME_MAX_LENGTH,
    "x" * (rules.NAME_MAX_LENGTH + 1),
    "\U0001f600" * rules.NAME_MAX_LENGTH,  # code points, not UTF-16 units
    "bell\x07",
    "tab\tname",
    "del\x7f",
    "c1\x85",
    "right-to-left\u202eoverride",
    "zero\u200bwidth",
    "bom\ufeff",
    "emoji\u200d\U0001f469\u200d\U0001f4bb",  # joiners stay allowed
    "Żółć نام",
]


@pytest_asyncio.fixture(loop_scope="session")
async def served_page(viewer_pages: OpenPage) -> AsyncIterator[ViewerPage]:
    """The real viewer page from the real app, for a show of stage size STAGE_SIZE."""
    tokens = Tokens("key", "secret-of-at-least-32-characters-long", "ws://127.0.0.1:1")
    service = ShowService(cast(RoomGateway, object()), tokens, stage_size=STAGE_SIZE)
    app: web.Application = create_app(service, Auth(enabled=True, api_key="k", verifier=tokens))
    server = TestServer(app, host="127.0.0.1")
    await server.start_server()
    try:
        page = await viewer_pages(str(server.make_url("/watch/show-1")), label="rules")
        await page.until("() => window.hostdeskViewer !== undefined")
        yield page
    finally:
        await server.close()


async def _check(page: ViewerPage, names: list[str], chats: list[str]) -> dict[str, Any]:
    result: dict[str, Any] = await page.page.evaluate(CHECK, {"names": names, "chats": chats})
    return result


async def test_the_page_refuses_exactly_the_names_the_server_refuses(
    served_page: ViewerPage,
) -> None:
    result = await _check(served_page, NAMES, [])
    assert result["served"] == rules.for_clients(STAGE_SIZE)
    for name, problem in zip(NAMES, result["names"], strict=True):
        assert (problem == "") is (rules.name_problem("Your name", name) is None), (
            json.dumps(name),
            problem,
        )
    by_name = dict(zip(NAMES, result["names"], strict=True))
    assert by_name["  "] == "Your name is required"
    limit = rules.NAME_MAX_LENGTH
    assert by_name["x" * (limit + 1)] == f"Your name is too long (at most {limit} characters)"
    assert by_name["bell\x07"] == "Your name must not contain control characters"


async def test_the_page_refuses_chat_over_the_served_limit_and_its_inputs_say_so(
    served_page: ViewerPage,
) -> None:
    limit = rules.CHAT_MAX_LENGTH
    chats = ["hello", "x" * limit, "x" * (limit + 1), "\U0001f600" * limit]
    result = await _check(served_page, [], chats)
    assert result["chats"] == ["", "", f"A message can be at most {limit} characters", ""]
    for text, problem in zip(chats, result["chats"], strict=True):
        assert (problem == "") is (rules.chat_problem(text) is None)
    page = served_page.page
    assert await page.get_attribute("#chat-input", "maxlength") == str(limit)
    for field in ("#room-input", "#name-input"):
        assert await page.get_attribute(field, "maxlength") == str(rules.NAME_MAX_LENGTH)


#: Runs the served moderation.js on room metadata and a run of arriving chat lines.
MODERATE = """async (cases) => {
  const url = [...document.querySelectorAll('link[rel=modulepreload]')]
    .map((l) => l.href).find((h) => /\\/static\\/moderation\\.[0-9a-f]+\\.js$/.test(h));
  const moderation = await import(url);
  const served = JSON.parse(document.getElementById('show-rules').textContent);
  const settings = cases.metadata.map((m) => {
    const read = moderation.chatSettings(m);
    return [read.slowModeS, [...read.hidden].sort()];
  });
  const gate = new moderation.ChatGate(served.slowModeSlackMs);
  const admitted = cases.lines.map(([sender, role, attributes, timestamp, arrived, metadata]) =>
    gate.admit(sender, role, attributes, timestamp, arrived, moderation.chatSettings(metadata)));
  return { settings, admitted };
}"""
_SLOW = json.dumps({"chat": {"slowModeSeconds": 10, "hidden": ["ann:7"]}})
METADATA = [
    "",
    "{not json",
    "[]",
    json.dumps({"chat": None}),
    json.dumps({"other": 1, "chat": {"slowModeSeconds": 30, "hidden": ["a:1", 2, "b:3"]}}),
    json.dumps({"chat": {"slowModeSeconds": 0}}),
    json.dumps({"chat": {"slowModeSeconds": -4, "hidden": "a:1"}}),
    json.dumps({"chat": {"slowModeSeconds": True}}),
    json.dumps({"chat": {"slowModeSeconds": "10"}}),
    _SLOW,
]
#: (sender, role, attributes, timestamp, arrived ms, room metadata), in the order they arrive.
LINES: list[tuple[str, str, dict[str, str], int, int, str]] = [
    ("ann", "viewer", {}, 1, 0, _SLOW),
    ("ann", "viewer", {}, 2, 8_999, _SLOW),
    ("ann", "viewer", {}, 3, 9_000, _SLOW),
    ("ann", "viewer", {}, 7, 30_000, _SLOW),
    ("ann", "viewer", {"chatMuted": "1"}, 8, 60_000, _SLOW),
    ("ann", "viewer", {"chatMuted": "0"}, 9, 60_000, _SLOW),
    ("bo", "", {}, 1, 0, _SLOW),
    ("bo", "", {}, 2, 1, _SLOW),
    ("host-1", "host", {}, 1, 0, _SLOW),
    ("host-1", "host", {}, 2, 1, _SLOW),
    ("gus", "guest", {}, 1, 0, _SLOW),
    ("gus", "guest", {}, 2, 1, _SLOW),
    ("cy", "viewer", {}, 1, 0, ""),
    ("cy", "viewer", {}, 2, 1, ""),
]


async def test_the_page_moderates_the_chat_exactly_as_the_window_does(
    served_page: ViewerPage,
) -> None:
    result = await served_page.page.evaluate(MODERATE, {"metadata": METADATA, "lines": LINES})
    expected = []
    for metadata in METADATA:
        read = ChatSettings.from_room_metadata(metadata)
        expected.append([read.slow_mode_s, sorted(read.hidden)])
    assert result["settings"] == expected
    gate = ChatGate()
    why = [
        gate.admit(
            sender,
            Role(role) if role else None,
            attributes,
            timestamp,
            arrived,
            ChatSettings.from_room_metadata(metadata),
        )
        or ""
        for sender, role, attributes, timestamp, arrived, metadata in LINES
    ]
    assert result["admitted"] == why
    assert set(why) == {
        "",
        "the sender's chat is muted",
        "the host hid this message",
        "slow mode: too soon after the sender's last message",
    }


#: Runs the served stage clock (stageclock.js, and participants.js's reading of the attribute).
CLOCK = """async (cases) => {
  const served = (name) => [...document.querySelectorAll('link[rel=modulepreload]')]
    .map((l) => l.href).find((h) => new RegExp(`/static/${name}\\.[0-9a-f]+\\.js$`).test(h));
  const rule = await import(served('stageclock'));
  const people = await import(served('participants'));
  const warning = JSON.parse(document.getElementById('show-rules').textContent)
    .stageWarningSeconds;
  return {
    since: cases.attributes.map((attributes) => people.onStageSince(attributes)),
    limits: cases.metadata.map((metadata) => rule.stageTimeLimit(metadata)),
    clocks: cases.clocks.map(([since, limit, now]) => rule.clock(since, limit, now, warning)),
  };
}"""
T0 = 1_704_067_200_000
ATTRIBUTES: list[dict[str, str]] = [
    {},
    {"onStageSince": str(T0)},
    {"onStageSince": "1"},
    {"onStageSince": ""},
    {"onStageSince": "0"},
    {"onStageSince": "-5"},
    {"onStageSince": "+5"},
    {"onStageSince": "12.5"},
    {"onStageSince": " 12"},
    {"onStageSince": "1e3"},
    {"onStageSince": "soon"},
    {"onStageSince": "\u0661\u0662\u0663"},  # digits, but not ASCII ones
    {"handRaisedAt": str(T0)},
]
#: The limits the server can write (0 to STAGE_TIME_LIMIT_MAX_S, whole numbers) and shapes it
#: does not. Not here: a limit above the maximum (the page is not given the maximum; the
#: endpoint refuses one) and 60.0 (JSON.parse cannot tell it from 60; stageclock.js says so).
METADATA_CASES = [
    "",
    "{not json",
    "[]",
    "null",
    json.dumps({"stage": None}),
    json.dumps({"stage": []}),
    json.dumps({"stage": {}}),
    json.dumps({"stage": {"timeLimitSeconds": 0}}),
    json.dumps({"stage": {"timeLimitSeconds": 1}}),
    json.dumps({"stage": {"timeLimitSeconds": 62}}),
    json.dumps({"stage": {"timeLimitSeconds": rules.STAGE_TIME_LIMIT_MAX_S}}),
    json.dumps({"stage": {"timeLimitSeconds": -60}}),
    json.dumps({"stage": {"timeLimitSeconds": 1.5}}),
    json.dumps({"stage": {"timeLimitSeconds": "60"}}),
    json.dumps({"stage": {"timeLimitSeconds": True}}),
    json.dumps({"chat": {"slowModeSeconds": 5}, "stage": {"timeLimitSeconds": 300}, "x": 1}),
    json.dumps({"chat": {"slowModeSeconds": 5}}),
]
#: (on stage since, limit s, now) in ms, s, ms: every phase and each boundary.
CLOCKS = [
    (T0, 0, T0),
    (T0, 0, T0 - 5_000),
    (T0, 0, T0 + 3_600_999),
    (T0, 300, T0 + 239_999),
    (T0, 300, T0 + 240_000),
    (T0, 300, T0 + 299_999),
    (T0, 300, T0 + 300_000),
    (T0, 300, T0 + 900_000),
    (T0, 62, T0 + 1_500),
    (T0, 30, T0),
    (T0, 1, T0 + 999),
    (T0, 1, T0 + 1_000),
    (T0, 60, T0 - 10_000),
]


async def test_the_page_reads_the_stage_clock_exactly_as_the_window_does(
    served_page: ViewerPage,
) -> None:
    result = await served_page.page.evaluate(
        CLOCK, {"attributes": ATTRIBUTES, "metadata": METADATA_CASES, "clocks": CLOCKS}
    )
    assert result["since"] == [on_stage_since(a) for a in ATTRIBUTES]
    assert result["limits"] == [
        StageSettings.from_room_metadata(m).time_limit_s for m in METADATA_CASES
    ]
    expected = []
    for since, limit, now in CLOCKS:
        read = clock(since, limit, now)
        expected.append(
            {"elapsedS": read.elapsed_s, "remainingS": read.remaining_s, "phase": read.phase}
        )
    assert result["clocks"] == expected
    assert {c["phase"] for c in expected} == {"on", "warning", "over"}
