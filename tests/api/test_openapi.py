"""The OpenAPI document, now generated from the route table and the models: it is valid OpenAPI
3.1, it lists exactly the routes the app serves, and it carries every error the contract names.
What the live server does against it is Schemathesis's job (test_schemathesis.py)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, cast

import jsonschema_rs
import msgspec
import pytest
from aiohttp import web
from aiohttp.test_utils import make_mocked_request
from openapi_spec_validator import OpenAPIV31SpecValidator, validate

import hostdesk
from hostdesk.api.app import create_app
from hostdesk.api.auth import Auth
from hostdesk.api.models import DOCUMENTED_NAME_PATTERN
from hostdesk.api.routes import document
from hostdesk.livekit.tokens import Tokens
from hostdesk.service import ShowService
from hostdesk.show.gateways import RoomGateway
from hostdesk.show.rules import NAME_MAX_LENGTH, RATE_LIMITS, name_problem
from tests.support.api_fixtures import RunningApi

DOC: dict[str, Any] = msgspec.to_builtins(document())
CONTRACT = Path(__file__).parents[2] / "docs" / "api.md"
METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
#: The viewer page, its files and the relayed LiveKit signalling: a web page, not API operations.
PAGE = {"/", "/watch/{roomName}", "/static/{name}", "/vendor/{name}", "/rtc", "/rtc/{tail}"}


def _operations() -> dict[tuple[str, str], dict[str, Any]]:
    return {
        (method.upper(), path): op
        for path, item in DOC["paths"].items()
        for method, op in item.items()
        if method in METHODS
    }


def _app() -> web.Application:
    tokens = Tokens("key", "secret-of-at-least-32-characters-long", "ws://127.0.0.1:1")
    service = ShowService(cast(RoomGateway, object()), tokens)
    return create_app(service, Auth(enabled=True, api_key="k", verifier=tokens))


def _app_routes(app: Any) -> set[tuple[str, str]]:
    served = set()
    for route in app.router.routes():
        served.add((route.method, _template(route.resource.canonical if route.resource else "")))
    # aiohttp answers HEAD for each GET by itself
    return {(m, p) for m, p in served if m != "HEAD" and p not in PAGE}


def _template(canonical: str) -> str:
    return re.sub(r"\{(\w+)(:[^}]*)?\}", r"{\1}", canonical)


def test_the_document_is_valid_openapi_3_1() -> None:
    assert DOC["openapi"] == "3.1.0"
    validate(DOC, cls=OpenAPIV31SpecValidator)
    assert (DOC["info"]["title"], DOC["info"]["version"]) == ("HostDesk API", hostdesk.__version__)


async def test_the_document_lists_every_route_of_the_app_and_nothing_else() -> None:
    app = _app()
    operations = _operations()
    served = _app_routes(app)
    assert served <= set(operations)
    # Besides, a fixed path the router also sends other methods of to a template: GET and
    # DELETE /api/rooms/join are the room named "join" (as in the contract's Express app).
    aliases = set(operations) - served
    assert aliases == {("GET", "/api/rooms/join"), ("DELETE", "/api/rooms/join")}
    for method, path in aliases:
        alias_of = operations[(method, path)]["operationId"].split("_")[0]
        (original,) = [p for (m, p), o in operations.items() if o["operationId"] == alias_of]
        info = await app.router.resolve(make_mocked_request(method, path, app=app))
        assert _template(info.route.resource.canonical) == original, (method, path)


def _contract_errors() -> set[tuple[str, str]]:
    """(status, message) of every row of the contract's error tables."""
    rows = re.findall(r"^\| (\d{3}) \| (.+?) \|$", CONTRACT.read_text(), re.MULTILINE)
    assert len(rows) >= 6, "the contract's error tables were not found in docs/api.md"
    return set(rows)


def _documented_errors() -> set[tuple[str, str]]:
    found = set()
    for op in _operations().values():
        for status, response in op["responses"].items():
            examples = response["content"]["application/json"].get("examples", {})
            found |= {(status, e["value"]["error"]) for e in examples.values()}
    return found


def test_every_error_of_the_contract_is_documented_with_its_status() -> None:
    assert _contract_errors() <= _documented_errors()


def test_every_operation_documents_its_rate_limit_from_the_rules() -> None:
    for (method, path), op in _operations().items():
        limit = op["x-rateLimit"]
        assert limit["limit"] == RATE_LIMITS[limit["group"]], (method, path)
        assert "Retry-After" in op["responses"]["429"]["headers"], (method, path)
    assert _operations()[("POST", "/api/rooms/{roomName}/invite")]["x-rateLimit"]["group"] == (
        "invite"
    )


def _patterns(node: Any) -> list[str]:
    if isinstance(node, dict):
        own = [node["pattern"]] if isinstance(node.get("pattern"), str) else []
        return own + [p for value in node.values() for p in _patterns(value)]
    if isinstance(node, list):
        return [p for value in node for p in _patterns(value)]
    return []


def test_every_pattern_is_usable_by_a_validator_of_unicode_scalar_values() -> None:
    patterns = set(_patterns(DOC))
    assert DOCUMENTED_NAME_PATTERN in patterns
    for pattern in patterns:
        jsonschema_rs.validator_for({"type": "string", "pattern": pattern})


@pytest.mark.parametrize(
    "name",
    [
        "Sam",
        " Sam ",
        "Zoë 🎤",
        "a\u200db",
        "   ",
        "",
        "a\nb",
        "a\x7f",
        "a\u202eb",
        "\ufeffa",
        "x" * 129,
    ]
    + ["a\u2028b", "\u3000", "tab\t", "a\x85", "x" * NAME_MAX_LENGTH],
)
def test_the_documented_name_schema_accepts_exactly_what_the_server_does(name: str) -> None:
    schema = DOC["components"]["parameters"]["roomName"]["schema"]
    validator = jsonschema_rs.validator_for(schema)
    assert validator.is_valid(name) == (name_problem("roomName", name) is None)


async def test_the_served_document_is_the_generated_one(api: RunningApi) -> None:
    reply = await api.request("GET", "/api/openapi.json")
    assert reply.status == 200 and reply.headers["Content-Type"].startswith("application/json")
    assert reply.body == DOC


def test_every_get_answers_head_too() -> None:
    routes = {
        (r.method, _template(r.resource.canonical)) for r in _app().router.routes() if r.resource
    }
    gets = {p for m, p in routes if m == "GET"}
    assert gets and {("HEAD", p) for p in gets} <= routes
