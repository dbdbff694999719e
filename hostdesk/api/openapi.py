"""The OpenAPI 3.1 document, generated from the route table (`hostdesk.api.endpoints`) and the
models the handlers read and write (`hostdesk.api.models`).

Nothing here restates what the code does: schemas come from the models (their constraints from
`hostdesk.show.rules`), the error examples from the messages' own constants, the rate limits from
`rules.RATE_LIMITS`. What this module adds is what each status means, and which statuses a route
of each kind may answer (every route: 429 and 500; with a body: 400 and 413; ...).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from typing import Any

import msgspec

from hostdesk import __version__
from hostdesk.api import auth, body, errors, models
from hostdesk.api.endpoints import API_KEY, BEARER, OPEN, ROOM_NAME, Operation
from hostdesk.show.backstage import ROOM_NAME_RESERVED
from hostdesk.show.errors import LIVEKIT_UNAVAILABLE, RateLimited
from hostdesk.show.rules import NAME_MAX_LENGTH, RATE_LIMITS, RATE_WINDOW_S, name_problem

Schema = dict[str, Any]

JSON = "application/json"
REF = "#/components/schemas/{name}"
WINDOW = int(RATE_WINDOW_S)

SECURITY_SCHEMES: Schema = {
    API_KEY: {
        "type": "apiKey",
        "in": "header",
        "name": "X-API-Key",
        "description": "The host API key, for the host's own tools and server-to-server calls. "
        "It may do everything a host token may, in every room.",
    },
    BEARER: {
        "type": "http",
        "scheme": "bearer",
        "bearerFormat": "JWT",
        "description": "A LiveKit access token issued by this API (join, invite, demote or "
        "renewal), verified with the LiveKit API secret. It stands for its identity in its room "
        "only: the host's token (roomAdmin grant) for host-only calls, any participant's token "
        "for their own hand and their own fresh token.",
    },
}

#: What each error status means, whichever route answers it.
MEANING: dict[int, str] = {
    400: "The request is malformed, misses a required field, or has a field of the wrong type "
    "or form, or asks what the show's rules refuse.",
    401: "No credentials where some are needed.",
    403: "Wrong credentials, or a caller who may not do this.",
    404: "No such room or participant.",
    409: "The request clashes with the show's state.",
    413: f"The body is over {body.MAX_BODY // 1024} KiB.",
    429: f"Too many requests from this client address in this {WINDOW}-second window.",
    500: "An unexpected failure (logged; no details leave the server).",
    503: "LiveKit cannot be reached.",
}

RETRY_AFTER: Schema = {
    "Retry-After": {
        "description": "Seconds until the client's window for this route resets.",
        "required": True,
        "schema": {"type": "integer", "minimum": 1, "maximum": WINDOW},
    }
}


def _name_problems(field: str) -> list[str]:
    """The messages a bad name gets, from the rule itself."""
    found = (name_problem(field, bad) for bad in (" ", "x" * (NAME_MAX_LENGTH + 1), "a\x00"))
    return [problem for problem in found if problem]


def _body_problems(model: type[models.Request]) -> list[str]:
    problems = [body.INVALID_JSON, body.NOT_AN_OBJECT, body.required_message(model)]
    for key, kind, problem in body.field_kinds(model):
        if problem:
            problems.append(problem)
        if kind == "name":
            problems += _name_problems(key)
    return problems


def error_examples(op: Operation, path_names: Iterable[str]) -> dict[int, list[str]]:
    """Every error status the route may answer, with example messages; `path_names`: the
    names the caller puts in the path (each may be refused with 400)."""
    found: dict[int, list[str]] = {429: [RateLimited(1).message], 500: [errors.INTERNAL_ERROR]}

    def add(status: int, *messages: str) -> None:
        listed = found.setdefault(status, [])
        listed.extend(m for m in messages if m not in listed)

    for name in path_names:
        add(400, *_name_problems(name))
        if name == ROOM_NAME:
            add(400, ROOM_NAME_RESERVED)
    if op.body is not None:
        add(400, *_body_problems(op.body))
        add(413, errors.TOO_LARGE)
    schemes = {scheme for option in op.doc.security for scheme in option}
    if op.doc.security != OPEN:
        add(401, auth.AUTH_REQUIRED)
        if API_KEY in schemes:  # a route for a participant's own token reads no key
            add(403, auth.INVALID_API_KEY)
        add(403, auth.INVALID_TOKEN)
    if BEARER in schemes:
        add(403, auth.WRONG_ROOM)
    if op.doc.livekit:
        add(503, LIVEKIT_UNAVAILABLE)
    for status, messages in op.doc.errors.items():
        add(status, *messages)
    return dict(sorted(found.items()))


def _error_response(status: int, messages: list[str]) -> Schema:
    content: Schema = {"schema": {"$ref": REF.format(name=models.ErrorReply.__name__)}}
    if messages:
        content["examples"] = {
            f"e{i}": {"summary": m, "value": {"error": m}} for i, m in enumerate(messages, 1)
        }
    response: Schema = {"description": MEANING[status], "content": {JSON: content}}
    if status == 429:
        response["headers"] = RETRY_AFTER
    return response


def _rate_limit(op: Operation) -> Schema:
    return {"group": op.rate_group, "limit": RATE_LIMITS[op.rate_group], "windowSeconds": WINDOW}


def operation_object(op: Operation, fixed: dict[str, str] | None = None) -> Schema:
    """The OpenAPI operation of a route; `fixed`: path names whose value the path gives (a
    route reached through another route's path, see `shadowed`)."""
    fixed = fixed or {}
    names = [n for n in op.path_names if n not in fixed]
    limit = _rate_limit(op)
    rate = f"Rate limit: {limit['limit']} requests per {WINDOW} seconds per client address."
    obj: Schema = {
        "operationId": op.doc.operation_id + "".join(f"_{v}" for v in fixed.values()),
        "summary": op.doc.summary,
        "description": f"{op.doc.description} {rate}",
        "tags": [op.doc.tag],
        "security": [
            {scheme: list(scopes) for scheme, scopes in s.items()} for s in op.doc.security
        ],
        "x-rateLimit": limit,
    }
    if fixed:
        given = ", ".join(f"`{k}` = `{v}`" for k, v in fixed.items())
        obj["summary"] += f" ({given})"
        obj["description"] = f"The route `{op.path}` with {given}. " + obj["description"]
    if names:
        obj["parameters"] = [{"$ref": f"#/components/parameters/{n}"} for n in names]
    if op.body is not None:
        ref = {"$ref": REF.format(name=op.body.__name__)}
        obj["requestBody"] = {"required": True, "content": {JSON: {"schema": ref}}}
    reply = {"$ref": REF.format(name=op.reply.__name__)}
    obj["responses"] = {
        "200": {"description": op.reply.__doc__ or "", "content": {JSON: {"schema": reply}}},
        **{str(s): _error_response(s, m) for s, m in error_examples(op, names).items()},
    }
    return obj


def _template(path: str) -> re.Pattern[str]:
    """The paths a route template matches, as aiohttp matches them (a name: no `/`)."""
    parts = re.split(r"(\{\w+\})", path)
    return re.compile(
        "".join(f"(?P<{p[1:-1]}>[^/]+)" if p.startswith("{") else re.escape(p) for p in parts)
    )


def shadowed(operations: list[Operation]) -> Iterator[tuple[str, Operation, dict[str, str]]]:
    """Routes that a fixed path also reaches: `GET /api/rooms/join` is the room named `join`,
    as the router (and the contract's Express app) sends any method the fixed path lacks on to
    the template. OpenAPI matches fixed paths first, so the document lists these under the fixed
    path: (fixed path, route, the names the path fixes)."""
    fixed_paths = {op.path for op in operations if not op.path_names}
    for path in sorted(fixed_paths):
        taken = {op.method for op in operations if op.path == path}
        for op in operations:
            match = _template(op.path).fullmatch(path) if op.path_names else None
            if match and op.method not in taken:
                yield path, op, match.groupdict()


def _components(operations: list[Operation]) -> Schema:
    types: set[type[msgspec.Struct]] = {models.ErrorReply}
    for op in operations:
        types.add(op.reply)
        if op.body is not None:
            types.add(op.body)
    _, schemas = msgspec.json.schema_components(
        sorted(types, key=lambda t: t.__name__), ref_template=REF
    )
    names = sorted({n for op in operations for n in op.path_names})
    parameters = {
        name: {
            "name": name,
            "in": "path",
            "required": True,
            "schema": msgspec.json.schema(models.Name),
        }
        for name in names
    }
    return {"schemas": schemas, "parameters": parameters, "securitySchemes": SECURITY_SCHEMES}


def _description() -> str:
    limits = ", ".join(f"{group.replace('_', '-')} {n}" for group, n in RATE_LIMITS.items())
    return f"""\
The HTTP API of HostDesk, the host's control room for live shows on LiveKit: viewers join a show
through it, raise their hand, and the host puts one of them on stage as the guest.

Production mode (the default) follows the *Trust* section of HostDesk's design: viewers prove who
they are with the LiveKit token the join call gave them (`Authorization: Bearer <token>`);
host-only calls need the host's token for that room or the host API key (`X-API-Key`). With
`--no-auth` every operation is open, as in the original MVP contract.

Every error is `{{"error": "..."}}`. Rate limits per client address per {WINDOW} seconds, by
route group ("other": every route without a group of its own): {limits}; beyond them 429 with
`Retry-After`. Each operation gives its own in `x-rateLimit`.
"""


def build_document(operations: list[Operation]) -> models.OpenApiDocument:
    paths: dict[str, Schema] = {}
    for op in operations:
        paths.setdefault(op.path, {})[op.method.lower()] = operation_object(op)
    for path, op, fixed in shadowed(operations):
        paths[path][op.method.lower()] = operation_object(op, fixed)
    return models.OpenApiDocument(
        openapi="3.1.0",
        info={
            "title": "HostDesk API",
            "version": __version__,
            "description": _description(),
            "license": {"name": "MIT", "identifier": "MIT"},
        },
        servers=[{"url": "/", "description": "The HostDesk instance serving this document."}],
        tags=[
            {"name": "rooms", "description": "Joining, rooms and participants."},
            {
                "name": "stage",
                "description": "Hands, invitations, the guests and the stage clock's limit.",
            },
            {
                "name": "chat",
                "description": "Chat moderation: hidden messages, muted chats, slow mode.",
            },
            {"name": "system", "description": "Health and this document."},
        ],
        paths=paths,
        components=_components(operations),
    )
