"""The Go Live dialog, the confirmation asked before what cannot be undone, and a problem at start
shown until the host has read it (hostdesk/ui/dialogs.py)."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox, QWidget
from pytestqt.qtbot import QtBot

from hostdesk.reach import Audience
from hostdesk.ui.dialogs import GoLiveChoice, GoLiveDialog, confirm
from hostdesk.ui.settings import TEST_PATTERN, TONE, DesktopPrefs
from tests.ui.prefs_cases import REMOTE
from tests.ui.test_dialogs import CAMERAS, MICROPHONES, go_live_dialog, ok_button

# --- the go live dialog --------------------------------------------------------------------------


def test_go_live_is_prefilled_from_the_prefs(qtbot: QtBot) -> None:
    dialog = go_live_dialog(qtbot, REMOTE)

    assert dialog.choice() == GoLiveChoice(
        room="Friday, Night Live", host_name="Ada Lovelace ✨", camera="cam-2", microphone=TONE
    )
    assert ok_button(dialog.buttons).text() == "Go live"
    assert ok_button(dialog.buttons).isEnabled()


@pytest.mark.parametrize(
    ("room", "host_name"),
    [("", "Ada"), ("Late Show", ""), ("   ", "Ada"), ("x" * 129, "Ada"), ("Late Show", "y" * 129)],
)
def test_go_live_is_disabled_for_an_empty_or_too_long_name(
    qtbot: QtBot, room: str, host_name: str
) -> None:
    dialog = go_live_dialog(qtbot)

    dialog.room_edit.setText(room)
    dialog.name_edit.setText(host_name)

    assert not ok_button(dialog.buttons).isEnabled()
    assert dialog.problem_label.text() != ""


def test_go_live_accepts_names_of_128_characters(qtbot: QtBot) -> None:
    dialog = go_live_dialog(qtbot)

    dialog.room_edit.setText("x" * 128)
    dialog.name_edit.setText("y" * 128)

    assert ok_button(dialog.buttons).isEnabled()


def test_go_live_choice_is_what_was_typed_and_picked(qtbot: QtBot) -> None:
    dialog = go_live_dialog(qtbot)

    qtbot.keyClicks(dialog.room_edit, "  Late Show ")
    qtbot.keyClicks(dialog.name_edit, "Grace")
    dialog.camera_picker.setCurrentIndex(dialog.camera_picker.findData(TEST_PATTERN))

    assert ok_button(dialog.buttons).isEnabled()
    assert dialog.choice() == GoLiveChoice(
        room="Late Show", host_name="Grace", camera=TEST_PATTERN, microphone="mic-1"
    )


# --- confirmations -------------------------------------------------------------------------------


def test_confirm_accepts_only_on_its_ok_button(qtbot: QtBot) -> None:
    parent = QWidget()
    qtbot.addWidget(parent)
    box = confirm(parent, "End the show?", "Everyone leaves the room.", "End show")
    texts = [button.text() for button in box.buttons()]
    assert "End show" in texts
    assert box.defaultButton() is box.button(QMessageBox.StandardButton.Cancel)
    accepted: list[bool] = []
    box.accepted.connect(lambda: accepted.append(True))

    box.open()
    assert box.isVisible()
    ok = next(b for b in box.buttons() if b.text() == "End show")
    with qtbot.waitSignal(box.finished):
        qtbot.mouseClick(ok, Qt.MouseButton.LeftButton)

    assert accepted == [True]


def test_confirm_cancel_does_not_accept(qtbot: QtBot) -> None:
    box = confirm(None, "Remove Grace?", "Grace leaves the show.", "Remove")
    accepted: list[bool] = []
    box.accepted.connect(lambda: accepted.append(True))

    box.open()
    with qtbot.waitSignal(box.rejected):
        qtbot.mouseClick(box.button(QMessageBox.StandardButton.Cancel), Qt.MouseButton.LeftButton)

    assert accepted == []


def test_the_go_live_dialog_offers_who_can_watch_starting_from_how_hostdesk_serves_now(
    qtbot: QtBot,
) -> None:
    dialog = GoLiveDialog(
        DesktopPrefs(room="Show", host_name="Jane"),
        cameras=CAMERAS,
        microphones=MICROPHONES,
        audience=Audience.NETWORK,
    )
    qtbot.addWidget(dialog)
    picker = dialog.audience_picker

    assert picker.currentText() == "People on my network"
    assert dialog.choice().audience == ""  # unchanged: nothing to move
    picker.setCurrentIndex(picker.findData("local"))
    assert dialog.choice().audience == "local"
    # "Anyone" needs its public URL, set in Settings: offered only when that is how it serves
    assert picker.findData("public") == -1


async def test_a_problem_at_start_is_shown_until_the_host_has_read_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import asyncio

    from PySide6.QtWidgets import QApplication, QMessageBox

    from hostdesk.ui import dialogs

    class OnScreen:  # a real display: the offscreen platform has no one to read it
        @staticmethod
        def platformName() -> str:
            return "xcb"

    monkeypatch.setattr(dialogs, "QGuiApplication", OnScreen)
    told = asyncio.ensure_future(dialogs.tell_problem("HostDesk cannot start", "Port 3001 taken"))

    def shown() -> QMessageBox | None:
        return next(
            (
                w
                for w in QApplication.topLevelWidgets()
                if isinstance(w, QMessageBox) and w.isVisible()
            ),
            None,
        )

    for _ in range(100):
        if shown() is not None:
            break
        await asyncio.sleep(0.01)
    box = shown()
    assert box is not None and box.text() == "Port 3001 taken"
    # Polled above turn by turn of the loop: a call that did not wait for the host would have
    # returned by the turn its box appeared.
    assert not told.done(), "it returned before the host closed it"
    box.accept()
    await asyncio.wait_for(told, 2)
