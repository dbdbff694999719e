"""Where HostDesk keeps what it must remember between runs (its certificate, blocks, ...)."""

from __future__ import annotations

import os
import secrets
import sys
from collections.abc import Mapping
from pathlib import Path

__all__ = ["ENV_CONFIG", "config_dir", "install_id", "private_dir"]

#: Overrides the per-user folder: tests, portable installs, several profiles side by side.
ENV_CONFIG = "HOSTDESK_CONFIG"


def config_dir(env: Mapping[str, str] | None = None, platform: str | None = None) -> Path:
    """HostDesk's per-user config folder (not created: callers use `private_dir`).

    `$HOSTDESK_CONFIG` when set, else the platform's convention: `$XDG_CONFIG_HOME/hostdesk` or
    `~/.config/hostdesk` on Linux and other Unixes, `~/Library/Application Support/HostDesk` on
    macOS, `%APPDATA%\\HostDesk` on Windows. `env` and `platform` default to this process's.
    """
    env = os.environ if env is None else env
    platform = sys.platform if platform is None else platform
    override = env.get(ENV_CONFIG, "").strip()
    if override:
        return Path(override).expanduser()
    if platform == "win32":
        appdata = env.get("APPDATA", "").strip()
        base = Path(appdata) if appdata else Path.home() / "AppData" / "Roaming"
        return base / "HostDesk"
    if platform == "darwin":
        return Path.home() / "Library" / "Application Support" / "HostDesk"
    # The XDG spec says a relative XDG_CONFIG_HOME is invalid and must be ignored.
    xdg = env.get("XDG_CONFIG_HOME", "").strip()
    base = Path(xdg) if xdg and Path(xdg).is_absolute() else Path.home() / ".config"
    return base / "hostdesk"


def private_dir(name: str, base: Path | None = None) -> Path:
    """`base / name` (base: `config_dir()`), created if need be, readable by this user only.

    The subfolder gets mode 0700 also when it already existed with a looser one, since it holds
    private keys or the host's records of the audience; `base` gets 0700 only when this creates
    it (it may be a folder the host chose and shares with other things).
    """
    base = config_dir() if base is None else base
    base.mkdir(mode=0o700, parents=True, exist_ok=True)
    folder = base / name
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    if os.name == "posix" and folder.stat().st_mode & 0o077:
        folder.chmod(0o700)
    return folder


def install_id(base: Path | None = None) -> str:
    """A random id of this HostDesk on this computer, made on first use and kept in the config
    folder (`install-id`). The host's window derives its identity in a show from it, so that a
    restarted window is the same participant to LiveKit and another computer is not."""
    path = private_dir("identity", base) / "install-id"
    try:
        existing = path.read_text(encoding="ascii").strip()
    except (FileNotFoundError, UnicodeDecodeError):
        existing = ""
    if len(existing) == 32 and all(c in "0123456789abcdef" for c in existing):
        return existing
    made = secrets.token_hex(16)
    temporary = path.with_suffix(".tmp")
    temporary.write_text(made + "\n", encoding="ascii")
    temporary.replace(path)  # atomic: two windows starting at once agree on one of the two
    return path.read_text(encoding="ascii").strip()
