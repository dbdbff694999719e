"""What the host is told when an output cannot work, and that the show goes on meanwhile."""

from __future__ import annotations

import logging
import socket
from pathlib import Path

import pytest

from hostdesk.program import Destination, OutputState, ProgramEncoder, Recording
from tests.program.media import COLOUR, FPS, H, Tone, W, feed, read_back, solid_rgba, wait_for


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def test_an_unwritable_path_is_said_and_the_other_outputs_go_on(tmp_path: Path) -> None:
    encoder = ProgramEncoder(W, H, FPS)
    encoder.start()
    nowhere = Recording(tmp_path / "no such folder" / "show.mp4")
    full = Recording("/dev/full")  # every write: ENOSPC
    good = Recording(tmp_path / "show.mp4")
    for output in (nowhere, full, good):
        encoder.add_output(output)
    wait_for(lambda: good.status.state is OutputState.LIVE, 10, "the good recording live")
    feed(encoder, 2.5, solid_rgba(COLOUR), Tone())
    assert nowhere.status.state is full.status.state is OutputState.FAILED
    assert good.status.state is OutputState.LIVE
    encoder.stop()

    assert nowhere.status.error == (
        f"cannot write to {tmp_path / 'no such folder' / 'show.mp4'}: no such file or directory"
    )
    assert full.status.error == "cannot write to /dev/full: the disk is full"
    assert nowhere.status.state is full.status.state is OutputState.FAILED
    assert read_back(tmp_path / "show.mp4").duration >= 2.0


def test_a_server_that_is_not_there_is_retried_and_never_raises(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="hostdesk.program")
    port = _closed_port()
    encoder = ProgramEncoder(W, H, FPS)
    encoder.start()
    absent = Destination("Custom", f"rtmp://127.0.0.1:{port}/live", "k3y-never-shown")
    good = Recording(tmp_path / "show.mp4")
    encoder.add_output(absent)
    encoder.add_output(good)
    feed(encoder, 2.5, solid_rgba(COLOUR), Tone())
    status = absent.status
    encoder.stop()

    assert status.state is OutputState.RETRYING
    assert status.error == f"Custom: cannot connect to 127.0.0.1:{port}: connection refused"
    retries = [r.getMessage() for r in caplog.records if "retrying" in r.getMessage()]
    assert retries[:2] == [
        f"program destination retrying in 1 s: {status.error}",
        f"program destination retrying in 2 s: {status.error}",
    ]
    assert all("k3y" not in r.getMessage() for r in caplog.records)
    assert absent.status.state is OutputState.STOPPED
    assert read_back(tmp_path / "show.mp4").duration >= 2.0
