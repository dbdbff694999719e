"""The program studio (hostdesk/program/studio.py): the program follows the stage as the mirror
tells it, runs only while something records or streams, and a recording of a show with a guest
coming and going ends with its chapters and timeline at the right times.

The picture here is a plain one (a solid frame at the program's rate, and the layouts it was
given): what the compositor draws is tests/ui/test_program_picture.py's, and the whole chain
from a guest's camera to the RTMP server is tests/ui/test_window_program.py's."""

from __future__ import annotations

import asyncio
import json
import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path

import av
import numpy as np
import pytest

from hostdesk.program.outputs import OutputState
from hostdesk.program.studio import ProgramError, Studio
from hostdesk.show.backstage import backstage_attributes
from hostdesk.show.mirror import ShowMirror
from hostdesk.show.participants import Participant
from hostdesk.show.program_layout import Placed
from tests.program.media import read_back
from tests.support.people import guest, viewer

HOST = "host-1"


class PlainPicture:
    """A solid frame at the program's rate; keeps the layouts it is given."""

    made: list[PlainPicture] = []

    def __init__(self, width: int, height: int, fps: int, sink: Callable[[bytes], None]) -> None:
        self.width, self.height, self.fps, self.sink = width, height, fps, sink
        self.layouts: list[list[Placed]] = []
        self.frames: dict[tuple[str, bool], int] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self.stopped = False
        PlainPicture.made.append(self)

    def measure(self, text: str, font_px: int) -> float:
        return 0.6 * font_px * len(text)

    def set_layout(self, placed: Sequence[Placed]) -> None:
        self.layouts.append(list(placed))

    def set_frame(
        self,
        identity: str,
        share: bool,
        width: int,
        height: int,
        data: bytes | memoryview,
        pixel_format: str,
    ) -> None:
        self.frames[identity, share] = self.frames.get((identity, share), 0) + 1

    def forget(self, identity: str, share: bool) -> None:
        self.frames.pop((identity, share), None)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()
        self.stopped = True

    def shown(self) -> list[tuple[str, bool]]:
        return [(p.identity, p.share) for p in self.layouts[-1]]

    def _run(self) -> None:
        frame = bytes((40, 160, 90, 255)) * (self.width * self.height)
        start, n = time.monotonic(), 0
        while not self._stop.wait(max(0.0, start + n / self.fps - time.monotonic())):
            self.sink(frame)
            n += 1


@pytest.fixture
def mirror() -> ShowMirror:
    return ShowMirror(local_identity=HOST)


@pytest.fixture
def studio(mirror: ShowMirror) -> Studio:
    PlainPicture.made.clear()
    studio = Studio(mirror, PlainPicture)
    studio.set_host(HOST, "Jane Host")
    return studio


def on_backstage(participant: Participant) -> Participant:
    attributes = {**participant.attributes, **backstage_attributes(True)}
    return Participant(
        participant.identity, participant.name, metadata=participant.metadata, attributes=attributes
    )


async def test_nothing_runs_until_an_output_starts_and_all_stops_with_the_last(
    studio: Studio, tmp_path: Path
) -> None:
    studio.camera(HOST, 2, 2, bytes(16), "rgba")
    assert not PlainPicture.made and not studio.status().running
    studio.start_recording(tmp_path / "show.mp4")
    studio.start_destination("yt", "YouTube", "rtmp://127.0.0.1:9/live", "key")
    assert len(PlainPicture.made) == 1 and studio.status().running
    await studio.stop_recording()
    assert studio.status().running, "the destination still streams"
    await studio.stop_destination("yt")
    status = studio.status()
    assert not status.running and PlainPicture.made[0].stopped
    assert status.recording is None and status.destinations == {}
    assert not any(t.name.startswith("program:") for t in threading.enumerate())
    await studio.aclose()
    await studio.aclose()  # the window and the app may both close it


async def test_the_program_follows_the_stage_and_never_shows_the_backstage(
    studio: Studio, mirror: ShowMirror
) -> None:
    studio.start_destination("yt", "YouTube", "rtmp://127.0.0.1:9/live", "key")
    picture = PlainPicture.made[0]
    assert picture.shown() == [(HOST, False)]
    mirror.seen(viewer("ann", "Ann"))
    mirror.seen(guest("bob", "Bob"))
    assert picture.shown() == [(HOST, False), ("bob", False)]
    mirror.seen(on_backstage(viewer("ann", "Ann")))
    studio.share("ann", 4, 4, bytes(64), "bgra")  # someone backstage shares: not the stage's
    assert picture.shown() == [(HOST, False), ("bob", False)]
    studio.share("bob", 4, 4, bytes(64), "bgra")
    placed = picture.layouts[-1]
    assert [(p.identity, p.share) for p in placed][-1] == ("bob", True)
    assert max(placed, key=lambda p: p.cell.width).share, "a share is shown large"
    studio.camera("bob", 4, 4, bytes(64), "bgra")
    assert picture.frames[("bob", False)] == 1 and picture.frames[("bob", True)] == 1
    studio.share_ended("bob")
    mirror.left("bob")
    assert picture.shown() == [(HOST, False)]
    assert ("bob", True) not in picture.frames
    await studio.aclose()


async def test_only_the_people_on_stage_are_heard_each_at_their_own_level(
    studio: Studio, mirror: ShowMirror, tmp_path: Path
) -> None:
    mirror.seen(guest("bob", "Bob"))
    mirror.seen(viewer("cy", "Cy"))
    studio.set_mix("bob", level=0.5)
    studio.set_mix(HOST, muted=True)
    assert studio.mix_of("bob") == (0.5, False) and studio.mix_of(HOST) == (1.0, True)
    path = tmp_path / "sound.mp4"
    studio.start_recording(path)
    tone = _tone(660.0)
    loud = _tone(220.0, amplitude=0.9)
    for n in range(300):  # 3 s in real time, 10 ms at a time
        studio.sound("bob", tone(n))
        studio.sound(HOST, loud(n))  # muted in the mix
        studio.sound("cy", loud(n))  # a viewer: not in the program
        await asyncio.sleep(0.01)
    await studio.stop_recording()
    heard = read_back(path)
    assert abs(heard.peak_hz - 660.0) < 10, f"the strongest sound is {heard.peak_hz:.0f} Hz"
    await studio.aclose()


async def test_a_recording_of_a_guest_coming_and_going_has_its_chapters_and_timeline(
    studio: Studio, mirror: ShowMirror, tmp_path: Path
) -> None:
    path = tmp_path / "show.mp4"
    mirror.seen(viewer("ann", "Ann"))
    studio.start_recording(path)
    await asyncio.sleep(1.0)
    mirror.seen(guest("ann", "Ann"))
    await asyncio.sleep(1.5)
    studio.status()  # the window's once-a-second look writes the timeline so far
    saved = json.loads((tmp_path / "show.timeline.json").read_text())
    assert [e["event"] for e in saved["events"]][-1] == "on_stage", "a crash keeps the timeline"
    mirror.seen(viewer("ann", "Ann"))
    await asyncio.sleep(1.5)
    finished = await studio.stop_recording()

    assert finished is not None and finished.problem is None and finished.chapters_written
    assert finished.chapters == 3
    with av.open(str(path)) as container:
        chapters = [
            (float(c["start"] * c["time_base"]), c["metadata"].get("title"))
            for c in container.chapters()
        ]
        duration = container.duration / 1_000_000 if container.duration else 0.0
    titles = [title for _, title in chapters]
    assert titles == ["Jane Host", "Jane Host with Ann", "Jane Host"], chapters
    assert abs(chapters[1][0] - 1.0) < 0.4 and abs(chapters[2][0] - 2.5) < 0.4, chapters
    assert 3.5 < duration < 4.6, f"the file lasts {duration:.2f} s"
    timeline = json.loads(finished.timeline_json.read_text())
    at = {e["event"]: e["timeS"] for e in timeline["events"]}
    # The loop's timers are Qt's, which may fire a few per cent early.
    assert abs(at["on_stage"] - 1.0) < 0.15 and abs(at["off_stage"] - 2.5) < 0.2, at
    assert finished.timeline_csv.read_text().count("\n") == len(timeline["events"]) + 1
    await studio.aclose()


async def test_bad_requests_are_refused_readably_and_change_nothing(
    studio: Studio, tmp_path: Path
) -> None:
    not_a_folder = tmp_path / "file"
    not_a_folder.write_text("x")
    with pytest.raises(ProgramError, match=r"Cannot record: cannot write to .*file/show.mp4"):
        studio.start_recording(not_a_folder / "show.mp4")
    with pytest.raises(ProgramError, match="rtmp:// or rtmps://"):
        studio.start_destination("x", "Custom", "http://example.test/live", "key")
    assert not studio.status().running
    with pytest.raises(ProgramError, match="720p, 1080p"):
        studio.set_size("4k")
    studio.start_destination("yt", "YouTube", "rtmp://127.0.0.1:9/live", "key")
    with pytest.raises(ProgramError, match="nothing is being recorded or streamed"):
        studio.set_size("1080p")
    status = studio.status()
    assert status.size == "720p"
    assert status.destinations["yt"].state in (OutputState.STARTING, OutputState.RETRYING)
    await studio.aclose()
    fresh = Studio(ShowMirror(local_identity=HOST), PlainPicture)
    with pytest.raises(ProgramError, match="Go live before recording"):
        fresh.start_recording(tmp_path / "early.mp4")
    await fresh.aclose()


def _tone(hz: float, amplitude: float = 0.3) -> Callable[[int], bytes]:
    def chunk(n: int) -> bytes:
        t = (np.arange(480) + 480 * n) / 48_000
        return (amplitude * 32767 * np.sin(2 * np.pi * hz * t)).astype(np.int16).tobytes()

    return chunk


async def test_record_then_stop_at_once_still_gives_a_file_that_plays(
    studio: Studio, tmp_path: Path
) -> None:
    path = tmp_path / "slip.mp4"
    studio.start_recording(path)
    finished = await studio.stop_recording()
    assert finished is not None and finished.problem is None, finished
    got = read_back(path)
    assert got.frames >= 5 and (got.width, got.height) == (1280, 720), got
    await studio.aclose()
