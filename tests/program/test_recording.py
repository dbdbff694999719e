"""The program recorded to a fragmented MP4 file: it plays back, even after a SIGKILL."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from hostdesk.program import OutputState, ProgramEncoder, Recording
from tests.program.media import (
    COLOUR,
    FPS,
    TONE_HZ,
    H,
    Tone,
    W,
    feed,
    near,
    read_back,
    solid_rgba,
    wait_for,
)

REPO = Path(__file__).resolve().parents[2]

# The show in a process of its own that records until it is killed.
_RECORD_FOREVER = """
import sys
from hostdesk.program import OutputState, ProgramEncoder, Recording
from tests.program.media import COLOUR, FPS, H, W, Tone, feed, solid_rgba, wait_for
encoder = ProgramEncoder(W, H, FPS)
encoder.start()
recording = Recording(sys.argv[1])
encoder.add_output(recording)
wait_for(lambda: recording.status.state is OutputState.LIVE, 10, "the recording")
print("live", flush=True)
feed(encoder, 600.0, solid_rgba(COLOUR), Tone())
"""


def test_a_recording_plays_back_at_its_size_rate_and_length(tmp_path: Path) -> None:
    encoder = ProgramEncoder(W, H, FPS)
    encoder.start()
    recording = Recording(tmp_path / "show.mp4")
    encoder.add_output(recording)
    wait_for(lambda: recording.status.state is OutputState.LIVE, 10, "the recording live")
    feed(encoder, 3.0, solid_rgba(COLOUR), Tone())
    encoder.stop()

    assert recording.status.state is OutputState.STOPPED
    assert recording.status.error is None
    got = read_back(tmp_path / "show.mp4")
    assert (got.width, got.height) == (1280, 720)
    assert 29 <= got.fps <= 31, got
    assert 2.6 <= got.duration <= 3.1, got
    assert got.frames >= encoder.stats.encoded - 2, (got, encoder.stats)
    assert near(got.centre, COLOUR), got
    assert abs(got.peak_hz - TONE_HZ) < 5, got


def test_a_recording_whose_process_is_killed_still_plays(tmp_path: Path) -> None:
    path = tmp_path / "killed.mp4"
    child = subprocess.Popen(
        [sys.executable, "-c", _RECORD_FOREVER, str(path)],
        cwd=REPO,
        env={**os.environ, "PYTHONPATH": str(REPO)},
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert child.stdout is not None
        assert child.stdout.readline().strip() == "live"
        time.sleep(3.5)
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait()
    assert child.returncode == -signal.SIGKILL

    got = read_back(path)  # no trailer, no final moov: only the fragments written so far
    assert (got.width, got.height) == (1280, 720)
    assert got.duration >= 2.0, got
    assert near(got.centre, COLOUR), got
