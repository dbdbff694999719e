"""The OpenAPI 3.1 document of the API (placeholder until the full document lands)."""

from __future__ import annotations

from typing import Any


def document() -> dict[str, Any]:
    return {"openapi": "3.1.0", "info": {"title": "HostDesk API", "version": "1"}, "paths": {}}
