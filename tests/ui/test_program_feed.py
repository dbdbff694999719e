"""What the window feeds the program (hostdesk/ui/program_feed.py), offscreen and without LiveKit:
the host's own camera and microphone (the built-in test pattern and tone, through the tap on the
session) and a guest's frames as the session hands them over reach the recording, each in its
own part of the picture; the stage's speaker layout is the program's."""

from __future__ import annotations

import asyncio
from pathlib import Path

import av
import numpy as np

from hostdesk.show.mirror import Seen
from hostdesk.show.participants import Participant
from hostdesk.show.program_layout import FRAME_SIZES, Person, program
from hostdesk.show.roles import Metadata, Role
from hostdesk.ui.settings import TEST_PATTERN, TONE
from hostdesk.ui.stage_panel import SPEAKER
from tests.program.media import near, read_back
from tests.support.desk_fixtures import Desk, eventually
from tests.ui.test_program_bar import HOST, HOST_NAME, live_desk, notice_of

ORANGE = (230, 120, 20)
GUEST = "ann"


def _guest_on_stage(desk: Desk) -> None:
    meta = Metadata(Role.GUEST, "Ann Guest").encode()
    desk.session.fact.emit(Seen(Participant(GUEST, "Ann Guest", metadata=meta), arrived=True))


def _cells() -> dict[str, tuple[int, int, int, int]]:
    width, height = FRAME_SIZES["720p"]
    people = [Person(HOST, HOST_NAME), Person(GUEST, "Ann Guest")]
    return {
        p.identity: (p.cell.x, p.cell.y, p.cell.width, p.cell.height)
        for p in program(width, height, people)
    }


def _last_picture(path: Path) -> np.ndarray:
    with av.open(str(path)) as container:
        frames = list(container.decode(video=0))
    return frames[-5].to_ndarray(format="rgb24")


async def test_the_hosts_camera_and_tone_and_a_guests_frames_reach_the_recording(
    tmp_path: Path,
) -> None:
    async with live_desk(tmp_path) as desk:
        _guest_on_stage(desk)
        window, studio = desk.window, desk.window.studio
        window.capture.start(TEST_PATTERN, TONE, HOST_NAME)
        window.program.record_button.click()
        path = studio.status().recording
        assert path is not None
        orange = memoryview(bytes((ORANGE[2], ORANGE[1], ORANGE[0], 255)) * (640 * 360))
        while studio.status().recording_seconds < 3.0:
            desk.session.guest_frame.emit(GUEST, 640, 360, orange)  # as LiveKit hands them over
            await asyncio.sleep(0.05)
        window.program.record_button.click()
        await eventually(lambda: not studio.status().running, 20, "the recording finished")
        await eventually(lambda: notice_of(desk)().startswith("Saved"), 20, "saved")
        window.capture.stop()

    got = read_back(path)
    assert abs(got.peak_hz - 440) < 10, f"the program's sound peaks at {got.peak_hz:.0f} Hz"
    picture, cells = _last_picture(path), _cells()
    x, y, w, h = cells[GUEST]
    r, g, b = (int(v) for v in picture[y + h // 3, x + w // 2])
    assert near((r, g, b), ORANGE, 20), "the guest's frames in the guest's cell"
    x, y, w, h = cells[HOST]
    bars = picture[y : y + h // 2, x : x + w].astype(float)
    assert bars.std() > 40, "the host's test pattern (colour bars), not a card, in the host's cell"


async def test_the_stage_layout_and_its_speaker_are_the_programs(tmp_path: Path) -> None:
    async with live_desk(tmp_path) as desk:
        _guest_on_stage(desk)
        feed, stage = desk.window.program_feed, desk.window.stage
        await eventually(lambda: stage.tile_of(GUEST), 5, "the guest's tile")
        guest_tile = stage.tile_of(GUEST)

        stage.speaker_button.click()
        stage.set_focus_tile(guest_tile)
        feed.sync_speaker()
        assert feed.studio._speaker == GUEST  # what the studio lays out large
        stage.set_focus_tile(stage.host_tile)
        feed.sync_speaker()
        assert feed.studio._speaker == HOST
        stage.grid_button.click()
        feed.sync_speaker()
        assert stage.layout_mode != SPEAKER and feed.studio._speaker == ""
