"""Starting HostDesk as a real process and reading where its API listens."""

from __future__ import annotations

import subprocess
import time

LISTENING = "HostDesk API listening on "


def api_url(proc: subprocess.Popen[str], timeout: float = 60.0) -> tuple[str, str]:
    """The API URL the process prints once listening ("" if it never does), and what it printed
    until then."""
    assert proc.stdout is not None
    seen: list[str] = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        line = proc.stdout.readline()
        seen.append(line)
        if line.startswith(LISTENING):
            return line.split()[-1], "".join(seen)
        if not line and proc.poll() is not None:
            break
    return "", "".join(seen)
