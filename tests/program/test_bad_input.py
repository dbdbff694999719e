"""What the host is told when an output cannot work, and that the show goes on meanwhile."""

from __future__ import annotations

import json
import logging
import os
import socket
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from hostdesk.program import Destination, OutputState, ProgramEncoder, Recording
from tests.program.media import COLOUR, FPS, H, Tone, W, feed, read_back, solid_rgba, wait_for

REPO = Path(__file__).resolve().parents[2]

# A disk that fills mid-show: the child may write no file beyond 2.5 MB (RLIMIT_FSIZE; writes
# past it fail with EFBIG, as they would with ENOSPC), and its picture is noise, so it gets
# there in a few seconds. The encoder goes on after the recording fails.
_FILL_THE_DISK = """
import json, resource, signal, sys, time
import numpy as np
from hostdesk.program import OutputState, ProgramEncoder, Recording
from tests.program.media import Tone, wait_for
signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
resource.setrlimit(resource.RLIMIT_FSIZE, (2_500_000, 2_500_000))
rng = np.random.default_rng(1)
noise = [rng.integers(0, 256, 1280 * 720 * 4, dtype=np.uint8).tobytes() for _ in range(8)]
encoder = ProgramEncoder(1280, 720, 30, video_bitrate=6_000_000)
encoder.start()
recording = Recording(sys.argv[1])
encoder.add_output(recording)
tone, start, n = Tone(), time.monotonic(), 0
while time.monotonic() - start < 20 and recording.status.state is not OutputState.FAILED:
    encoder.push_video(noise[n % 8]); encoder.push_audio(tone.chunk(1600)); n += 1
    time.sleep(1 / 30)
at_failure = encoder.stats.encoded
for _ in range(30):
    encoder.push_video(noise[n % 8]); encoder.push_audio(tone.chunk(1600)); n += 1
    time.sleep(1 / 30)
encoder.stop()
print(json.dumps({"error": recording.status.error, "state": recording.status.state,
                  "after": encoder.stats.encoded - at_failure}))
"""


def test_a_disk_that_fills_is_said_and_what_was_recorded_plays(tmp_path: Path) -> None:
    path = tmp_path / "show.mp4"
    done = subprocess.run(
        [sys.executable, "-c", _FILL_THE_DISK, str(path)],
        cwd=REPO,
        env={**os.environ, "PYTHONPATH": str(REPO)},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    report = json.loads(done.stdout.strip().splitlines()[-1])
    assert report["error"] == f"cannot write to {path}: file too large"
    assert report["state"] == "failed"
    assert report["after"] >= 5, "the encoder went on after the recording failed"
    assert 2_000_000 <= path.stat().st_size <= 2_500_000
    assert read_back(path).frames >= 15  # up to the last whole fragment


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


def test_a_server_that_accepts_and_says_nothing_is_said_within_seconds() -> None:
    with socket.socket() as silent:  # the kernel accepts; nobody ever answers
        silent.bind(("127.0.0.1", 0))
        silent.listen(8)
        port = silent.getsockname()[1]
        encoder = ProgramEncoder(W, H, FPS)
        encoder.start()
        mute = Destination("Custom", f"rtmp://127.0.0.1:{port}/live", "k", connect_timeout=1.0)
        encoder.add_output(mute)
        try:
            wait_for(lambda: mute.status.error is not None, 4, "an error")
        finally:
            encoder.stop(timeout=5)
    assert mute.status.error == (
        f"Custom: 127.0.0.1:{port} accepts connections but does not answer"
    )
    assert mute.status.state is OutputState.STOPPED


def test_an_output_that_stalls_drops_its_own_packets_and_holds_nobody_back(
    tmp_path: Path,
) -> None:
    stalled_path = tmp_path / "stalled.mp4"
    os.mkfifo(stalled_path)
    # A reader that never reads: the pipe's 64 kB fill and the recording's writes block.
    reader = os.open(stalled_path, os.O_RDONLY | os.O_NONBLOCK)
    try:
        encoder = ProgramEncoder(W, H, FPS)
        encoder.start()
        stalled, good = Recording(stalled_path), Recording(tmp_path / "good.mp4")
        encoder.add_output(stalled)
        encoder.add_output(good)
        stop = threading.Event()
        feeder = threading.Thread(
            target=feed, args=(encoder, 60.0, _noise(), Tone(), stop), daemon=True
        )
        feeder.start()
        try:
            wait_for(lambda: stalled.status.dropped_packets > 0, 30, "the stalled output dropping")
            encoded, written = encoder.stats.encoded, good.status.bytes_written
            wait_for(lambda: encoder.stats.encoded > encoded + 15, 5, "the encoder going on")
            wait_for(lambda: good.status.bytes_written > written, 5, "the good output going on")
            assert good.status.dropped_packets == 0
            assert stalled.status.state is OutputState.LIVE
        finally:
            stop.set()
            feeder.join()
    finally:
        os.close(reader)  # the blocked write ends (EPIPE), and with it the stalled recording
    encoder.stop()
    assert read_back(tmp_path / "good.mp4").frames >= 15


def _noise() -> bytes:
    """A picture that does not compress, so the stalled pipe fills at once."""
    return os.urandom(W * H * 4)
