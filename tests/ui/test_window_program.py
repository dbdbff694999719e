"""The show's program from the host's window, on the real livekit-server: a guest's camera and
microphone, received by the window, composed with the host's own picture, encoded and streamed
to a real RTMP server (nginx's RTMP module), and read back from what that server recorded; a
recording of a show with a guest coming and going, with its chapters and timeline."""

from __future__ import annotations

import asyncio
import json
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path

import av
import numpy as np
import pytest

from hostdesk.program.outputs import OutputState
from hostdesk.show.connection import ConnectionState
from hostdesk.show.program_layout import FRAME_SIZES, Person, program
from hostdesk.show.roles import Role
from tests.program.media import near, read_back
from tests.support.desk_fixtures import Desk, bring_on_stage, eventually, viewer
from tests.support.rtmp_fixtures import NewRtmpServer

pytestmark = pytest.mark.integration

ORANGE = (230, 120, 20)
GUEST_HZ = 880.0


def _cells(desk: Desk, guest: str) -> dict[str, tuple[int, int]]:
    """The centre of each camera's cell in a 720p program of the host and one guest."""
    width, height = FRAME_SIZES["720p"]
    people = [Person(desk.control.identity, "Jane Host"), Person(guest, "Ann")]
    return {
        p.identity: (p.cell.x + p.cell.width // 2, p.cell.y + p.cell.height // 3)
        for p in program(width, height, people)
    }


def _pixel(frame: av.VideoFrame, at: tuple[int, int]) -> tuple[int, int, int]:
    picture = frame.to_ndarray(format="rgb24")
    r, g, b = (int(v) for v in picture[at[1], at[0]])
    return r, g, b


def _frame_at(path: Path, seconds: float) -> av.VideoFrame:
    """The first picture at or after `seconds` into the file."""
    with av.open(str(path)) as container:
        for frame in container.decode(video=0):
            if frame.time is not None and frame.time >= seconds:
                return frame
    raise AssertionError(f"no picture at {seconds:.1f} s in {path}")


async def test_a_guests_camera_and_voice_reach_the_rtmp_server_in_their_part_of_the_program(
    desk: Desk, rtmp_servers: NewRtmpServer
) -> None:
    server = rtmp_servers()
    server.start()
    await desk.go_live()
    ann = await viewer(desk, "Ann")
    await bring_on_stage(desk, ann)
    await ann.publish_colour(ORANGE)
    await ann.publish_tone(GUEST_HZ)
    studio = desk.window.studio
    studio.set_mix(desk.control.identity, muted=True)  # the host's own 440 Hz tone, off the mix

    studio.start_destination("nginx", "nginx", server.url, "show-key")
    await eventually(
        lambda: studio.status().destinations["nginx"].state is OutputState.LIVE, 10, "live"
    )
    await eventually(lambda: len(server.recordings("show-key")) == 1, 5, "nginx recording it")
    await asyncio.sleep(5.0)  # a few seconds of program at the server
    await studio.stop_destination("nginx")

    (recorded,) = server.recordings("show-key")
    got = read_back(recorded)
    assert (got.width, got.height) == (1280, 720), got
    assert abs(got.peak_hz - GUEST_HZ) < 10, f"the program's sound peaks at {got.peak_hz:.0f} Hz"
    last = _frame_at(recorded, got.duration - 0.2)
    cells = _cells(desk, ann.identity)
    assert near(_pixel(last, cells[ann.identity]), ORANGE, 20), "the guest's colour in their cell"
    host_pixel = _pixel(last, cells[desk.control.identity])
    assert not near(host_pixel, ORANGE, 60), "the host's cell shows the host's own picture"
    assert not near(host_pixel, (0, 0, 0), 10), "…not an empty cell"
    assert 27 <= got.fps <= 31, (got, studio.status())
    assert not studio.status().running


async def test_a_recording_with_a_guest_coming_and_going_has_chapters_at_the_stage_changes(
    desk: Desk,
) -> None:
    await desk.go_live()
    ann = await viewer(desk, "Ann")
    desk.window.program.record_button.click()
    await eventually(lambda: desk.window.studio.status().recording, 5, "recording")
    path = desk.window.studio.status().recording
    assert path is not None
    await eventually(lambda: desk.window.studio.status().recording_seconds > 1.5, 5, "1.5 s")
    await bring_on_stage(desk, ann)
    await ann.publish_colour(ORANGE)
    await eventually(lambda: desk.window.studio.status().recording_seconds > 5.0, 10, "5 s")
    await desk.control.demote(ann.identity)
    await eventually(lambda: desk.mirror.role_of(ann.identity) is Role.VIEWER, 5, "demoted")
    await eventually(lambda: desk.window.studio.status().recording_seconds > 7.5, 10, "7.5 s")
    desk.window.program.record_button.click()
    timeline_file = path.with_name(f"{path.stem}.timeline.json")
    await eventually(
        lambda: not desk.window.studio.status().running and timeline_file.exists(),
        20,
        "the recording finished",
    )
    await eventually(lambda: _chapters(path), 20, "the chapters written")

    events = json.loads(timeline_file.read_text())["events"]
    at = {e["event"]: e["timeS"] for e in events}
    chapters = _chapters(path)
    assert [title for _, title in chapters] == ["Jane Host", "Jane Host with Ann", "Jane Host"]
    assert abs(chapters[1][0] - at["on_stage"]) < 0.2, (chapters, at)
    assert abs(chapters[2][0] - at["off_stage"]) < 0.2, (chapters, at)
    assert at["hand_raised"] < at["invitation_sent"] < at["invitation_accepted"] <= at["on_stage"]
    # The picture follows the chapters: Ann's colour only while she is on stage.
    during = _frame_at(path, (at["on_stage"] + at["off_stage"]) / 2 + 0.5)
    after = _frame_at(path, at["off_stage"] + 1.0)
    guest_cell = _cells(desk, ann.identity)[ann.identity]
    assert near(_pixel(during, guest_cell), ORANGE, 20)
    assert not _has(after, ORANGE), "after she left, her colour is nowhere in the program"


def _chapters(path: Path) -> list[tuple[float, str]]:
    with av.open(str(path)) as container:
        return [
            (float(c["start"] * c["time_base"]), str(c["metadata"].get("title")))
            for c in container.chapters()
        ]


def _has(frame: av.VideoFrame, rgb: tuple[int, int, int]) -> bool:
    picture = frame.to_ndarray(format="rgb24").astype(np.int16)
    close = np.all(np.abs(picture - np.array(rgb, dtype=np.int16)) <= 20, axis=2)
    return bool(close.mean() > 0.01)


@contextmanager
def _small_disk(folder: Path, size: str) -> Iterator[Path]:
    """A disk of `size` (a tmpfs mounted on `folder`): it fills while the show records."""
    folder.mkdir()
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(folder)],
        capture_output=True,
        text=True,
        check=False,
    )
    if mounted.returncode != 0:
        pytest.fail(
            f"a disk that fills is a tmpfs of {size}, and mounting it needs root: "
            f"{mounted.stderr.strip()}",
            pytrace=False,
        )
    try:
        yield folder
    finally:
        subprocess.run(["umount", "--lazy", str(folder)], check=False)


async def test_a_disk_that_fills_mid_show_is_said_and_the_show_and_what_was_recorded_go_on(
    desk: Desk, tmp_path: Path
) -> None:
    with _small_disk(tmp_path / "small-disk", "1536k") as disk:
        prefs = desk.window.prefs_store
        prefs.save(replace(prefs.load(), recordings_folder=str(disk)))
        await desk.go_live()
        desk.window.program.record_button.click()
        studio = desk.window.studio
        await eventually(lambda: studio.status().recording, 5, "recording")
        path = studio.status().recording
        assert path is not None and path.parent == disk

        def failed() -> bool:
            recording = studio.status().recording_status
            return recording is not None and recording.state is OutputState.FAILED

        await eventually(failed, 30, "the recording to stop on the full disk")
        expected = f"Recording stopped: cannot write to {path}: the disk is full"
        await eventually(
            lambda: desk.window.banner.isVisible() and desk.window.banner.text() == expected,
            5,
            "the host told why",
            lambda: desk.window.banner.text(),
        )
        assert desk.session.state is ConnectionState.LIVE, "the show goes on"

        # What was recorded before the disk filled plays.
        got = read_back(path)
        assert (got.width, got.height) == (1280, 720), got
        assert got.duration > 1.0, got

        # Stop: the chapters cannot be written there, and the host is told what stays.
        desk.window.program.record_button.click()
        await eventually(
            lambda: not studio.status().running and desk.window.program.record_button.isEnabled(),
            20,
            "the recording to be finished",
        )
        kept = f"The recording was kept as it was, without chapters: the disk is full ({path})."
        await eventually(
            lambda: kept in desk.window.banner.text(),
            5,
            "what stays",
            lambda: desk.window.banner.text(),
        )
        assert desk.session.state is ConnectionState.LIVE
        assert read_back(path).duration > 1.0, "stopping kept what was recorded"
