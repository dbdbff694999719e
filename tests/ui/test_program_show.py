"""The program with the show on the real livekit-server: the bar comes with going live, and
ending the show finishes the recording (saved, with its chapters) and stops every stream; the
bar goes with the show. The host's own screen share is the program's large picture while it
lasts."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import av
from PySide6.QtGui import QColor, QImage

from hostdesk.show.program_layout import FRAME_SIZES, Person, Share, program
from hostdesk.ui.settings import CUSTOM, StreamDestination
from tests.program.media import near
from tests.support.desk_fixtures import Desk, eventually
from tests.ui.test_program_bar import closed_port, notice_of

BLUE = (30, 90, 220)


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


async def test_the_hosts_screen_share_is_the_programs_large_picture_until_it_stops(
    desk: Desk, tmp_path: Path
) -> None:
    store = desk.window.prefs_store
    store.save(replace(store.load(), recordings_folder=str(tmp_path / "shows")))
    window, studio = desk.window, desk.window.studio
    await desk.go_live()
    picture = QImage(640, 360, QImage.Format.Format_RGBA8888)
    picture.fill(QColor(*BLUE))
    window.screen_share.test_picture = picture  # offscreen Qt has no screen to capture
    window.program.record_button.click()
    window.stage.share_button.click()
    await eventually(lambda: window.screen_share.sharing, 10, "sharing")
    await eventually(lambda: studio.status().recording_seconds > 3, 10, "3 s recorded")
    window.stage.share_button.click()  # Stop sharing
    await eventually(lambda: not window.screen_share.sharing, 10, "the share stopped")
    await eventually(lambda: studio.status().recording_seconds > 5, 10, "5 s recorded")
    path = studio.status().recording
    assert path is not None
    window.program.record_button.click()
    await eventually(lambda: notice_of(desk)().startswith("Saved"), 20, "saved", notice_of(desk))

    width, height = FRAME_SIZES["720p"]
    people = [Person(desk.control.identity, "Jane Host")]
    (share,) = (
        p.cell for p in program(width, height, people, [Share(desk.control.identity)]) if p.share
    )
    centre = (share.x + share.width // 2, share.y + share.height // 2)
    with av.open(str(path)) as container:
        frames = [(f.time, f.to_ndarray(format="rgb24")) for f in container.decode(video=0)]
    during = next(rgb for t, rgb in frames if t is not None and t >= 2.0)
    after = frames[-1][1]
    assert near(tuple(int(v) for v in during[centre[1], centre[0]]), BLUE, 20)
    assert not near(tuple(int(v) for v in after[centre[1], centre[0]]), BLUE, 60)
