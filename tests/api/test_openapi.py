"""The OpenAPI document: valid OpenAPI 3.1, exactly the routes the app serves, and the replies a
real show gets (both auth modes, success and errors) validate against what it declares."""

from __future__ import annotations

import re
import socket
from collections.abc import Iterator
from typing import Any, cast

import jsonschema
import pytest
from openapi_spec_validator import OpenAPIV31SpecValidator, validate
from referencing import Registry
from referencing.jsonschema import DRAFT202012

import hostdesk
from hostdesk.api.app import create_app
from hostdesk.api.auth import Auth
from hostdesk.api.openapi import document
from hostdesk.devserver import LiveKitCredentials, LocalLiveKitServer
from hostdesk.livekit.tokens import Tokens
from hostdesk.service import RoomGateway, ShowService
from tests.api_fixtures import Reply, RunningApi, StartApi, new_room

DOC = document()
DOC_URI = "urn:hostdesk:openapi.json"
REGISTRY: Registry[Any] = Registry().with_resource(DOC_URI, DRAFT202012.create_resource(DOC))
Validator = jsonschema.Draft202012Validator

JOIN = "/api/rooms/join"
ROOMS = "/api/rooms"
ROOM = "/api/rooms/{roomName}"
PARTICIPANTS = "/api/rooms/{roomName}/participants"
PARTICIPANT = "/api/rooms/{roomName}/participants/{identity}"
INVITE = "/api/rooms/{roomName}/invite"
DEMOTE = "/api/rooms/{roomName}/demote"
REMOVE_GUEST = "/api/rooms/{roomName}/remove-guest"
HAND = "/api/rooms/{roomName}/hand-raise"
HEALTH = "/health"
OPENAPI = "/api/openapi.json"

METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")


def operations() -> Iterator[tuple[str, str, dict[str, Any]]]:
    """(METHOD, path, operation) for every operation in the document."""
    for path, item in DOC["paths"].items():
        for method, op in item.items():
            if method in METHODS:
                yield method.upper(), path, op


ALL_OPERATIONS = {(method, path) for method, path, _ in operations()}


def pointer(*parts: str) -> str:
    return "#/" + "/".join(p.replace("~", "~0").replace("/", "~1") for p in parts)


def resolve(node: dict[str, Any]) -> dict[str, Any]:
    """A local `$ref` of the document followed to what it points at."""
    while "$ref" in node:
        found: Any = DOC
        for part in node["$ref"].removeprefix("#/").split("/"):
            found = found[part.replace("~1", "/").replace("~0", "~")]
        node = found
    return node


def validator(*parts: str) -> jsonschema.protocols.Validator:
    """A validator for the schema at a place in the document, its `$ref`s resolved there."""
    schema = {"$ref": DOC_URI + pointer(*parts)}
    return Validator(schema, registry=REGISTRY, format_checker=Validator.FORMAT_CHECKER)


def reply_problems(method: str, path: str, status: int, body: Any, headers: Any) -> list[str]:
    """Why a reply does not match the document ([] when it does)."""
    responses = DOC["paths"][path][method.lower()]["responses"]
    if str(status) not in responses:
        return [f"{method} {path}: status {status} is not documented (body {body!r})"]
    response = resolve(responses[str(status)])
    problems = [
        f"{method} {path} {status}: {e.message} at {list(e.absolute_path)} in {body!r}"
        for e in validator(
            "paths",
            path,
            method.lower(),
            "responses",
            str(status),
            "content",
            "application/json",
            "schema",
        ).iter_errors(body)
    ]
    for name, header in response.get("headers", {}).items():
        header = resolve(header)
        if name not in headers:
            if header.get("required"):
                problems.append(f"{method} {path} {status}: header {name} missing")
            continue
        value: Any = headers[name]
        if header["schema"].get("type") == "integer":
            value = int(value) if value.isdigit() else value
        problems += [
            f"{method} {path} {status}: header {name}: {e.message}"
            for e in Validator(header["schema"]).iter_errors(value)
        ]
    return problems


class Contract:
    """Calls the API and checks every reply against the document; records what it checked."""

    def __init__(self, api: RunningApi) -> None:
        self.api = api
        self.checked: set[tuple[str, str, int]] = set()

    async def call(
        self,
        method: str,
        path: str,
        body: Any = None,
        *,
        expect: int,
        params: dict[str, str] | None = None,
        **options: Any,
    ) -> Reply:
        reply = await self.api.request(method, path.format(**(params or {})), body, **options)
        assert reply.status == expect, (method, path, reply.status, reply.body)
        assert reply.headers["Content-Type"].startswith("application/json")
        problems = reply_problems(method, path, reply.status, reply.body, reply.headers)
        assert not problems, "\n".join(problems)
        self.checked.add((method, path, reply.status))
        return reply

    def succeeded(self) -> set[tuple[str, str]]:
        return {(method, path) for method, path, status in self.checked if status == 200}


# -- the document itself --------------------------------------------------------------------------


def test_the_document_is_valid_openapi_3_1() -> None:
    assert DOC["openapi"] == "3.1.0"
    validate(DOC, cls=OpenAPIV31SpecValidator)
    assert DOC["info"]["title"] == "HostDesk API"
    assert DOC["info"]["version"] == hostdesk.__version__


def test_document_returns_a_copy() -> None:
    changed = document()
    changed["paths"].clear()
    assert document() == DOC and DOC["paths"]


def _app_routes() -> set[tuple[str, str]]:
    tokens = Tokens("key", "secret-of-at-least-32-characters-long", "ws://127.0.0.1:1")
    service = ShowService(cast(RoomGateway, object()), tokens)
    app = create_app(service, Auth(enabled=True, api_key="k", verifier=tokens))
    served: set[tuple[str, str]] = set()
    for route in app.router.routes():
        path = route.resource.canonical if route.resource else ""
        served.add((route.method, re.sub(r"\{(\w+)(:[^}]*)?\}", r"{\1}", path)))
    heads = {(m, p) for m, p in served if m == "HEAD"}
    assert {("GET", p) for _, p in heads} <= served  # aiohttp's automatic HEAD of each GET
    # The viewer page and its files are a web page, not API operations.
    page = {(m, p) for m, p in served if not (p.startswith("/api/") or p == "/health")}
    assert {p for _, p in page} == {
        "/",
        "/watch/{roomName}",
        "/static/{name}",
        "/vendor/{name}",
        # LiveKit's signalling, relayed to the configured server (hostdesk/api/relay.py)
        "/rtc",
        "/rtc/{tail}",
    }
    return served - heads - page


def test_the_document_has_exactly_the_routes_the_app_serves() -> None:
    assert ALL_OPERATIONS == _app_routes()


def test_path_parameters_match_the_path_templates() -> None:
    for path, item in DOC["paths"].items():
        in_template = set(re.findall(r"\{(\w+)\}", path))
        shared = [resolve(p) for p in item.get("parameters", [])]
        for method, _, op in (o for o in operations() if o[1] == path):
            params = shared + [resolve(p) for p in op.get("parameters", [])]
            assert {p["name"] for p in params if p["in"] == "path"} == in_template, (method, path)
            assert all(p["required"] and p["schema"]["maxLength"] == 128 for p in params)


def test_operation_ids_are_unique_and_every_operation_is_summarised() -> None:
    ids = [op["operationId"] for _, _, op in operations()]
    assert len(ids) == len(set(ids)) == len(ALL_OPERATIONS) == 12
    assert all(op["summary"] and op["description"] for _, _, op in operations())


def test_security_is_the_trust_table_of_the_design() -> None:
    schemes = DOC["components"]["securitySchemes"]
    assert {"type": "apiKey", "in": "header", "name": "X-API-Key"}.items() <= schemes[
        "apiKey"
    ].items()
    bearer = schemes["livekitToken"]
    assert (bearer["type"], bearer["scheme"], bearer["bearerFormat"]) == ("http", "bearer", "JWT")

    key: dict[str, list[str]] = {"apiKey": []}
    token: dict[str, list[str]] = {"livekitToken": []}
    expected: dict[tuple[str, str], list[dict[str, list[str]]]] = {
        ("POST", JOIN): [{}, key],
        ("GET", ROOMS): [key],
        ("GET", ROOM): [],
        ("DELETE", ROOM): [key, token],
        ("GET", PARTICIPANTS): [key, token],
        ("DELETE", PARTICIPANT): [key, token],
        ("POST", INVITE): [key, token],
        ("POST", DEMOTE): [key, token],
        ("POST", REMOVE_GUEST): [key, token],
        ("POST", HAND): [key, token],
        ("GET", HEALTH): [],
        ("GET", OPENAPI): [],
    }
    assert {(m, p): op["security"] for m, p, op in operations()} == expected
    join = DOC["paths"][JOIN]["post"]["description"]
    assert "host" in join and "API key" in join


def test_every_operation_documents_its_errors() -> None:
    for method, path, op in operations():
        statuses = set(op["responses"])
        assert {"200", "429", "500"} <= statuses, (method, path)
        assert "Retry-After" in resolve(op["responses"]["429"])["headers"]
        for status in statuses - {"200"}:
            schema = resolve(op["responses"][status])["content"]["application/json"]["schema"]
            assert resolve(schema) == DOC["components"]["schemas"]["Error"]
        if op["security"] not in ([], [{}]) or path == JOIN:  # credentials checked
            assert {"401", "403"} <= statuses, (method, path)
        if "requestBody" in op:
            assert {"400", "413"} <= statuses, (method, path)
        if path not in (HEALTH, OPENAPI):  # these never call LiveKit's room service
            assert "503" in statuses, (method, path)
        if "{roomName}" in path:
            assert {"400", "404"} <= statuses, (method, path)
    assert "409" in DOC["paths"][JOIN]["post"]["responses"]
    assert "503" in DOC["paths"][JOIN]["post"]["responses"]


def _objects(schema: dict[str, Any]) -> Iterator[dict[str, Any]]:
    schema = resolve(schema)
    if schema.get("type") == "object":
        yield schema
        for child in schema.get("properties", {}).values():
            yield from _objects(child)
    if "items" in schema:
        yield from _objects(schema["items"])


def test_success_bodies_are_closed_with_every_field_required() -> None:
    for method, path, op in operations():
        if path == OPENAPI:
            continue
        schema = resolve(op["responses"]["200"])["content"]["application/json"]["schema"]
        for obj in _objects(schema):
            assert obj["additionalProperties"] is False, (method, path, obj)
            assert set(obj["required"]) == set(obj["properties"]), (method, path, obj)


def test_request_bodies_declare_their_fields() -> None:
    schemas = DOC["components"]["schemas"]
    join = schemas["JoinRequest"]
    assert set(join["required"]) == {"roomName", "participantName", "role"}
    assert join["properties"]["role"]["enum"] == ["host", "viewer"]
    assert join["properties"]["roomName"]["maxLength"] == 128
    hand = schemas["HandRaiseRequest"]
    assert hand["properties"]["raised"]["type"] == "boolean"
    assert set(hand["required"]) == {"participantIdentity", "raised"}
    assert set(schemas["InviteRequest"]["required"]) == {"viewerIdentity", "hostIdentity"}
    assert set(schemas["GuestRequest"]["required"]) == {"guestIdentity", "hostIdentity"}
    for _, path, op in operations():
        if "requestBody" in op:
            assert op["requestBody"]["required"] is True, path


JOINED = {
    "token": "eyJ...",
    "wsUrl": "ws://127.0.0.1:7880",
    "roomName": "my-show",
    "role": "viewer",
    "identity": "viewer-sam-3f9a1c",
}


@pytest.mark.parametrize(
    ("path", "method", "body"),
    [
        pytest.param(JOIN, "POST", {**JOINED, "extra": 1}, id="undeclared-field"),
        pytest.param(
            JOIN,
            "POST",
            {k: v for k, v in JOINED.items() if k != "identity"},
            id="required-field-missing",
        ),
        pytest.param(JOIN, "POST", {**JOINED, "role": "guest"}, id="role-not-in-enum"),
        pytest.param(
            ROOMS,
            "GET",
            {"rooms": [{"name": "a", "sid": "RM_1", "numParticipants": 1, "creationTime": 17}]},
            id="creation-time-not-a-string",
        ),
        pytest.param(
            HEALTH,
            "GET",
            {"status": "ok", "timestamp": "yesterday", "livekitReachable": True},
            id="timestamp-not-a-date-time",
        ),
        pytest.param(HAND, "POST", {"success": True, "handRaised": "yes"}, id="wrong-type"),
        pytest.param(ROOM, "DELETE", {"success": True, "error": "x"}, id="error-and-success"),
    ],
)
def test_the_checker_catches_drift(path: str, method: str, body: Any) -> None:
    assert reply_problems(method, path, 200, body, {})


def test_the_checker_catches_undocumented_statuses_and_headers() -> None:
    assert reply_problems("GET", ROOMS, 409, {"error": "x"}, {})
    assert reply_problems("POST", JOIN, 429, {"error": "Too many requests"}, {})
    assert not reply_problems("POST", JOIN, 429, {"error": "x"}, {"Retry-After": "12"})
    assert reply_problems("POST", JOIN, 400, {"error": "x", "detail": "y"}, {})


# -- real replies ---------------------------------------------------------------------------------


def _join(room: str, name: str, role: str = "viewer") -> dict[str, str]:
    return {"roomName": room, "participantName": name, "role": role}


async def test_a_whole_show_without_auth_answers_as_documented(open_api: RunningApi) -> None:
    c = Contract(open_api)
    room = new_room()
    at = {"roomName": room}
    joined = (await c.call("POST", JOIN, _join(room, "Jane", "host"), expect=200)).body
    host = await open_api.bot(joined)
    viewer = await open_api.bot((await c.call("POST", JOIN, _join(room, "Sam"), expect=200)).body)
    other = await open_api.bot((await c.call("POST", JOIN, _join(room, "Kim"), expect=200)).body)
    await host.wait_for(lambda: host.remote(viewer.identity) and host.remote(other.identity))

    rooms = await c.call("GET", ROOMS, expect=200)
    assert room in [r["name"] for r in rooms.body["rooms"]]
    info = await c.call("GET", ROOM, params=at, expect=200)
    assert info.body["room"]["hasHost"] is True and info.body["room"]["numParticipants"] == 3
    listed = await c.call("GET", PARTICIPANTS, params=at, expect=200)
    assert {p["identity"] for p in listed.body["participants"]} == {
        host.identity,
        viewer.identity,
        other.identity,
    }

    for raised in (True, False):
        hand = {"participantIdentity": viewer.identity, "raised": raised}
        assert (await c.call("POST", HAND, hand, params=at, expect=200)).body[
            "handRaised"
        ] is raised

    invite = {"viewerIdentity": viewer.identity, "hostIdentity": host.identity}
    stage = {"guestIdentity": viewer.identity, "hostIdentity": host.identity}
    await c.call("POST", INVITE, invite, params=at, expect=200)
    await c.call("POST", DEMOTE, stage, params=at, expect=200)
    await c.call("POST", INVITE, invite, params=at, expect=200)
    await c.call("POST", REMOVE_GUEST, stage, params=at, expect=200)
    await c.call("DELETE", PARTICIPANT, params={**at, "identity": other.identity}, expect=200)

    health = await c.call("GET", HEALTH, expect=200)
    assert health.body["livekitReachable"] is True
    served = await c.call("GET", OPENAPI, expect=200)
    assert served.body == DOC

    await c.call("DELETE", ROOM, params=at, expect=200)
    await c.call("GET", ROOM, params=at, expect=404)
    assert c.succeeded() == ALL_OPERATIONS


async def test_errors_without_auth_answer_as_documented(open_api: RunningApi) -> None:
    c = Contract(open_api)
    room, gone = new_room(), new_room()
    at, nowhere = {"roomName": room}, {"roomName": gone}
    host = (await c.call("POST", JOIN, _join(room, "Jane", "host"), expect=200)).body

    # 400: missing fields, malformed JSON, bad types and names
    await c.call("POST", JOIN, {"roomName": room}, expect=400)
    await c.call("POST", JOIN, _join(room, "Sam", "guest"), expect=400)
    json_headers = {"Content-Type": "application/json"}
    await c.call("POST", JOIN, data=b"{not json", headers=json_headers, expect=400)
    await c.call("GET", ROOM, params={"roomName": "r" * 129}, expect=400)
    await c.call("POST", HAND, {"participantIdentity": "x", "raised": "yes"}, params=at, expect=400)
    await c.call("POST", INVITE, {"viewerIdentity": "x"}, params=at, expect=400)
    for path in (DEMOTE, REMOVE_GUEST):
        await c.call("POST", path, {"hostIdentity": host["identity"]}, params=at, expect=400)

    # 409: the room's host token is issued (reserved) already
    await c.call("POST", JOIN, _join(room, "Mallory", "host"), expect=409)

    # 403: the stage rules hold without auth too
    await c.call(
        "POST", INVITE, {"viewerIdentity": "x", "hostIdentity": "nobody"}, params=at, expect=403
    )

    # 404: unknown rooms and participants
    await c.call("GET", ROOM, params=nowhere, expect=404)
    await c.call("DELETE", ROOM, params=nowhere, expect=404)
    await c.call("GET", PARTICIPANTS, params=nowhere, expect=404)
    await c.call("DELETE", PARTICIPANT, params={**nowhere, "identity": "x"}, expect=404)
    await c.call("DELETE", PARTICIPANT, params={**at, "identity": "nobody"}, expect=404)
    await c.call("POST", HAND, {"participantIdentity": "x", "raised": True}, params=at, expect=404)
    stage = {"guestIdentity": "x", "hostIdentity": host["identity"]}
    invite = {"viewerIdentity": "x", "hostIdentity": "h"}
    await c.call("POST", INVITE, invite, params=nowhere, expect=404)
    for path in (DEMOTE, REMOVE_GUEST):
        await c.call("POST", path, stage, params=nowhere, expect=404)

    # 413: bodies over 64 KiB
    big = "x" * (65 * 1024)
    await c.call("POST", JOIN, _join(room, big), expect=413)
    await c.call("POST", INVITE, {**invite, "viewerIdentity": big}, params=at, expect=413)
    await c.call("POST", HAND, {"participantIdentity": big, "raised": True}, params=at, expect=413)

    statuses = {status for _, _, status in c.checked}
    assert {400, 403, 404, 409, 413} <= statuses


async def test_a_whole_show_with_auth_answers_as_documented(api: RunningApi) -> None:
    c = Contract(api)
    room = new_room()
    at = {"roomName": room}

    await c.call("POST", JOIN, _join(room, "Jane", "host"), expect=401)
    await c.call("POST", JOIN, _join(room, "Jane", "host"), headers={"X-API-Key": "x"}, expect=403)
    joined = (await c.call("POST", JOIN, _join(room, "Jane", "host"), key=True, expect=200)).body
    host = await api.bot(joined)
    viewer = await api.bot((await c.call("POST", JOIN, _join(room, "Sam"), expect=200)).body)
    other = await api.bot((await c.call("POST", JOIN, _join(room, "Kim"), expect=200)).body)
    stranger = (await c.call("POST", JOIN, _join(new_room(), "Eve"), expect=200)).body["token"]
    await host.wait_for(lambda: host.remote(viewer.identity) and host.remote(other.identity))

    await c.call("GET", ROOMS, expect=401)
    await c.call("GET", ROOMS, token=host.token, expect=403)
    await c.call("GET", ROOMS, key=True, expect=200)
    await c.call("GET", ROOM, params=at, expect=200)
    await c.call("GET", PARTICIPANTS, params=at, expect=401)
    await c.call("GET", PARTICIPANTS, params=at, token=viewer.token, expect=403)
    await c.call("GET", PARTICIPANTS, params=at, token=stranger, expect=403)
    await c.call("GET", PARTICIPANTS, params=at, token="not-a-jwt", expect=403)
    await c.call("GET", PARTICIPANTS, params=at, token=host.token, expect=200)

    own = {"participantIdentity": viewer.identity, "raised": True}
    await c.call("POST", HAND, own, params=at, expect=401)
    await c.call("POST", HAND, own, params=at, token=other.token, expect=403)
    await c.call("POST", HAND, own, params=at, token=viewer.token, expect=200)
    lower = {**own, "raised": False}
    await c.call("POST", HAND, lower, params=at, token=host.token, expect=200)
    await c.call("POST", HAND, own, params=at, key=True, expect=200)

    invite = {"viewerIdentity": viewer.identity, "hostIdentity": host.identity}
    stage = {"guestIdentity": viewer.identity, "hostIdentity": host.identity}
    await c.call("POST", INVITE, invite, params=at, expect=401)
    await c.call("POST", INVITE, invite, params=at, token=viewer.token, expect=403)
    await c.call("POST", INVITE, invite, params=at, token=host.token, expect=200)
    await c.call("POST", DEMOTE, stage, params=at, token=other.token, expect=403)
    await c.call("POST", DEMOTE, stage, params=at, token=host.token, expect=200)
    await c.call("POST", INVITE, invite, params=at, key=True, expect=200)
    await c.call("POST", REMOVE_GUEST, stage, params=at, expect=401)
    await c.call("POST", REMOVE_GUEST, stage, params=at, key=True, expect=200)

    gone = {**at, "identity": other.identity}
    await c.call("DELETE", PARTICIPANT, params=gone, token=other.token, expect=403)
    await c.call("DELETE", PARTICIPANT, params=gone, token=host.token, expect=200)

    await c.call("GET", HEALTH, expect=200)
    await c.call("GET", OPENAPI, expect=200)
    await c.call("DELETE", ROOM, params=at, expect=401)
    await c.call("DELETE", ROOM, params=at, token=viewer.token, expect=403)
    await c.call("DELETE", ROOM, params=at, token=host.token, expect=200)
    assert c.succeeded() == ALL_OPERATIONS


async def test_rate_limited_calls_answer_429_with_retry_after(start_api: StartApi) -> None:
    c = Contract(await start_api(auth=False, rate_limits=True))
    nowhere = {"roomName": new_room()}
    invite = {"viewerIdentity": "v", "hostIdentity": "h"}
    for _ in range(5):
        await c.call("POST", INVITE, invite, params=nowhere, expect=404)
    reply = await c.call("POST", INVITE, invite, params=nowhere, expect=429)
    assert 1 <= int(reply.headers["Retry-After"]) <= 60


class _DeadLiveKit:
    """Credentials for a port where nothing listens: every room-service call is refused."""

    def __init__(self, port: int) -> None:
        self.credentials = LiveKitCredentials(f"ws://127.0.0.1:{port}", "key", "secret" * 6)


async def test_livekit_down_answers_503_and_health_says_so(start_api: StartApi) -> None:
    with socket.socket() as reserved:  # bound, never listening: connections are refused
        reserved.bind(("127.0.0.1", 0))
        dead = cast(LocalLiveKitServer, _DeadLiveKit(reserved.getsockname()[1]))
        running = await start_api(auth=False, livekit=dead)
        c = Contract(running)
        room = {"roomName": new_room()}
        await c.call("POST", JOIN, _join(room["roomName"], "Jane", "host"), expect=503)
        await c.call("GET", ROOMS, expect=503)
        await c.call("GET", ROOM, params=room, expect=503)
        hand = {"participantIdentity": "x", "raised": True}
        await c.call("POST", HAND, hand, params=room, expect=503)
        health = await c.call("GET", HEALTH, expect=200)
        assert health.body["livekitReachable"] is False
