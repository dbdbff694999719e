"""The program studio: the show's stage composed, mixed, encoded once and sent to a recording and
any number of destinations, each started and stopped on its own.

It follows the show as the host's window sees it: the host's own camera and microphone, the
guests' tracks and the shares as the session receives them (`camera`, `share`, `sound`), who is
on stage from the mirror (`StageLineup`: the backstage is never in the program). Nothing runs
until an output starts, and everything stops with the last one, so a show that is neither
recorded nor streamed costs nothing.

The picture is drawn by a `Picture` the caller makes (the window's is Qt's, on a thread of its
own, hostdesk.ui.program_picture); the studio says what goes where. The encoder drops program
frames when the machine cannot keep up (its own and the picture's counts are in `status`); the
window's frames are never the program's to drop. Inputs come on the loop and never block:
each one hands over a reference.

A recording keeps its timeline (`Timeline`, fed from the mirror) beside it, written again at
each change so a crash leaves it too; at the stop the file gets its chapters (finish.py).
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from hostdesk.program.destinations import Destination
from hostdesk.program.encoder import ProgramEncoder
from hostdesk.program.finish import FinishedRecording, finish_recording, write_sidecars
from hostdesk.program.mixer import CHUNK_SAMPLES, ProgramMix
from hostdesk.program.outputs import Output, OutputStatus
from hostdesk.program.recording import Recording, file_error
from hostdesk.show.invitations import Answer
from hostdesk.show.mirror import Member, ShowMirror
from hostdesk.show.program_layout import (
    FRAME_SIZES,
    Person,
    Placed,
    Share,
    StageLineup,
    program,
)
from hostdesk.show.timeline import Timeline, TimelineFeed

log = logging.getLogger("hostdesk.program")

FPS = 30
TICK_S = CHUNK_SAMPLES / 48_000  # one 10 ms chunk of the mix
#: The shortest recording: enough for its first keyframe and sound to be written.
MIN_RECORDING_S = 0.5


class ProgramError(Exception):
    """What the host asked of the program cannot be done; the message says why."""


class Picture(Protocol):
    """Draws the program's frames on its own thread and hands each to the sink (BGRA)."""

    def measure(self, text: str, font_px: int) -> float: ...
    def set_layout(self, placed: Sequence[Placed]) -> None: ...
    def set_frame(
        self,
        identity: str,
        share: bool,
        width: int,
        height: int,
        data: bytes | memoryview,
        pixel_format: str,
    ) -> None: ...
    def forget(self, identity: str, share: bool) -> None: ...
    def start(self) -> None: ...
    def stop(self) -> None: ...


#: Makes the picture: (width, height, fps, sink).
PictureFactory = Callable[[int, int, int, Callable[[bytes], None]], Picture]


@dataclass(frozen=True)
class ProgramStatus:
    running: bool
    size: str
    #: The recording's file and status; None when not recording.
    recording: Path | None
    recording_status: OutputStatus | None
    recording_seconds: float
    #: Each started destination's status, by the id it was started with.
    destinations: dict[str, OutputStatus] = field(default_factory=dict)
    #: Program frames dropped since the program started (the encoder behind, or the picture).
    dropped_frames: int = 0
    #: A problem to tell the host (the timeline could not be written), else None.
    problem: str | None = None


class _Run:
    """One run of the program: from the first output started to the last one stopped."""

    def __init__(self, width: int, height: int, picture_factory: PictureFactory) -> None:
        self.encoder = ProgramEncoder(width, height, FPS, pixel_format="bgra")
        self.picture = picture_factory(width, height, FPS, self.encoder.push_video)
        self.outputs: dict[str, Output] = {}
        self._stop = threading.Event()
        self._pump: threading.Thread | None = None

    def start(self, mix: ProgramMix) -> None:
        self.encoder.start()
        self.picture.start()
        self._pump = threading.Thread(
            target=self._pump_sound, args=(mix,), name="program:mix", daemon=True
        )
        self._pump.start()

    def _pump_sound(self, mix: ProgramMix) -> None:
        """One mixed chunk every 10 ms on the clock; late ticks are caught up at once, so the
        sound keeps its rate while the thread is held up."""
        start, sent = time.monotonic(), 0
        while not self._stop.is_set():
            due = int((time.monotonic() - start) / TICK_S)
            for _ in range(min(due - sent, 10)):
                self.encoder.push_audio(mix.tick())
            sent = due
            self._stop.wait(max(0.0, start + (sent + 1) * TICK_S - time.monotonic()))

    def stop(self) -> None:
        self._stop.set()
        if self._pump is not None:
            self._pump.join(2.0)
        self.picture.stop()
        self.encoder.stop()


class Studio:
    def __init__(
        self,
        mirror: ShowMirror,
        picture_factory: PictureFactory,
        *,
        size: str = "720p",
        clock: Callable[[], float] = time.monotonic,
        wall_clock_ms: Callable[[], int] = lambda: int(time.time() * 1000),
    ) -> None:
        self._mirror = mirror
        self._picture_factory = picture_factory
        self._size = _checked_size(size)
        self._clock = clock
        self._wall_clock_ms = wall_clock_ms
        self._host = Person("", "")
        self._lineup = StageLineup()
        self._mix = ProgramMix()
        self._shares: list[str] = []  # identities, oldest first
        self._speaker = ""
        self._run: _Run | None = None
        self._dropped_before = 0
        self._recording: Recording | None = None
        self._timeline: TimelineFeed | None = None
        self._recording_started = 0.0
        self._events_written = 0
        self._problem: str | None = None
        self._closed = False
        self._lineup.attach(mirror)
        for event in (mirror.member_added, mirror.member_changed, mirror.member_removed):
            event.connect(self._on_member)

    # --- the show ----------------------------------------------------------------------------
    def set_host(self, identity: str, name: str) -> None:
        """Who the host is in this show (at going live)."""
        self._host = Person(identity, name)
        self._relayout()

    @property
    def size(self) -> str:
        return self._size

    def set_size(self, size: str) -> None:
        """The program's size ("720p", "1080p"), for the next start."""
        checked = _checked_size(size)
        if self._run is not None and checked != self._size:
            raise ProgramError(
                "The program's size changes when nothing is being recorded or streamed"
            )
        self._size = checked

    def set_speaker(self, identity: str) -> None:
        """The person shown large ("" for the grid), as the window's stage shows them."""
        self._speaker = identity
        self._relayout()

    def set_mix(
        self, identity: str, *, level: float | None = None, muted: bool | None = None
    ) -> None:
        """A person's level (0..2) or mute in the program's sound alone."""
        if level is not None:
            self._mix.set_level(identity, level)
        if muted is not None:
            self._mix.set_muted(identity, muted)

    def mix_of(self, identity: str) -> tuple[float, bool]:
        return self._mix.level(identity), self._mix.muted(identity)

    def invitation_answered(self, identity: str, answer: Answer) -> None:
        if self._timeline is not None:
            self._timeline.invitation_answered(identity, answer)

    # --- inputs (on the loop; each hands over a reference) ----------------------------------
    def camera(
        self, identity: str, width: int, height: int, data: bytes | memoryview, pixel_format: str
    ) -> None:
        if self._run is not None:
            self._run.picture.set_frame(identity, False, width, height, data, pixel_format)

    def share(
        self, identity: str, width: int, height: int, data: bytes | memoryview, pixel_format: str
    ) -> None:
        if identity not in self._shares:
            self._shares.append(identity)
            if self._timeline is not None:
                self._timeline.share_started(identity)
            self._relayout()
        if self._run is not None:
            self._run.picture.set_frame(identity, True, width, height, data, pixel_format)

    def share_ended(self, identity: str) -> None:
        if identity in self._shares:
            self._shares.remove(identity)
            if self._timeline is not None:
                self._timeline.share_stopped(identity)
            self._relayout()
        if self._run is not None:
            self._run.picture.forget(identity, True)

    def sound(self, identity: str, pcm: bytes) -> None:
        """10 ms of someone's microphone (48 kHz mono s16); dropped unless they are on stage
        and something is recorded or streamed."""
        if self._run is not None and len(pcm) == CHUNK_SAMPLES * 2:
            self._mix.push(identity, pcm)

    # --- recording ---------------------------------------------------------------------------
    def start_recording(self, path: Path) -> None:
        """Records the program to `path` (MP4) from now; ProgramError when the file cannot be
        written or the host is not live."""
        if self._recording is not None:
            raise ProgramError(f"Already recording to {self._recording.path}")
        if not self._host.identity:
            raise ProgramError("Go live before recording: the program is the live stage")
        path = Path(path).expanduser()
        try:
            with open(path, "wb"):
                pass
        except OSError as exc:
            raise ProgramError(f"Cannot record: {file_error(path, exc)}") from None
        timeline = Timeline(self._host.identity, self._host.name, self._clock, self._wall_clock_ms)
        feed = TimelineFeed(timeline, self._mirror)
        feed.attach()
        for identity in self._shares:
            feed.share_started(identity)
        recording = Recording(path)
        self._start_output("recording", recording)
        self._recording, self._timeline = recording, feed
        self._recording_started = self._clock()
        self._events_written = 0
        self._write_timeline()

    async def stop_recording(self) -> FinishedRecording | None:
        """Stops the recording and gives the file its chapters and timeline (on a worker
        thread: a long show takes a while to remux); None when nothing was recording."""
        recording, feed = self._recording, self._timeline
        if recording is None or feed is None:
            return None
        self._recording = self._timeline = None
        # Record then Stop at once (a slip of the hand) still gives a file with a picture and
        # sound in it, which a player opens, rather than an empty one.
        short = MIN_RECORDING_S - (self._clock() - self._recording_started)
        if short > 0:
            await asyncio.sleep(short)
        feed.detach()
        feed.timeline.stop()
        await self._stop_output("recording")
        timeline = feed.timeline
        chapters = [(c.start_s, c.title) for c in timeline.chapters()]
        return await asyncio.to_thread(
            finish_recording, recording.path, chapters, timeline.to_json(), timeline.to_csv()
        )

    # --- destinations ------------------------------------------------------------------------
    def start_destination(
        self, key: str, label: str, url: str, stream_key: str, *, cafile: str | None = None
    ) -> None:
        """Streams the program to `url` (rtmp:// or rtmps://) under the id `key`; a
        destination already started under it is left as it is."""
        if self._run is not None and key in self._run.outputs:
            return
        try:
            destination = Destination(label, url, stream_key, cafile=cafile)
        except ValueError as exc:
            raise ProgramError(str(exc)) from None
        self._start_output(key, destination)

    async def stop_destination(self, key: str) -> None:
        await self._stop_output(key)

    # --- status ------------------------------------------------------------------------------
    def status(self) -> ProgramStatus:
        """What the window shows (asked about once a second, on the loop). Writes the
        recording's timeline again when it changed."""
        self._write_timeline()
        run = self._run
        outputs = dict(run.outputs) if run is not None else {}
        recording = outputs.pop("recording", None)
        dropped = self._dropped_before
        if run is not None:
            dropped += run.encoder.stats.dropped + _late(run.picture)
        return ProgramStatus(
            running=run is not None,
            size=self._size,
            recording=self._recording.path if self._recording else None,
            recording_status=recording.status if recording is not None else None,
            recording_seconds=(self._clock() - self._recording_started if self._recording else 0.0),
            destinations={key: output.status for key, output in outputs.items()},
            dropped_frames=dropped,
            problem=self._problem,
        )

    async def aclose(self) -> FinishedRecording | None:
        """Stops everything: the recording is finished, the destinations closed. Once is
        enough; again does nothing more."""
        finished = await self.stop_recording()
        if self._run is not None:
            run, self._run = self._run, None
            await asyncio.to_thread(run.stop)
        if not self._closed:
            self._closed = True
            for event in (
                self._mirror.member_added,
                self._mirror.member_changed,
                self._mirror.member_removed,
            ):
                event.disconnect(self._on_member)
            self._lineup.detach(self._mirror)
        return finished

    # --- inside ------------------------------------------------------------------------------
    def _start_output(self, key: str, output: Output) -> None:
        if self._run is None:
            width, height = FRAME_SIZES[self._size]
            run = _Run(width, height, self._picture_factory)
            self._mix.set_members(p.identity for p in self._people())
            run.start(self._mix)
            self._run = run
            self._relayout()
        self._run.encoder.request_keyframe()
        self._run.encoder.add_output(output)
        self._run.outputs[key] = output

    async def _stop_output(self, key: str) -> None:
        """Takes the output out on the loop, then closes it (and the run, when it was the last)
        on a worker thread: a muxer finishing its file or a connection closing takes time."""
        run = self._run
        output = run.outputs.pop(key, None) if run is not None else None
        if run is None or output is None:
            return
        last = not run.outputs
        if last:
            self._dropped_before += run.encoder.stats.dropped + _late(run.picture)
            self._run = None
        await asyncio.to_thread(run.encoder.remove_output, output)
        if last:
            await asyncio.to_thread(run.stop)

    def _people(self) -> list[Person]:
        return self._lineup.people(self._host) if self._host.identity else []

    def _on_member(self, _index: int, _member: Member) -> None:
        self._relayout()

    def _relayout(self) -> None:
        run = self._run
        people = self._people()
        self._mix.set_members(p.identity for p in people)
        if run is None:
            return
        speaker = next((i for i, p in enumerate(people) if p.identity == self._speaker), -1)
        width, height = FRAME_SIZES[self._size]
        placed = program(
            width,
            height,
            people,
            [Share(identity) for identity in self._shares],
            speaker=speaker,
            measure=run.picture.measure,
        )
        run.picture.set_layout(placed)

    def _write_timeline(self) -> None:
        feed, recording = self._timeline, self._recording
        if feed is None or recording is None:
            return
        events = len(feed.timeline.events)
        if events == self._events_written:
            return
        try:
            write_sidecars(recording.path, feed.timeline.to_json(), feed.timeline.to_csv())
        except OSError as exc:
            self._problem = f"The timeline could not be saved: {file_error(recording.path, exc)}"
            return
        self._events_written = events
        self._problem = None


def _late(picture: Picture) -> int:
    stats = getattr(picture, "stats", None)
    return int(getattr(stats, "late", 0))


def _checked_size(size: str) -> str:
    if size not in FRAME_SIZES:
        raise ProgramError(f"The program's size is one of {', '.join(FRAME_SIZES)}, not {size}")
    return size
