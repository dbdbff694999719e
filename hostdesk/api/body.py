"""Reading request bodies and path parts: valid JSON objects with fields of the right type."""

from __future__ import annotations

import json
from typing import Any

from aiohttp import web

from hostdesk.show.errors import InvalidInput
from hostdesk.show.validation import check_name

#: Largest request body accepted (413 beyond it).
MAX_BODY = 64 * 1024


async def json_object(request: web.Request) -> dict[str, Any]:
    try:
        data = await request.json(loads=_loads)
    except ValueError:
        raise InvalidInput("Request body must be valid JSON") from None
    if not isinstance(data, dict):
        raise InvalidInput("Request body must be a JSON object")
    return data


def _loads(text: str) -> Any:
    return json.loads(text) if text.strip() else None


def required_names(body: dict[str, Any], *fields: str) -> list[str]:
    """The named text fields, all present, or the contract's "a and b are required" (400)."""
    values = [body.get(f) for f in fields]
    if any(v is None or v == "" for v in values):
        raise InvalidInput(" and ".join(fields) + " are required")
    for field, value in zip(fields, values, strict=True):
        if not isinstance(value, str):
            raise InvalidInput(f"{field} must be a string")
        check_name(field, value)
    return [str(v) for v in values]


def path_name(request: web.Request, key: str) -> str:
    return check_name(key, request.match_info[key])
