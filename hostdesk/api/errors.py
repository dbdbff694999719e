"""Every failure becomes `{"error": ...}` with its documented status; nothing else leaks out."""

from __future__ import annotations

import logging

from aiohttp import web
from aiohttp.typedefs import Handler

from hostdesk.api.models import ErrorReply, encode
from hostdesk.show.errors import (
    Conflict,
    Forbidden,
    InvalidInput,
    NotAuthenticated,
    NotFound,
    RateLimited,
    ShowError,
    Unavailable,
)

log = logging.getLogger("hostdesk.api")

JSON = "application/json"

STATUS: dict[type[ShowError], int] = {
    InvalidInput: 400,
    NotAuthenticated: 401,
    Forbidden: 403,
    NotFound: 404,
    Conflict: 409,
    RateLimited: 429,
    Unavailable: 503,
}

INTERNAL_ERROR = "Internal server error"
TOO_LARGE = "Request body too large"

_HTTP_MESSAGES = {
    400: "Bad request",
    404: "Not found",
    405: "Method not allowed",
    413: TOO_LARGE,
}


def error_response(
    status: int, message: str, headers: dict[str, str] | None = None
) -> web.Response:
    body = encode(ErrorReply(message))
    return web.Response(body=body, status=status, content_type=JSON, headers=headers)


@web.middleware
async def error_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    try:
        return await handler(request)
    except ShowError as exc:
        headers = {"Retry-After": str(exc.retry_after)} if isinstance(exc, RateLimited) else None
        return error_response(STATUS.get(type(exc), 400), exc.message, headers)
    except web.HTTPException as exc:
        if exc.status < 400:
            raise
        headers = {"Allow": exc.headers["Allow"]} if "Allow" in exc.headers else None
        return error_response(exc.status, _HTTP_MESSAGES.get(exc.status, exc.reason), headers)
    except Exception:
        log.exception("unhandled error in %s %s", request.method, request.path)
        return error_response(500, INTERNAL_ERROR)
