"""What the program bar does and says: Record and Stop recording (the file named after the show
and the time, in the recordings folder), each destination's stream started and stopped, the
destinations edited, the sound mix, and the studio's status read once a second while anything
runs: the recording's time and file, each destination's state, frames dropped, and every
failure told in the window once, in a sentence. The show goes on whatever the program does.
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from typing import Any, Protocol

from PySide6.QtCore import QObject, QTimer

from hostdesk.program.finish import FinishedRecording
from hostdesk.program.outputs import OutputState, OutputStatus
from hostdesk.program.studio import ProgramError, ProgramStatus, Studio
from hostdesk.show.connection import ConnectionState
from hostdesk.show.mirror import ShowMirror
from hostdesk.ui.bridge import Bridge
from hostdesk.ui.destinations_dialog import DestinationsDialog
from hostdesk.ui.program_panel import ProgramBar, SoundMixDialog
from hostdesk.ui.settings import PrefsStore, StreamDestination, recordings_path

log = logging.getLogger("hostdesk.ui")

POLL_MS = 1000
CANNOT_KEEP_UP = "Program: {} dropped — this computer cannot keep up"
#: How long the line says so after frames were last dropped, in polls (seconds).
DROPPED_SHOWN_POLLS = 5
_UNSAFE = re.compile(r'[\\/:*?"<>|\x00-\x1f]+')


class ProgramShow(Protocol):
    """The show the program is made of (hostdesk.host.HostControl)."""

    room: str
    identity: str
    name: str
    mirror: ShowMirror


def recording_name(show: str, now: datetime) -> str:
    """`<show>-<YYYY-MM-DD-HHMMSS>.mp4`, the show's name made safe for a file name."""
    safe = _UNSAFE.sub("-", show).strip(" .-") or "show"
    return f"{safe}-{now:%Y-%m-%d-%H%M%S}.mp4"


def elapsed(seconds: float) -> str:
    whole = max(0, int(seconds))
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes:02d}:{secs:02d}"


def destination_key(destination: StreamDestination) -> str:
    """The id a destination streams under in the studio (its place in the list may change)."""
    return f"{destination.label}\n{destination.url}"


def destination_state(label: str, status: OutputStatus | None) -> tuple[str, str, str]:
    """What a destination's switch says: (text, tone, the whole of it for its tooltip)."""
    if status is None or status.state is OutputState.STOPPED:
        return "stopped", "", f"{label}: not streaming"
    error = _without_label(label, status.error)
    dropped = f"{status.dropped_packets} dropped"
    if status.state is OutputState.LIVE:
        text, tone = f"live · {status.bitrate * 8 / 1000:,.0f} kb/s · {dropped}", "ok"
    elif status.state is OutputState.STARTING:
        text, tone = f"starting… · {dropped}", "warn"
    elif status.state is OutputState.RETRYING:
        text, tone = f"retrying: {error}", "warn"
    else:
        text, tone = f"failed: {error}", "error"
    return text, tone, f"{label}: {text} ({dropped})"


def status_line(status: ProgramStatus, dropping: bool) -> tuple[str, str]:
    """What the program bar's status line says, and its tone; `dropping` while the count of
    frames dropped has lately grown."""
    if dropping and status.running:
        frames = f"{status.dropped_frames} frame{'' if status.dropped_frames == 1 else 's'}"
        return CANNOT_KEEP_UP.format(frames), "warn"
    if status.problem:
        return status.problem, "error"
    if not status.running:
        return f"Program {status.size}: not recorded or streamed", ""
    live = sum(1 for output in status.destinations.values() if output.state is OutputState.LIVE)
    doing = (["recording"] if status.recording else []) + ([f"streaming to {live}"] if live else [])
    return f"Program {status.size}: {', '.join(doing) or 'starting'}", ""


def _without_label(label: str, error: str | None) -> str:
    """A destination's error without its own name in front (the bar says whose it is)."""
    error = error or ""
    return error[len(label) + 2 :] if error.startswith(f"{label}: ") else error


class ProgramView(QObject):
    def __init__(
        self,
        bar: ProgramBar,
        studio: Studio,
        prefs: PrefsStore,
        bridge: Bridge,
        show: ProgramShow,
        on_notice: Callable[[str], None],
        on_error: Callable[[str], None],
        before_start: Callable[[], None] = lambda: None,
        clock: Callable[[], datetime] = datetime.now,
    ) -> None:
        super().__init__(bar)
        self.bar, self.studio, self._prefs, self._bridge = bar, studio, prefs, bridge
        self._show, self._notice, self._error = show, on_notice, on_error
        self._before_start, self._clock = before_start, clock
        self._destinations: tuple[StreamDestination, ...] = ()
        self._told: dict[str, tuple[OutputState, str | None]] = {}
        self._dropped = 0
        self._dropping_polls = 0  # polls left to say frames are dropped
        self._finishing: asyncio.Future[FinishedRecording | None] | None = None
        self.closing: asyncio.Future[FinishedRecording | None] | None = None
        self._live = False
        self._size = ""  # a size to change to once nothing runs
        self.dialog: DestinationsDialog | None = None
        self.mix_dialog: SoundMixDialog | None = None
        self.timer = QTimer(self)
        self.timer.setInterval(POLL_MS)
        self.timer.timeout.connect(self.poll)
        bar.record_clicked.connect(self.toggle_record)
        bar.destination_toggled.connect(self.toggle_destination)
        bar.destinations_clicked.connect(self.edit_destinations)
        bar.mix_clicked.connect(self.open_mix)
        bar.hide()
        self._destinations = prefs.load().destinations
        bar.set_destinations([d.label for d in self._destinations])
        self.poll()

    # --- the show --------------------------------------------------------------------------------
    def went_live(self, record: Path | None = None) -> None:
        """The show is live: the bar shows, and `record` (--record FILE) starts recording."""
        self._set_destinations(self._prefs.load().destinations)
        self._live = True
        self.bar.show()
        if record is not None:
            self.start_recording(record)

    def show_state(self, state: ConnectionState) -> None:
        """The bar shows while live, and while anything runs (the show ended or dropped)."""
        self._live = state in (ConnectionState.LIVE, ConnectionState.RECONNECTING)
        self.bar.setVisible(self._live or self.studio.status().running)

    def use_size(self, size: str) -> None:
        """The program's size chosen in Settings: from the next start of the program."""
        self._size = size
        self._apply_size()

    def _apply_size(self) -> None:
        if self._size and not self.studio.status().running:
            self.studio.set_size(self._size)
            self._size = ""

    def _starting(self) -> None:
        self._apply_size()
        self._before_start()

    async def stop_all(self) -> None:
        """The show ended: the recording is finished and the streams stop."""
        status = self.studio.status()
        if status.recording is not None or self._finishing is not None:
            await self._finish(self._start_finishing())
        for key in status.destinations:
            await self.studio.stop_destination(key)
        self.poll()

    def close(self, *, finish_studio: bool = False) -> None:
        """The window closes: no more polling; `finish_studio` when the window made the studio
        (nobody else will close it): the recording is finished and the streams close, in
        `closing`, which the window's owner may await."""
        self.timer.stop()
        if finish_studio and self.closing is None:
            self.closing = asyncio.ensure_future(self.studio.aclose())
            self.closing.add_done_callback(_log_failure)

    async def settle(self) -> None:
        """Waits for a recording being finished (the window closes meanwhile)."""
        if self._finishing is not None:
            await asyncio.gather(self._finishing, return_exceptions=True)

    # --- recording -------------------------------------------------------------------------------
    def toggle_record(self) -> None:
        if self.studio.status().recording is not None:
            self.stop_recording()
        elif self._finishing is None:
            self.start_recording()

    def start_recording(self, path: Path | None = None) -> bool:
        """Records to `path`, or to a file named after the show in the recordings folder;
        says why not when it cannot (and nothing runs)."""
        if path is None:
            folder = recordings_path(self._prefs.load())
            path = _unused(folder / recording_name(self._show.room, self._clock()))
        problem = _folder_problem(path.parent)
        if problem is not None:
            self._error(f"Cannot record: {problem}")
            return False
        self._starting()
        try:
            self.studio.start_recording(path)
        except ProgramError as exc:
            self._error(str(exc))
            return False
        self._told.pop("recording", None)
        self._notice(f"Recording to {path}")
        self.poll()
        return True

    def stop_recording(self) -> asyncio.Task[Any]:
        return self._bridge.run("Stop recording", self._finish(self._start_finishing()))

    def _start_finishing(self) -> asyncio.Future[FinishedRecording | None]:
        if self._finishing is None:
            self._finishing = asyncio.ensure_future(self.studio.stop_recording())
            self.bar.record_button.setEnabled(False)
            self.bar.record_button.setText("Saving the recording…")
        return self._finishing

    async def _finish(self, finishing: asyncio.Future[FinishedRecording | None]) -> None:
        try:
            finished = await asyncio.shield(finishing)  # closing the window must not cut it
        finally:
            if finishing.done() and self._finishing is finishing:
                self._finishing = None
                self.bar.record_button.setEnabled(True)
                self.poll()
        if finished is None:
            return
        if finished.problem:
            self._error(finished.problem)
            return
        chapters = finished.chapters
        plural = "" if chapters == 1 else "s"
        self._notice(f"Saved {finished.path} with {chapters} chapter{plural}")

    # --- destinations ----------------------------------------------------------------------------
    def toggle_destination(self, index: int, on: bool) -> None:
        destination = self._destinations[index]
        key = destination_key(destination)
        if not on:
            self._bridge.run("Stop streaming", self._stop_destination(key), key)
            return
        self._starting()
        self._told.pop(key, None)
        try:
            self.studio.start_destination(
                key, destination.label, destination.url, destination.stream_key
            )
        except ProgramError as exc:
            self._error(f"Stream to {destination.label}: {exc}")
        self.poll()

    async def _stop_destination(self, key: str) -> None:
        await self.studio.stop_destination(key)
        self.poll()

    def edit_destinations(self) -> DestinationsDialog:
        dialog = self.dialog = DestinationsDialog(
            self._prefs.load().destinations, self.bar.window()
        )
        dialog.changed.connect(self._save_destinations)
        dialog.finished.connect(dialog.deleteLater)
        dialog.open()
        return dialog

    def _save_destinations(self, destinations: tuple[StreamDestination, ...]) -> None:
        try:
            self._prefs.save(replace(self._prefs.load(), destinations=destinations))
        except OSError as exc:
            self._error(f"Destinations not saved: {exc}")
            return
        kept = {destination_key(d) for d in destinations}
        for key in self.studio.status().destinations:
            if key not in kept:  # edited or removed while streaming: that stream stops
                self._bridge.run("Stop streaming", self._stop_destination(key), key)
        self._set_destinations(destinations)

    def _set_destinations(self, destinations: tuple[StreamDestination, ...]) -> None:
        if destinations != self._destinations or len(self.bar.switches) != len(destinations):
            self._destinations = destinations
            self.bar.set_destinations([d.label for d in destinations])
            self.poll()

    # --- the sound mix ---------------------------------------------------------------------------
    def people(self) -> list[tuple[str, str]]:
        """The host and each guest on stage: (identity, name)."""
        show = self._show
        host = [(show.identity, f"{show.name} (you)")] if show.identity else []
        return host + [(m.identity, m.name) for m in show.mirror.guests]

    def open_mix(self) -> SoundMixDialog:
        dialog = self.mix_dialog = SoundMixDialog(self.people(), self.studio.mix_of, self.bar)
        dialog.level_changed.connect(lambda who, level: self.studio.set_mix(who, level=level))
        dialog.mute_changed.connect(lambda who, muted: self.studio.set_mix(who, muted=muted))
        dialog.finished.connect(dialog.deleteLater)
        dialog.show()
        return dialog

    # --- what the bar says -----------------------------------------------------------------------
    def poll(self) -> None:
        status = self.studio.status()
        self._show_recording(status)
        for index, destination in enumerate(self._destinations):
            key = destination_key(destination)
            output = status.destinations.get(key)
            text, tone, detail = destination_state(destination.label, output)
            on = output is not None and output.state is not OutputState.STOPPED
            self.bar.show_destination(index, on, text, tone, detail)
            self._tell(key, output, destination.label)
        if status.dropped_frames > self._dropped:
            self._dropping_polls = DROPPED_SHOWN_POLLS
        elif self._dropping_polls:
            self._dropping_polls -= 1
        self._dropped = status.dropped_frames
        self.bar.show_status(*status_line(status, self._dropping_polls > 0))
        if status.running or self._finishing is not None:
            if not self.timer.isActive():
                self.timer.start()
        else:
            self.timer.stop()
            self.bar.setVisible(self._live)

    def _show_recording(self, status: ProgramStatus) -> None:
        if status.recording is None:
            self.bar.show_recording(None)
            if self._finishing is not None:
                self.bar.record_button.setText("Saving the recording…")
            return
        self.bar.show_recording(elapsed(status.recording_seconds), status.recording.name)
        self.bar.file_label.setToolTip(str(status.recording))
        self._tell("recording", status.recording_status, "")

    def _tell(self, key: str, output: OutputStatus | None, label: str) -> None:
        """Each failure once, each new reason to retry once; `label` "" for the recording."""
        if output is None or output.state not in (OutputState.FAILED, OutputState.RETRYING):
            return
        seen = (output.state, output.error)
        if self._told.get(key) == seen:
            return
        self._told[key] = seen
        reason = _without_label(label, output.error) or "it stopped"
        what = f"Stream to {label}" if label else "Recording stopped"
        if output.state is OutputState.FAILED:
            self._error(f"{what}: {reason}")
        else:
            self._notice(f"{what}: {reason} — trying again")


def _unused(path: Path) -> Path:
    """`path`, or `<stem>-2.mp4` and on when a recording started in the same second has it."""
    found, number = path, 1
    while found.exists():
        number += 1
        found = path.with_name(f"{path.stem}-{number}{path.suffix}")
    return found


def _log_failure(done: asyncio.Future[Any]) -> None:
    if not done.cancelled() and done.exception() is not None:
        log.error("closing the program failed", exc_info=done.exception())


def _folder_problem(folder: Path) -> str | None:
    """Makes the folder recordings go to; why it cannot be, as the end of a sentence."""
    if folder.exists() and not folder.is_dir():
        return f"{folder} is a file, not a folder"
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        reason = (exc.strerror or type(exc).__name__).lower()
        return f"the folder {folder} cannot be made: {reason}"
    return None
