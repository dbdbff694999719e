"""The host's computer crashes mid-recording: what was recorded plays, up to its last seconds.
Asked to quit (SIGTERM: the computer shutting down, or the LiveKit SDK after a panic of its
own): the recording is finished as by its Stop button, and the log says why HostDesk quit.

Run as a host would: `python -m hostdesk --go-live SHOW --record FILE` as a real process
(offscreen) against a real livekit-server, killed with SIGKILL or SIGTERM while it records; the
file left on disk is read back with PyAV, and its timeline is beside it."""

from __future__ import annotations

import asyncio
import json
import signal
import time
from pathlib import Path

import av
import pytest

from hostdesk.devserver import LocalLiveKitServer
from tests.program.media import read_back
from tests.support.api_fixtures import RunningApi, new_room
from tests.test_host_restart import Window, wait_for_host, windows

pytestmark = pytest.mark.integration

__all__ = ["windows"]


async def test_a_recording_whose_process_is_killed_plays_back_to_its_last_seconds(
    api: RunningApi, livekit_server: LocalLiveKitServer, windows: list[Window], tmp_path: Path
) -> None:
    window, path = await _recording_window(livekit_server, windows, tmp_path)
    await wait_for_host(api, window.room)
    ann = await api.joined_bot(window.room, "Ann")
    await _recorded_a_while(path)
    window.kill()
    await ann.close()

    got = read_back(path)
    assert (got.width, got.height) == (1280, 720), got
    assert got.duration >= 2.0, f"only {got.duration:.1f} s of the show play back"
    timeline = json.loads(path.with_name("show.timeline.json").read_text())
    assert timeline["events"][0]["event"] == "recording_started"
    assert timeline["host"]["name"] == "Jane"


async def test_a_host_asked_to_quit_mid_recording_gets_it_finished_and_the_reason_logged(
    api: RunningApi, livekit_server: LocalLiveKitServer, windows: list[Window], tmp_path: Path
) -> None:
    window, path = await _recording_window(livekit_server, windows, tmp_path)
    await wait_for_host(api, window.room)
    await _recorded_a_while(path)
    assert window.proc is not None
    window.proc.send_signal(signal.SIGTERM)
    printed, _ = await asyncio.to_thread(window.proc.communicate, timeout=30)

    assert window.proc.returncode == 0, printed
    assert "SIGTERM: leaving the show, finishing any recording, quitting" in printed
    got = read_back(path)
    assert got.duration >= 2.0, f"only {got.duration:.1f} s of the show play back"
    with av.open(str(path)) as container:  # finished: the plain MP4 with its chapter
        assert [c["metadata"].get("title") for c in container.chapters()] == ["Jane"]


async def _recording_window(
    livekit_server: LocalLiveKitServer, windows: list[Window], tmp_path: Path
) -> tuple[Window, Path]:
    """`hostdesk --go-live SHOW --record FILE` started in a new show; the FILE."""
    path = tmp_path / "show.mp4"
    window = Window(livekit_server, tmp_path / "config", new_room(), ("--record", str(path)))
    windows.append(window)
    await asyncio.to_thread(window.start)
    return window, path


async def _recorded_a_while(path: Path) -> None:
    deadline = time.monotonic() + 30
    while not (path.exists() and path.stat().st_size > 300_000):  # a few seconds of program
        assert time.monotonic() < deadline, f"{path} did not grow while the show was live"
        await asyncio.sleep(0.2)
    await asyncio.sleep(2.0)
