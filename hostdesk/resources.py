"""Where the bundled resources live, from a source tree and from a PyInstaller build."""

from __future__ import annotations

import sys
from pathlib import Path


def resources_root() -> Path:
    frozen = getattr(sys, "_MEIPASS", None)
    if frozen:
        return Path(frozen) / "resources"
    return Path(__file__).resolve().parent.parent / "resources"


def resource_path(relative: str) -> Path:
    return resources_root() / relative


LIVEKIT_CLIENT = "livekit-client.umd.js"


def livekit_client_path() -> Path:
    """The browser build of livekit-client: bundled under resources/vendor in a frozen app,
    from npm's node_modules in a source tree (`npm ci`)."""
    bundled = resource_path(f"vendor/{LIVEKIT_CLIENT}")
    if bundled.exists():
        return bundled
    return resources_root().parent / "node_modules" / "livekit-client" / "dist" / LIVEKIT_CLIENT
