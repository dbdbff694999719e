"""The program bar and the destinations dialog as the host sees them, photographed into
docs/screenshots (or HOSTDESK_SCREENSHOT_DIR): the window live on the real livekit-server on a
laptop's screen, with a guest on stage, recording and streaming to a real RTMP server (nginx's
RTMP module); and the destinations dialog editing a stored YouTube destination, whose key it
never shows."""

from __future__ import annotations

import asyncio
from dataclasses import replace

from PySide6.QtWidgets import QLabel

from hostdesk.program.outputs import OutputState
from hostdesk.ui.settings import CUSTOM, SERVICES, YOUTUBE, StreamDestination
from tests.support.desk_fixtures import Desk, bring_on_stage, eventually, save_widget, viewer
from tests.support.rtmp_fixtures import NewRtmpServer
from tests.ui.test_program_bar import notice_of

ORANGE = (230, 120, 20)
KEY = "screenshot-key-never-shown"


async def test_the_window_live_recording_and_streaming_and_the_destinations_dialog(
    desk: Desk, rtmp_servers: NewRtmpServer
) -> None:
    server = rtmp_servers()
    server.start()
    window, studio = desk.window, desk.window.studio
    store = window.prefs_store
    store.save(
        replace(
            store.load(),
            recordings_folder=str(server.folder / "shows"),
            destinations=(
                StreamDestination(CUSTOM, "Studio server", server.url, "show-key"),
                StreamDestination(YOUTUBE, "YouTube", SERVICES[YOUTUBE][1], KEY),
            ),
        )
    )
    await desk.go_live()
    ann = await viewer(desk, "Ann Guest")
    await bring_on_stage(desk, ann)
    await ann.publish_colour(ORANGE, size=(640, 360))
    window.program.record_button.click()
    window.program.switches[0].toggle.click()
    state = window.findChild(QLabel, "destination_state_0")
    assert state is not None
    await eventually(lambda: state.text().startswith("live"), 15, "streaming", state.text)
    await eventually(lambda: studio.status().recording_seconds > 4, 10, "4 s recorded")
    assert all(s.state is OutputState.LIVE for s in studio.status().destinations.values())
    window.program_control.poll()  # the bar as of now, not as of the last second
    save_widget(window, "host-program-recording-and-streaming.png")

    dialog = window.program_control.edit_destinations()
    dialog.list.setCurrentRow(1)
    editor = dialog.edit(1)
    assert editor is not None
    await asyncio.sleep(0.1)
    save_widget(dialog, "host-stream-destinations.png")
    save_widget(editor, "host-stream-destination-edit.png")
    editor.reject()
    dialog.reject()

    window.program.switches[0].toggle.click()
    window.program.record_button.click()
    await eventually(lambda: notice_of(desk)().startswith("Saved"), 20, "saved")
