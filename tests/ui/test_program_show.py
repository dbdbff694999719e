"""The program with the show on the real livekit-server: the bar comes with going live, and
ending the show finishes the recording (saved, with its chapters) and stops every stream; the
bar goes with the show."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from hostdesk.ui.settings import CUSTOM, StreamDestination
from tests.support.desk_fixtures import Desk, eventually
from tests.ui.test_program_bar import closed_port, notice_of


async def test_ending_the_show_finishes_the_recording_and_stops_the_streams(
    desk: Desk, tmp_path: Path
) -> None:
    nowhere = StreamDestination(CUSTOM, "Backup", f"rtmp://127.0.0.1:{closed_port()}/live", "k")
    store = desk.window.prefs_store
    store.save(
        replace(store.load(), recordings_folder=str(tmp_path / "shows"), destinations=(nowhere,))
    )
    window, studio = desk.window, desk.window.studio
    assert not window.program.isVisible()
    await desk.go_live()
    assert window.program.isVisible()
    window.program.record_button.click()
    window.program.switches[0].toggle.click()
    await eventually(lambda: studio.status().recording_seconds > 1.5, 10, "1.5 s recorded")
    path = studio.status().recording
    assert path is not None and path.name.startswith(f"{desk.room}-")

    window.end_show()

    await eventually(lambda: notice_of(desk)().startswith("Saved"), 20, "saved", notice_of(desk))
    assert notice_of(desk)() == f"Saved {path} with 1 chapter"
    await eventually(lambda: not window.program.isVisible(), 10, "the bar gone with the show")
    status = studio.status()
    assert not status.running and not status.destinations and status.recording is None
    assert not window.program_control.timer.isActive()
    assert not window.program.switches[0].toggle.isChecked()
