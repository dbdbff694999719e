"""A raised hand's question through the API, as the host's LiveKit session sees it: written by
the server with the hand, cleared by lowering, by promotion and by the host's clear-question,
and refused with the documented messages when it breaks the rule."""

from __future__ import annotations

from typing import Any

from hostdesk.show import rules
from tests.support.api_fixtures import RunningApi, Show, new_room, start_show
from tests.support.bots import Bot


async def _hand(api: RunningApi, room: str, body: dict[str, Any], token: str = "") -> Any:
    return await api.request("POST", f"/api/rooms/{room}/hand-raise", body, token=token or None)


async def _attributes_at_host(host: Bot, identity: str, wanted: Any) -> dict[str, str]:
    """The viewer's attributes as the host's session gets them, once `wanted` holds of them."""

    def seen() -> bool:
        participant = host.remote(identity)
        return participant is not None and bool(wanted(dict(participant.attributes)))

    await host.wait_for(seen)
    participant = host.remote(identity)
    assert participant is not None
    return dict(participant.attributes)


async def test_a_hand_raised_with_a_question_carries_it_trimmed_to_the_host(
    open_api: RunningApi,
) -> None:
    room, host, viewer = await start_show(open_api)
    reply = await _hand(
        open_api,
        room,
        {"participantIdentity": viewer.identity, "raised": True, "question": "  How do I join?  "},
    )
    assert (reply.status, reply.body) == (200, {"success": True, "handRaised": True})
    seen = await _attributes_at_host(host, viewer.identity, lambda a: "handQuestion" in a)
    assert seen["handQuestion"] == "How do I join?" and int(seen["handRaisedAt"]) > 0


async def test_raising_again_replaces_the_question_and_keeps_the_place(
    open_api: RunningApi,
) -> None:
    room, host, viewer = await start_show(open_api)
    body = {"participantIdentity": viewer.identity, "raised": True, "question": "First"}
    await _hand(open_api, room, body)
    first = await _attributes_at_host(host, viewer.identity, lambda a: "handQuestion" in a)

    await _hand(open_api, room, {**body, "question": "Second thoughts"})
    second = await _attributes_at_host(
        host, viewer.identity, lambda a: a.get("handQuestion") == "Second thoughts"
    )
    assert second["handRaisedAt"] == first["handRaisedAt"]


async def test_lowering_the_hand_takes_its_question_away(open_api: RunningApi) -> None:
    room, host, viewer = await start_show(open_api)
    raise_ = {"participantIdentity": viewer.identity, "raised": True, "question": "Why?"}
    await _hand(open_api, room, raise_)
    await _attributes_at_host(host, viewer.identity, lambda a: "handQuestion" in a)

    reply = await _hand(open_api, room, {**raise_, "raised": False})
    assert (reply.status, reply.body) == (200, {"success": True, "handRaised": False})
    after = await _attributes_at_host(host, viewer.identity, lambda a: "handRaisedAt" not in a)
    assert "handQuestion" not in after

    await _hand(open_api, room, {"participantIdentity": viewer.identity, "raised": True})
    again = await _attributes_at_host(host, viewer.identity, lambda a: "handRaisedAt" in a)
    assert "handQuestion" not in again


async def test_the_host_clears_a_question_and_the_hand_stays_up(
    api: RunningApi, show: Show
) -> None:
    room, host, viewer = show
    raised_by_viewer = await _hand(
        api,
        room,
        {"participantIdentity": viewer.identity, "raised": True, "question": "Spam"},
        viewer.token,
    )
    assert raised_by_viewer.status == 200, raised_by_viewer.body
    raised = await _attributes_at_host(host, viewer.identity, lambda a: "handQuestion" in a)
    path = f"/api/rooms/{room}/participants/{viewer.identity}/clear-question"

    cleared = await api.request("POST", path, token=host.token)
    assert (cleared.status, cleared.body) == (200, {"success": True})
    after = await _attributes_at_host(host, viewer.identity, lambda a: "handQuestion" not in a)
    assert after["handRaisedAt"] == raised["handRaisedAt"]

    by_key = await api.request("POST", path, key=True)  # nothing left to clear: still done
    assert (by_key.status, by_key.body) == (200, {"success": True})


async def test_promotion_answers_the_hand_and_its_question(open_api: RunningApi) -> None:
    room, host, viewer = await start_show(open_api)
    await _hand(
        open_api,
        room,
        {"participantIdentity": viewer.identity, "raised": True, "question": "Can I?"},
    )
    await _attributes_at_host(host, viewer.identity, lambda a: "handQuestion" in a)
    reply = await open_api.request(
        "POST",
        f"/api/rooms/{room}/invite",
        {"viewerIdentity": viewer.identity, "hostIdentity": host.identity},
    )
    assert reply.status == 200, reply.body
    await _attributes_at_host(
        host, viewer.identity, lambda a: not {"handQuestion", "handRaisedAt"} & a.keys()
    )


async def test_bad_questions_are_refused_with_their_messages(open_api: RunningApi) -> None:
    room, host, viewer = await start_show(open_api)
    me = {"participantIdentity": viewer.identity, "raised": True}
    too_long = "x" * (rules.QUESTION_MAX_LENGTH + 1)
    cases = [
        (too_long, f"question must be at most {rules.QUESTION_MAX_LENGTH} characters"),
        ("two\nlines", "question must not contain control characters"),
        ("hidden\u202eswap", "question must not contain control characters"),
        (42, "question must be a string"),
        (None, "question must be a string"),
        (["a"], "question must be a string"),
    ]
    for question, message in cases:
        reply = await _hand(open_api, room, {**me, "question": question})
        assert (reply.status, reply.body) == (400, {"error": message}), question
        lowering = await _hand(open_api, room, {**me, "raised": False, "question": question})
        assert (lowering.status, lowering.body) == (400, {"error": message}), question

    longest = "y" * rules.QUESTION_MAX_LENGTH
    accepted = await _hand(open_api, room, {**me, "question": longest})
    assert accepted.status == 200, accepted.body
    seen = await _attributes_at_host(host, viewer.identity, lambda a: "handQuestion" in a)
    assert seen["handQuestion"] == longest


async def test_the_contract_messages_of_hand_raise_are_unchanged_by_the_question(
    open_api: RunningApi,
) -> None:
    room, _host, viewer = await start_show(open_api)
    missing = await _hand(open_api, room, {"question": "Hi"})
    assert missing.body == {"error": "participantIdentity and raised are required"}
    wrong = await _hand(
        open_api, room, {"participantIdentity": viewer.identity, "raised": "yes", "question": 1}
    )
    assert (wrong.status, wrong.body) == (400, {"error": "raised must be a boolean"})


async def test_clear_question_of_someone_missing_says_what_is_missing(
    open_api: RunningApi,
) -> None:
    room, _host, _viewer = await start_show(open_api)
    nobody = await open_api.request(
        "POST", f"/api/rooms/{room}/participants/viewer-nobody/clear-question"
    )
    assert (nobody.status, nobody.body) == (404, {"error": "Participant not found"})
    no_room = await open_api.request(
        "POST", f"/api/rooms/{new_room()}/participants/viewer-nobody/clear-question"
    )
    assert (no_room.status, no_room.body) == (404, {"error": "Room not found"})


async def test_the_document_declares_the_question_and_clear_question(
    open_api: RunningApi,
) -> None:
    reply = await open_api.request("GET", "/api/openapi.json")
    paths = reply.body["paths"]
    body = paths["/api/rooms/{roomName}/hand-raise"]["post"]["requestBody"]
    schema = body["content"]["application/json"]["schema"]
    if "$ref" in schema:
        schema = reply.body["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
    question = schema["properties"]["question"]
    assert question["type"] == "string" and question["maxLength"] == rules.QUESTION_MAX_LENGTH
    assert "question" not in schema["required"]
    clear = paths["/api/rooms/{roomName}/participants/{identity}/clear-question"]["post"]
    assert {"200", "403", "404"} <= clear["responses"].keys()
