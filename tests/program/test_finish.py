"""A recording that stops normally gets its chapters and its timeline; one that cannot is kept
as it was, and the host is told why."""

from __future__ import annotations

import json
import os
import random
import struct
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from fractions import Fraction
from pathlib import Path

import av
import pytest

from hostdesk.program import OutputState, ProgramEncoder, Recording, finish
from hostdesk.program.finish import chapter_list, finish_recording, sidecar_paths, write_sidecars
from tests.program.media import Tone, read_back, solid_rgba, wait_for

REPO = Path(__file__).resolve().parents[2]
FPS = 30
SECONDS = 6
FRAME_S = 1 / FPS
JSON_TEXT = '{"stages": ["Welcome", "Guest on stage", "Questions"]}\n'
CSV_TEXT = "start,stage\n0.000,Welcome\n2.500,Guest on stage\n4.200,Questions\n"
CHAPTERS = [(0.0, "Welcome"), (2.5, "Guest on stage"), (4.2, "Questions")]


class _SteppedClock:
    """The encoder's clock, moved by the test: a 6 s show records in a second or so."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def _record(path: Path, seconds: int = SECONDS) -> None:
    """A real recording (ProgramEncoder + Recording, fragmented) of a picture whose colour
    changes every frame and a tone, 320x180 at 30 fps."""
    clock = _SteppedClock()
    encoder = ProgramEncoder(320, 180, FPS, clock=clock, video_queue=seconds * FPS)
    encoder.start()
    recording = Recording(path)
    encoder.add_output(recording)
    wait_for(lambda: recording.status.state is OutputState.LIVE, 10, "the recording live")
    tone = Tone()
    for frame in range(seconds * FPS):
        clock.now = frame / FPS
        encoder.push_video(solid_rgba((frame * 7 % 256, 30, 60), 320, 180))
        encoder.push_audio(tone.chunk(48000 // FPS))
        # Never more than a few frames ahead of the encoder, so no output's queue overflows.
        wait_for(lambda: encoder.stats.encoded >= frame - 3, 10, "the encoder")  # noqa: B023
    clock.now = seconds
    encoder.stop()
    assert recording.status.error is None
    assert recording.status.dropped_packets == 0


@pytest.fixture(scope="module")
def fragmented(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("source") / "show.mp4"
    _record(path)
    return path


@pytest.fixture
def show(fragmented: Path, tmp_path: Path) -> Path:
    """A fresh copy of the fragmented recording for each test to finish."""
    path = tmp_path / "show.mp4"
    path.write_bytes(fragmented.read_bytes())
    return path


def _packets(path: Path) -> dict[str, list[tuple[Fraction, Fraction, bytes]]]:
    """Each stream's packets as (pts, dts in seconds, data), in the order they come."""
    found: dict[str, list[tuple[Fraction, Fraction, bytes]]] = {"video": [], "audio": []}
    with av.open(str(path)) as container:
        for packet in container.demux(container.streams.video[0], container.streams.audio[0]):
            if packet.pts is not None and packet.dts is not None and packet.time_base:
                found[packet.stream.type].append(
                    (packet.pts * packet.time_base, packet.dts * packet.time_base, bytes(packet))
                )
    return found


def _chapters(path: Path) -> list[tuple[float, float, str]]:
    with av.open(str(path)) as container:
        return [
            (
                float(c["start"] * (c["time_base"] or 0)),
                float(c["end"] * (c["time_base"] or 0)),
                c["metadata"].get("title", ""),
            )
            for c in container.chapters()
        ]


def _duration(path: Path) -> float:
    with av.open(str(path)) as container:
        assert container.duration is not None
        return container.duration / av.time_base


def _top_level_boxes(path: Path) -> list[str]:
    data, boxes, at = path.read_bytes(), [], 0
    while at < len(data):
        size, kind = struct.unpack(">I4s", data[at : at + 8])
        if size == 1:
            size = struct.unpack(">Q", data[at + 8 : at + 16])[0]
        boxes.append(kind.decode())
        at += size
    return boxes


def _leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".tmp"))


def test_chapters_are_added_at_each_stage_change_and_nothing_else_changes(show: Path) -> None:
    before, packets_before, duration_before = read_back(show), _packets(show), _duration(show)
    show.chmod(0o640)
    assert "moof" in _top_level_boxes(show)

    finished = finish_recording(show, CHAPTERS, JSON_TEXT, CSV_TEXT)

    assert finished.problem is None
    assert finished.chapters_written
    assert finished.path == show
    chapters = _chapters(show)
    assert [title for _, _, title in chapters] == ["Welcome", "Guest on stage", "Questions"]
    for (start, end, _), wanted, following in zip(
        chapters, [0.0, 2.5, 4.2], [2.5, 4.2, None], strict=True
    ):
        assert abs(start - wanted) <= FRAME_S, chapters
        if following is not None:
            assert abs(end - following) <= FRAME_S, chapters
    assert abs(chapters[-1][1] - duration_before) <= FRAME_S, (chapters, duration_before)
    assert abs(_duration(show) - duration_before) <= FRAME_S
    # Stream copy: the same packets at the same times, decoded start to end as before.
    assert _packets(show) == packets_before
    after = read_back(show)
    assert after.frames == before.frames == SECONDS * FPS
    assert after.duration == before.duration
    assert after.centre == before.centre
    # Not fragmented any more, and its index is at the front for streaming.
    boxes = _top_level_boxes(show)
    assert "moof" not in boxes
    assert boxes.index("moov") < boxes.index("mdat")
    assert show.stat().st_mode & 0o777 == 0o640
    assert _leftovers(show.parent) == []


def test_the_timeline_is_written_beside_the_recording(show: Path) -> None:
    finished = finish_recording(show, CHAPTERS, JSON_TEXT, CSV_TEXT)

    assert finished.timeline_json == show.parent / "show.timeline.json"
    assert finished.timeline_csv == show.parent / "show.timeline.csv"
    assert (finished.timeline_json, finished.timeline_csv) == sidecar_paths(show)
    assert json.loads(finished.timeline_json.read_text(encoding="utf-8")) == json.loads(JSON_TEXT)
    assert finished.timeline_csv.read_bytes() == CSV_TEXT.encode()


def test_chapters_at_or_after_the_end_are_dropped_and_the_first_starts_at_zero(
    show: Path,
) -> None:
    finished = finish_recording(
        show,
        [(1.0, "Doors"), (3.0, "Main"), (SECONDS + 0.5, "After the end"), (99.0, "Later")],
        JSON_TEXT,
        CSV_TEXT,
    )

    assert finished.problem is None
    chapters = _chapters(show)
    assert [(round(s, 3), title) for s, _, title in chapters] == [(0.0, "Doors"), (3.0, "Main")]
    assert abs(chapters[-1][1] - SECONDS) <= 2 * FRAME_S, chapters


def test_the_chapter_list_is_ordered_clamped_and_each_ends_where_the_next_starts() -> None:
    got = chapter_list(
        [(4.0, "C"), (-2.0, "Before"), (1.5, "B"), (1.5, "B again"), (9.0, "Gone"), (8.0, "End")],
        8.0,
    )

    assert got == [
        (Fraction(0), Fraction(3, 2), "Before"),
        (Fraction(3, 2), Fraction(4), "B again"),
        (Fraction(4), Fraction(8), "C"),
    ]
    assert chapter_list([(2.25, "Only")], 10.0) == [(Fraction(0), Fraction(10), "Only")]
    assert chapter_list([], 10.0) == []


def test_no_chapters_leaves_the_recording_as_it_was_and_still_writes_the_timeline(
    show: Path,
) -> None:
    original = show.read_bytes()

    finished = finish_recording(show, [], JSON_TEXT, CSV_TEXT)

    assert finished.problem is None
    assert not finished.chapters_written
    assert show.read_bytes() == original
    assert finished.timeline_csv.read_text(encoding="utf-8") == CSV_TEXT


def test_a_recording_finished_twice_has_the_second_chapters(show: Path) -> None:
    finish_recording(show, CHAPTERS, JSON_TEXT, CSV_TEXT)
    finished = finish_recording(show, [(0.0, "One"), (3.0, "Two")], JSON_TEXT, CSV_TEXT)

    assert finished.problem is None
    assert [title for _, _, title in _chapters(show)] == ["One", "Two"]
    assert read_back(show).frames == SECONDS * FPS


# Finishing in a child whose files may not grow past a limit (RLIMIT_FSIZE; a write past it
# fails with EFBIG, as it would with ENOSPC on a full disk): the timeline fits, the copy not.
_FINISH_ON_A_FULL_DISK = """
import json, resource, signal, sys
from pathlib import Path
from hostdesk.program.finish import finish_recording
signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
limit = int(sys.argv[2])
resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
done = finish_recording(Path(sys.argv[1]), [(0.0, "A"), (3.0, "B")], "{}", "start,stage\\n")
print(json.dumps({"problem": done.problem, "chapters": done.chapters_written}))
"""


def _finish_in_child(code: str, *args: str) -> dict[str, object]:
    done = subprocess.run(
        [sys.executable, "-c", code, *args],
        cwd=REPO,
        env={**os.environ, "PYTHONPATH": str(REPO)},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    report: dict[str, object] = json.loads(done.stdout.strip().splitlines()[-1])
    return report


def test_a_disk_that_fills_keeps_the_recording_as_it_was(show: Path) -> None:
    original = show.read_bytes()

    report = _finish_in_child(_FINISH_ON_A_FULL_DISK, str(show), str(len(original) // 2))

    assert report == {
        "problem": "The recording was kept as it was, without chapters: "
        f"the file is too large for this disk ({show}).",
        "chapters": False,
    }
    assert show.read_bytes() == original
    assert _leftovers(show.parent) == []
    assert sidecar_paths(show)[1].read_text(encoding="utf-8") == "start,stage\n"


# Permission bits do not stop root (CI runs as root): the child becomes nobody, once it has
# imported what it needs (root's Python may be in a folder only root can read).
_FINISH_AS_NOBODY = """
import json, os, sys
from pathlib import Path
from hostdesk.program.finish import finish_recording
if os.geteuid() == 0:
    os.setgroups([])
    os.setgid(65534)
    os.setuid(65534)
done = finish_recording(Path(sys.argv[1]), [(0.0, "A"), (3.0, "B")], "{}", "start,stage\\n")
print(json.dumps({"problem": done.problem, "chapters": done.chapters_written}))
"""


@pytest.fixture
def read_only_folder(fragmented: Path) -> Iterator[Path]:
    """A recording in a folder nobody may write in (outside pytest's root-only tmp dirs)."""
    with tempfile.TemporaryDirectory(prefix="hostdesk-finish-") as outer:
        os.chmod(outer, 0o755)
        folder = Path(outer) / "recordings"
        folder.mkdir()
        (folder / "show.mp4").write_bytes(fragmented.read_bytes())
        (folder / "show.mp4").chmod(0o644)
        folder.chmod(0o555)
        try:
            yield folder
        finally:
            folder.chmod(0o755)


def test_a_folder_that_cannot_be_written_keeps_the_recording_as_it_was(
    read_only_folder: Path,
) -> None:
    show = read_only_folder / "show.mp4"
    original = show.read_bytes()

    report = _finish_in_child(_FINISH_AS_NOBODY, str(show))

    json_path = read_only_folder / "show.timeline.json"
    assert report == {
        "problem": f"The timeline could not be saved: permission denied ({json_path}). "
        "The recording was kept as it was, without chapters: "
        f"permission denied ({show}).",
        "chapters": False,
    }
    assert show.read_bytes() == original
    assert sorted(p.name for p in read_only_folder.iterdir()) == ["show.mp4"]


def test_a_recording_whose_folder_is_a_file_is_said_and_nothing_raises(tmp_path: Path) -> None:
    (tmp_path / "recordings").write_text("not a folder")
    show = tmp_path / "recordings" / "show.mp4"

    finished = finish_recording(show, CHAPTERS, JSON_TEXT, CSV_TEXT)

    assert finished.problem == (
        "The timeline could not be saved: "
        f"not a directory ({tmp_path / 'recordings' / 'show.timeline.json'}). "
        f"The recording was kept as it was, without chapters: not a directory ({show})."
    )
    assert not finished.chapters_written
    assert (tmp_path / "recordings").read_text() == "not a folder"


def test_garbage_is_kept_as_it_was_and_said(tmp_path: Path) -> None:
    show = tmp_path / "show.mp4"
    garbage = random.Random(7).randbytes(200_000)
    show.write_bytes(garbage)

    finished = finish_recording(show, CHAPTERS, JSON_TEXT, CSV_TEXT)

    assert finished.problem == (
        "The recording was kept as it was, without chapters: it cannot be read "
        f"(Invalid data found when processing input) ({show})."
    )
    assert not finished.chapters_written
    assert show.read_bytes() == garbage
    assert _leftovers(tmp_path) == []
    assert finished.timeline_json.read_text(encoding="utf-8") == JSON_TEXT


def test_a_recording_cut_mid_packet_is_kept_as_it_was_and_said(show: Path) -> None:
    with av.open(str(show)) as container:
        cut_in = next(
            p
            for p in container.demux(container.streams.video[0])
            if p.pts is not None and p.time_base and p.pts * p.time_base >= 3 and p.size > 200
        )
        assert cut_in.pts is not None and cut_in.time_base and cut_in.pos is not None
        at, cut = float(cut_in.pts * cut_in.time_base), cut_in.pos + cut_in.size // 2
    show.write_bytes(show.read_bytes()[:cut])
    original = show.read_bytes()

    finished = finish_recording(show, CHAPTERS, JSON_TEXT, CSV_TEXT)

    assert finished.problem is not None
    assert finished.problem.startswith(
        "The recording was kept as it was, without chapters: it is damaged or cut short at "
    ), finished.problem
    reported = float(finished.problem.split(" at ")[1].split(" s ")[0])
    assert at - 0.1 <= reported <= at + 0.1, (finished.problem, at)
    assert show.read_bytes() == original
    assert _leftovers(show.parent) == []


def test_a_recording_cut_in_its_header_is_kept_as_it_was_and_said(show: Path) -> None:
    show.write_bytes(show.read_bytes()[:600])

    finished = finish_recording(show, CHAPTERS, JSON_TEXT, CSV_TEXT)

    assert finished.problem == (
        "The recording was kept as it was, without chapters: it cannot be read "
        f"(Invalid data found when processing input) ({show})."
    )
    assert len(show.read_bytes()) == 600


def test_a_missing_recording_is_said(tmp_path: Path) -> None:
    show = tmp_path / "gone.mp4"

    finished = finish_recording(show, CHAPTERS, JSON_TEXT, CSV_TEXT)

    assert finished.problem == (
        f"The recording was kept as it was, without chapters: no such file or directory ({show})."
    )
    assert finished.timeline_csv.read_text(encoding="utf-8") == CSV_TEXT


def test_sidecars_are_replaced_whole_and_leave_no_temporary_files(tmp_path: Path) -> None:
    show = tmp_path / "show.mp4"
    json_path, csv_path = sidecar_paths(show)
    write_sidecars(show, '{"n": -1}', "n\n-1\n")
    with json_path.open(encoding="utf-8") as reader:  # a reader in the middle of a write
        for n in range(20):
            write_sidecars(show, json.dumps({"n": n}), f"n\n{n}\n")
            assert json.loads(json_path.read_text(encoding="utf-8")) == {"n": n}
            assert csv_path.read_text(encoding="utf-8") == f"n\n{n}\n"
        assert reader.read() == '{"n": -1}'  # replaced, never rewritten in place
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "show.timeline.csv",
        "show.timeline.json",
    ]


def test_a_sidecar_that_cannot_be_written_raises_and_keeps_the_last_one(tmp_path: Path) -> None:
    show = tmp_path / "show.mp4"
    write_sidecars(show, '{"n": 1}', "n\n1\n")
    json_path, csv_path = sidecar_paths(show)
    csv_path.unlink()
    csv_path.mkdir()  # os.replace cannot put a file over a folder

    with pytest.raises(OSError):
        write_sidecars(show, '{"n": 2}', "n\n2\n")

    assert json_path.read_text(encoding="utf-8") == '{"n": 2}'
    assert _leftovers(tmp_path) == []
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "show.timeline.csv",
        "show.timeline.json",
    ]


def test_a_rewritten_file_that_does_not_read_back_never_replaces_the_recording(
    show: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    original = show.read_bytes()
    video, audio = (len(packets) for packets in _packets(show).values())
    # The copy is written without its chapters, as a muxer that lost them would.
    monkeypatch.setattr(finish, "_as_av_chapters", lambda chapters: [])

    finished = finish_recording(show, CHAPTERS, JSON_TEXT, CSV_TEXT)

    assert finished.problem == (
        "The recording was kept as it was, without chapters: the rewritten file reads back "
        f"({video}, {audio}) packets and 0 chapters, not ({video}, {audio}) and 3 ({show})."
    )
    assert show.read_bytes() == original
    assert _leftovers(show.parent) == []
