"""The packaged app (`make package` -> dist/HostDesk) runs like the source version."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import urllib.request
from importlib.metadata import version
from pathlib import Path

import pytest

from hostdesk.devserver import find_livekit_server
from tests.support.processes import api_url

pytestmark = pytest.mark.integration  # the packaged app, with its livekit-server

FROZEN = Path(os.environ.get("HOSTDESK_FROZEN", "dist/HostDesk/hostdesk"))


@pytest.fixture(scope="module")
def frozen() -> Path:
    if not FROZEN.exists():
        pytest.fail(f"{FROZEN} is missing: build it with `make package`", pytrace=False)
    return FROZEN


def test_frozen_version_comes_from_the_package_metadata(frozen: Path) -> None:
    result = subprocess.run([frozen, "--version"], capture_output=True, text=True, timeout=60)
    assert result.stdout.strip() == f"hostdesk {version('hostdesk')}"


def test_frozen_self_test_passes(frozen: Path) -> None:
    result = subprocess.run(
        [frozen, "--self-test"],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
    )
    assert result.returncode == 0, result.stdout + result.stderr
    for part in (
        "Qt offscreen",
        "Qt multimedia",
        "LiveKit native library",
        "GET /health",
        "viewer page",
        "livekit-client",
    ):
        assert f"ok   {part}" in result.stdout


def test_frozen_self_test_names_what_failed(frozen: Path, tmp_path: Path) -> None:
    broken = tmp_path / "HostDesk"
    subprocess.run(["cp", "-a", str(frozen.parent), str(broken)], check=True)
    (broken / "_internal" / "resources" / "viewer" / "index.html").unlink()
    result = subprocess.run(
        [broken / frozen.name, "--self-test"],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
    )
    assert result.returncode == 1
    assert "FAIL viewer page" in result.stdout and "viewer page" in result.stderr


def test_frozen_serve_dev_answers_a_real_join(frozen: Path) -> None:
    find_livekit_server()  # says how to install it when missing
    env = {k: v for k, v in os.environ.items() if not k.startswith("LIVEKIT_")}
    proc = subprocess.Popen(
        [frozen, "serve", "--dev", "--port", "0", "--no-auth"],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=env,
    )
    try:
        url, printed = api_url(proc)
        assert url, "the frozen app did not start its API:\n" + printed
        body = json.dumps({"roomName": "frozen", "participantName": "Jane", "role": "host"})
        request = urllib.request.Request(url + "/api/rooms/join", data=body.encode(), method="POST")
        with urllib.request.urlopen(request, timeout=10) as response:
            joined = json.load(response)
        assert joined["role"] == "host" and joined["token"] and joined["wsUrl"].startswith("ws")
        with urllib.request.urlopen(url + "/api/rooms/frozen", timeout=10) as response:
            assert json.load(response)["room"]["name"] == "frozen"  # created in LiveKit
    finally:
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(15) == 0
