"""The host's blocks on disk: one JSON file per room in the config folder's `blocks`.

A file is named after a digest of the room's name (any name is a valid file name then) and
holds the name too. It is written to a temporary file and renamed over the old one, so a crash
mid-write leaves the previous blocks, never half a file.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
from pathlib import Path

from hostdesk.paths import config_dir, private_dir
from hostdesk.show.blocks import Block

log = logging.getLogger("hostdesk.blocks")

FOLDER = "blocks"


class BlockStore:
    """`base` is the config folder (`paths.config_dir()` when None), read at each use so a
    store made before `HOSTDESK_CONFIG` is set still follows it; nothing is created until the
    first block is saved."""

    def __init__(self, base: Path | None = None) -> None:
        self._base = base

    def _file(self, folder: Path, room: str) -> Path:
        return folder / (hashlib.sha256(room.encode()).hexdigest()[:32] + ".json")

    def load(self, room: str) -> list[Block]:
        base = config_dir() if self._base is None else self._base
        path = self._file(base / FOLDER, room)
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return []
        except (OSError, ValueError):
            log.warning("unreadable blocks file %s: starting with no blocks", path)
            return []
        entries = data.get("blocks") if isinstance(data, dict) else None
        blocks = [Block.from_json(entry) for entry in entries or []]
        return [block for block in blocks if block is not None]

    def rooms(self) -> list[str]:
        """The rooms that have a blocks file with at least one block."""
        base = config_dir() if self._base is None else self._base
        found = []
        for path in sorted((base / FOLDER).glob("*.json")):
            try:
                data = json.loads(path.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                continue
            if isinstance(data, dict) and isinstance(data.get("room"), str) and data.get("blocks"):
                found.append(data["room"])
        return found

    def save(self, room: str, blocks: list[Block]) -> None:
        path = self._file(private_dir(FOLDER, self._base), room)
        text = json.dumps({"room": room, "blocks": [b.to_json() for b in blocks]}, indent=1)
        temporary = path.with_suffix(f".{os.getpid()}.tmp")
        temporary.write_text(text + "\n", encoding="utf-8")
        temporary.replace(path)
