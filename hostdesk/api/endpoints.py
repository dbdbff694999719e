"""The table of API operations: each handler is registered with what the OpenAPI document says of
it, and is called with its path names checked and its body decoded into its model.

A handler returns its reply model; the wrapper encodes it. So the models a handler reads and
writes are the ones the document is generated from (`hostdesk.api.openapi`): they cannot drift.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import TypeVar

from aiohttp import web
from msgspec import Struct

from hostdesk.api.body import read_body
from hostdesk.api.models import Request, encode
from hostdesk.show.backstage import check_room_name
from hostdesk.show.rules import RATE_LIMITS
from hostdesk.show.validation import check_name

#: Who may call: OpenAPI security requirements ([] = anyone; {} inside = anyone, as one option).
Security = tuple[Mapping[str, tuple[str, ...]], ...]
API_KEY = "apiKey"
BEARER = "livekitToken"
OPEN: Security = ()
KEY_ONLY: Security = ({API_KEY: ()},)
KEY_OR_TOKEN: Security = ({API_KEY: ()}, {BEARER: ()})
#: A participant's own token (the API key names no participant).
TOKEN_ONLY: Security = ({BEARER: ()},)
#: Anonymous, or the API key (joining as host needs it).
OPEN_OR_KEY: Security = ({}, {API_KEY: ()})

#: The path name of a show's room.
ROOM_NAME = "roomName"

R = TypeVar("R", bound=Struct)
B = TypeVar("B", bound=Request)

_PARAMETER = re.compile(r"\{(\w+)\}")


@dataclass(frozen=True)
class Doc:
    """What the document says of a route. `errors`: the statuses it answers beyond the ones
    every route of its kind may (see `hostdesk.api.openapi`), each with example messages.
    `livekit`: whether it calls LiveKit's room service (then it may answer 503)."""

    operation_id: str
    summary: str
    description: str
    tag: str
    security: Security = OPEN
    errors: Mapping[int, tuple[str, ...]] = field(default_factory=dict)
    livekit: bool = True


@dataclass(frozen=True)
class Operation:
    method: str
    path: str
    name: str
    doc: Doc
    reply: type[Struct]
    body: type[Request] | None = None

    @property
    def path_names(self) -> list[str]:
        return _PARAMETER.findall(self.path)

    @property
    def rate_group(self) -> str:
        """The contract's rate-limit row this route counts against (the route's name)."""
        return self.name if self.name in RATE_LIMITS else "other"


def json_reply(reply: Struct) -> web.Response:
    return web.Response(body=encode(reply), content_type="application/json")


def _check_path(request: web.Request, names: list[str]) -> None:
    for name in names:
        check_name(name, request.match_info[name])
    if ROOM_NAME in names:  # only HostDesk names a backstage room
        check_room_name(request.match_info[ROOM_NAME])


class Endpoints:
    """The route table and its operations, filled by the decorators below."""

    def __init__(self) -> None:
        self.routes = web.RouteTableDef()
        self.operations: list[Operation] = []

    def _add(
        self, operation: Operation, handler: Callable[[web.Request], Awaitable[web.Response]]
    ) -> None:
        self.operations.append(operation)
        if operation.method == "GET":  # with the HEAD aiohttp answers for each GET
            self.routes.get(operation.path, name=operation.name)(handler)
        else:
            self.routes.route(operation.method, operation.path, name=operation.name)(handler)

    def plain(
        self, method: str, path: str, name: str, doc: Doc, reply: type[R]
    ) -> Callable[[Callable[[web.Request], Awaitable[R]]], Callable[[web.Request], Awaitable[R]]]:
        """A route without a request body: `handler(request) -> reply`."""

        def register(
            handler: Callable[[web.Request], Awaitable[R]],
        ) -> Callable[[web.Request], Awaitable[R]]:
            operation = Operation(method, path, name, doc, reply)
            names = operation.path_names

            async def serve(request: web.Request) -> web.Response:
                _check_path(request, names)
                return json_reply(await handler(request))

            self._add(operation, serve)
            return handler

        return register

    def with_body(
        self, method: str, path: str, name: str, doc: Doc, body: type[B], reply: type[R]
    ) -> Callable[
        [Callable[[web.Request, B], Awaitable[R]]], Callable[[web.Request, B], Awaitable[R]]
    ]:
        """A route with a JSON body: `handler(request, body) -> reply`, the path's names checked
        first (as the contract's messages come in that order)."""

        def register(
            handler: Callable[[web.Request, B], Awaitable[R]],
        ) -> Callable[[web.Request, B], Awaitable[R]]:
            operation = Operation(method, path, name, doc, reply, body)
            names = operation.path_names

            async def serve(request: web.Request) -> web.Response:
                _check_path(request, names)
                decoded = read_body(await request.read(), body, request.charset)
                return json_reply(await handler(request, decoded))

            self._add(operation, serve)
            return handler

        return register
