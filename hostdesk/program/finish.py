"""What happens to a recording when it stops normally: chapters in the file, a timeline beside it.

While the show runs, the recording is a fragmented MP4 (recording.py) so that a crash or a full
disk leaves a file that plays. Such a file has no chapters: they live in the final moov box,
which a fragmented file never gets. So at the stop the fragments are remuxed, stream copy and
no re-encode, into a plain MP4 with a chapter at each stage change and its moov at the front
(faststart, so a podcast host can stream it), and that file replaces the fragmented one only
once it is complete, on disk and opens. Whatever goes wrong, the fragmented recording stays as
it was and the host is told why in one sentence.

The timeline sidecars (JSON and CSV) are rewritten atomically during the show too, so a crash
leaves the timeline so far next to the file that survived it.
"""

from __future__ import annotations

import errno
import logging
import os
import secrets
import stat
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import TYPE_CHECKING, Any

import av
from av.container import InputContainer, OutputContainer
from av.stream import Stream

if TYPE_CHECKING:
    from av.container.core import Chapter  # a TypedDict of the stubs only

log = logging.getLogger("hostdesk.program")

# Chapter times in milliseconds: finer than a frame, and MP4's chapter track keeps no more.
CHAPTER_TIME_BASE = Fraction(1, 1000)
FINISHED_OPTIONS = {"movflags": "+faststart"}


@dataclass(frozen=True)
class FinishedRecording:
    path: Path  # the MP4, with chapters when `chapters_written`
    chapters_written: bool
    timeline_json: Path
    timeline_csv: Path
    problem: str | None  # one readable sentence for the host, or None when all went well
    chapters: int = 0  # how many the file has


class _Problem(Exception):
    """A reason the chapters could not be added, readable as the end of a sentence."""


def sidecar_paths(recording: Path) -> tuple[Path, Path]:
    """The timeline beside the recording: `<stem>.timeline.json` and `<stem>.timeline.csv`."""
    return (
        recording.with_name(f"{recording.stem}.timeline.json"),
        recording.with_name(f"{recording.stem}.timeline.csv"),
    )


def write_sidecars(recording: Path, json_text: str, csv_text: str) -> None:
    """Writes both sidecars, each replaced whole or not at all. Raises OSError."""
    json_path, csv_path = sidecar_paths(recording)
    _write_atomically(json_path, json_text)
    _write_atomically(csv_path, csv_text)


def finish_recording(
    recording: Path, chapters: Sequence[tuple[float, str]], json_text: str, csv_text: str
) -> FinishedRecording:
    """Writes the sidecars, then gives the recording its chapters (`(start seconds, title)`,
    one at each stage change). Slow for a long show: call it from a worker thread. Never raises
    for a disk or media problem; it says what went wrong in `problem`."""
    json_path, csv_path = sidecar_paths(recording)
    problems: list[str] = []
    try:
        write_sidecars(recording, json_text, csv_text)
    except OSError as exc:
        problems.append(f"The timeline could not be saved: {_os_reason(exc)} ({json_path}).")
        log.warning("the recording's timeline could not be saved", exc_info=True)

    written, count = False, 0
    if chapters:
        try:
            count = _add_chapters(recording, chapters)
            written = True
        except _Problem as exc:
            problems.append(_kept_as_it_was(recording, str(exc)))
            log.warning("chapters not added to the recording: %s", exc)
        except Exception as exc:  # a bug here must not cost the show: the file is untouched
            problems.append(_kept_as_it_was(recording, f"an unexpected {type(exc).__name__}"))
            log.exception("adding chapters to the recording failed")
    return FinishedRecording(
        recording, written, json_path, csv_path, " ".join(problems) if problems else None, count
    )


def _kept_as_it_was(recording: Path, reason: str) -> str:
    return f"The recording was kept as it was, without chapters: {reason} ({recording})."


def chapter_list(
    chapters: Sequence[tuple[float, str]], end: float
) -> list[tuple[Fraction, Fraction, str]]:
    """The chapters as the file will hold them, `(start, end, title)` in seconds: in time
    order, the first from 0, each to the next one's start and the last to `end`; a chapter
    at or after `end`, or starting when a later one starts, is dropped."""
    ends_at = _ticks(end)
    starts: dict[int, str] = {}
    for seconds, title in sorted(chapters, key=lambda chapter: chapter[0]):
        starts[max(_ticks(seconds), 0)] = title  # the later of two at one time wins
    kept = sorted((start, title) for start, title in starts.items() if start < ends_at)
    if not kept:
        return []
    if kept[0][0] != 0:
        kept[0] = (0, kept[0][1])
    bounds = [start for start, _ in kept[1:]] + [ends_at]
    return [
        (start * CHAPTER_TIME_BASE, stop * CHAPTER_TIME_BASE, title)
        for (start, title), stop in zip(kept, bounds, strict=True)
    ]


def _ticks(seconds: float) -> int:
    return round(Fraction(seconds) / CHAPTER_TIME_BASE)


def _as_av_chapters(chapters: list[tuple[Fraction, Fraction, str]]) -> list[Chapter]:
    return [
        {
            "id": number,
            "start": round(start / CHAPTER_TIME_BASE),
            "end": round(stop / CHAPTER_TIME_BASE),
            "time_base": CHAPTER_TIME_BASE,
            "metadata": {"title": title},
        }
        for number, (start, stop, title) in enumerate(chapters, start=1)
    ]


# --- the remux -------------------------------------------------------------------------------
def _add_chapters(recording: Path, chapters: Sequence[tuple[float, str]]) -> int:
    """Remuxes `recording` with `chapters` into a temporary file beside it and moves that over
    it once complete, synced and verified; returns how many chapters it has. Raises _Problem;
    the temporary file never stays."""
    temporary = recording.with_name(f".{recording.name}.{secrets.token_hex(4)}.chapters.tmp")
    try:
        try:
            mode = stat.S_IMODE(recording.stat().st_mode)
            copied = _remux(recording, temporary, chapters)
            _verify(temporary, copied)
            os.chmod(temporary, mode)
            _sync(temporary)
            os.replace(temporary, recording)
            return copied.chapters
        except OSError as exc:  # PyAV's errors for a system call are OSErrors too
            raise _Problem(_os_reason(exc)) from exc
        except av.FFmpegError as exc:
            raise _Problem(f"the file could not be rewritten ({exc.strerror})") from exc
    finally:
        _remove(temporary)


@dataclass(frozen=True)
class _Copied:
    packets: tuple[int, ...]  # per stream copied, in order
    chapters: int


def _remux(source: Path, target: Path, chapters: Sequence[tuple[float, str]]) -> _Copied:
    try:
        # As MP4, not probed: a damaged file must not pass for some other format.
        opened = av.open(str(source), "r", format="mp4")
    except av.FFmpegError as exc:
        raise _Problem(f"it cannot be read ({exc.strerror})") from exc
    with opened as inp:
        streams = [s for s in inp.streams if s.type in ("video", "audio")]
        if not streams:
            raise _Problem("it holds no picture or sound")
        indices = [s.index for s in streams]
        with av.open(str(target), "w", format="mp4", options=FINISHED_OPTIONS) as out:
            copies = {s.index: out.add_stream_from_template(s) for s in streams}
            end, counts = _copy_packets(inp, out, copies)
            if not any(counts.values()):
                raise _Problem("it holds no picture or sound")
            # MP4's chapters are written with the moov, at the end, from the file's length.
            final = chapter_list(chapters, end)
            out.set_chapters(_as_av_chapters(final))
    return _Copied(tuple(counts[index] for index in indices), len(final))


def _copy_packets(
    inp: InputContainer, out: OutputContainer, copies: dict[int, Stream]
) -> tuple[float, dict[int, int]]:
    """Muxes each packet unchanged; returns where the last one ends, in seconds, and how many
    packets each stream had."""
    end = Fraction(0)
    counts = dict.fromkeys(copies, 0)
    last_dts: dict[int, int] = {}
    for packet in _packets(inp, list(copies)):
        index = packet.stream.index
        # The demuxer ends each stream with an empty packet without a time: not the show's.
        if packet.pts is None or packet.dts is None or packet.time_base is None:
            continue
        at = float(packet.pts * packet.time_base)
        if packet.is_corrupt:  # the fragmented file plays as it is; a copy would be no better
            raise _Problem(f"it is damaged or cut short at {at:.1f} s")
        if index in last_dts and packet.dts <= last_dts[index]:
            raise _Problem(f"its timestamps go backwards at {at:.1f} s")
        last_dts[index] = packet.dts
        end = max(end, (packet.pts + (packet.duration or 0)) * packet.time_base)
        packet.stream = copies[index]
        out.mux(packet)
        counts[index] += 1
    return float(end), counts


def _packets(inp: InputContainer, indices: list[int]) -> Iterator[av.Packet[Any]]:
    packets = inp.demux(*(s for s in inp.streams if s.index in indices))
    while True:
        try:
            packet = next(packets)
        except StopIteration:
            return
        except av.FFmpegError as exc:
            raise _Problem(f"it cannot be read to its end ({exc.strerror})") from exc
        yield packet


def _verify(path: Path, copied: _Copied) -> None:
    """The rewritten file opens and its index holds every packet copied and every chapter."""
    try:
        with av.open(str(path), "r") as check:
            streams = [s for s in check.streams if s.type in ("video", "audio")]
            packets = tuple(s.frames for s in streams)
            chapters = len(check.chapters())
    except av.FFmpegError as exc:
        raise _Problem(f"the rewritten file does not open ({exc.strerror})") from exc
    if packets != copied.packets or chapters != copied.chapters:
        raise _Problem(
            f"the rewritten file reads back {packets} packets and {chapters} chapters, "
            f"not {copied.packets} and {copied.chapters}"
        )


def _sync(path: Path) -> None:
    """The rewritten file is on the disk before it replaces the only other copy of the show."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


# --- the sidecars ----------------------------------------------------------------------------
def _write_atomically(path: Path, text: str) -> None:
    temporary = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
    try:
        # os.open, not mkstemp: the sidecar gets the permissions any new file of the host's gets.
        fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
        with open(fd, "w", encoding="utf-8", newline="") as file:
            file.write(text)
        os.replace(temporary, path)
    finally:
        _remove(temporary)


def _remove(temporary: Path) -> None:
    try:
        temporary.unlink()
    except FileNotFoundError:
        pass
    except OSError:  # a folder that cannot be written in never got the file
        log.debug("a temporary file could not be removed", exc_info=True)


def _os_reason(exc: OSError) -> str:
    code = exc.errno
    if code in (errno.ENOSPC, errno.EDQUOT):
        return "the disk is full"
    if code == errno.EFBIG:
        return "the file is too large for this disk"
    if isinstance(code, int) and code > 0:
        return os.strerror(code).lower()
    return type(exc).__name__
