"""Finding the livekit-server binary HostDesk runs for ``--dev`` and the tests.

The pinned version is installed by scripts/install-livekit-server.sh into a cache outside the
repository; ``$HOSTDESK_LIVEKIT_SERVER`` or ``PATH`` may name another.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

#: The livekit-server version HostDesk is tested with (scripts/install-livekit-server.sh).
LIVEKIT_SERVER_VERSION = "v1.9.12"

_ENV_BINARY = "HOSTDESK_LIVEKIT_SERVER"
_ENV_CACHE = "HOSTDESK_CACHE"


class LiveKitServerMissing(RuntimeError):
    """No livekit-server binary could be found."""


def cached_livekit_server_path() -> Path:
    """Where scripts/install-livekit-server.sh installs the pinned server."""
    root = os.environ.get(_ENV_CACHE) or str(Path.home() / ".cache" / "hostdesk")
    return Path(root) / f"livekit-server-{LIVEKIT_SERVER_VERSION}" / "livekit-server"


def _is_executable(path: Path) -> bool:
    return path.is_file() and os.access(path, os.X_OK)


def find_livekit_server() -> Path:
    """Find the livekit-server binary.

    Looks at ``$HOSTDESK_LIVEKIT_SERVER``, then the install script's cache, then
    ``livekit-server`` on ``PATH``.
    """
    hint = (
        "run scripts/install-livekit-server.sh (needs Go 1.24+) "
        f"or set {_ENV_BINARY} to a livekit-server binary"
    )
    env = os.environ.get(_ENV_BINARY)
    if env:
        path = Path(env).expanduser()
        if _is_executable(path):
            return path.resolve()
        raise LiveKitServerMissing(f"{_ENV_BINARY}={env} is not an executable file; {hint}")
    cached = cached_livekit_server_path()
    if _is_executable(cached):
        return cached.resolve()
    on_path = shutil.which("livekit-server")
    if on_path:
        return Path(on_path).resolve()
    raise LiveKitServerMissing(
        f"livekit-server {LIVEKIT_SERVER_VERSION} not found (looked at ${_ENV_BINARY}, "
        f"{cached} and PATH): {hint}"
    )
