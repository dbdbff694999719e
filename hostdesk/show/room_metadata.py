"""The room's metadata as the server writes it: one JSON object whose keys belong to different
settings (`chat` in `hostdesk.show.chat`, `stage` in `hostdesk.show.stage_clock`). Each reads its
own key and writes it back beside the others, never dropping them."""

from __future__ import annotations

import json
from typing import Any


def section(metadata: str, key: str) -> dict[str, Any] | None:
    """The object under `key`, or None (no metadata, another shape, not an object)."""
    try:
        data = json.loads(metadata) if metadata else {}
    except ValueError:
        return None
    found = data.get(key) if isinstance(data, dict) else None
    return found if isinstance(found, dict) else None


def with_section(metadata: str, key: str, value: dict[str, Any]) -> str:
    """`metadata` with `key` set to `value`; the other keys kept as they are."""
    try:
        data = json.loads(metadata) if metadata else {}
    except ValueError:
        data = {}
    if not isinstance(data, dict):
        data = {}
    data[key] = value
    return json.dumps(data, separators=(",", ":"), ensure_ascii=False)
