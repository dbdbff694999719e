"""The Settings, Go Live and confirmation dialogs: what they show and accept, and that the
LiveKit secret is never shown (what is stored and what wins over what: test_settings.py)."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractButton,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QLabel,
    QLineEdit,
    QWidget,
)
from pytestqt.qtbot import QtBot

from hostdesk.ui.dialogs import (
    RESTART_NOTE,
    GoLiveDialog,
    SettingsDialog,
)
from hostdesk.ui.media.devices import Device
from hostdesk.ui.settings import TEST_PATTERN, TONE, DesktopPrefs
from tests.ui.prefs_cases import REMOTE, SECRET

CAMERAS = [Device("cam-1", "Front Camera"), Device("cam-2", "Desk Camera")]
MICROPHONES = [Device("mic-1", "Headset Microphone")]


def settings_dialog(qtbot: QtBot, prefs: DesktopPrefs) -> SettingsDialog:
    dialog = SettingsDialog(prefs, cameras=CAMERAS, microphones=MICROPHONES)
    qtbot.addWidget(dialog)
    return dialog


def go_live_dialog(qtbot: QtBot, prefs: DesktopPrefs | None = None) -> GoLiveDialog:
    dialog = GoLiveDialog(prefs or DesktopPrefs(), cameras=CAMERAS, microphones=MICROPHONES)
    qtbot.addWidget(dialog)
    return dialog


def ok_button(buttons: QDialogButtonBox) -> QAbstractButton:
    return buttons.button(QDialogButtonBox.StandardButton.Ok)


def combo_items(combo: QComboBox) -> list[tuple[str, str]]:
    return [(combo.itemText(i), combo.itemData(i)) for i in range(combo.count())]


def visible_texts(root: QWidget) -> list[str]:
    """Every text a widget under `root` can show: field contents, placeholders, labels, buttons,
    combo items, tool tips."""
    texts = [root.windowTitle()]
    for widget in root.findChildren(QWidget):
        texts.append(widget.toolTip())
        if isinstance(widget, QLineEdit):
            texts += [widget.text(), widget.displayText(), widget.placeholderText()]
        elif isinstance(widget, QLabel | QAbstractButton):
            texts.append(widget.text())
        elif isinstance(widget, QComboBox):
            texts += [text for text, _ in combo_items(widget)]
    return texts


# --- the settings dialog -------------------------------------------------------------------------


def test_the_secret_is_in_no_text_of_the_settings_dialog(qtbot: QtBot) -> None:
    dialog = settings_dialog(qtbot, REMOTE)
    dialog.show()

    texts = visible_texts(dialog)

    assert all(SECRET not in text for text in texts)
    assert dialog.secret_edit.text() == ""
    assert dialog.secret_edit.placeholderText() == "unchanged"
    assert dialog.secret_edit.echoMode() == QLineEdit.EchoMode.Password


def test_an_empty_secret_field_keeps_the_stored_secret(qtbot: QtBot) -> None:
    dialog = settings_dialog(qtbot, REMOTE)

    assert dialog.prefs() == REMOTE
    assert ok_button(dialog.buttons).isEnabled()


def test_a_typed_secret_replaces_the_stored_one(qtbot: QtBot) -> None:
    dialog = settings_dialog(qtbot, REMOTE)

    qtbot.keyClicks(dialog.secret_edit, "new-secret")

    assert dialog.prefs().livekit_api_secret == "new-secret"


def test_clear_removes_the_stored_secret(qtbot: QtBot) -> None:
    dialog = settings_dialog(qtbot, REMOTE)

    qtbot.mouseClick(dialog.clear_secret_button, Qt.MouseButton.LeftButton)

    assert dialog.prefs().livekit_api_secret == ""
    assert dialog.secret_edit.placeholderText() != "unchanged"
    assert not dialog.clear_secret_button.isEnabled()
    # the URL is still set, so the dialog now asks for a secret
    assert not ok_button(dialog.buttons).isEnabled()
    assert "secret" in dialog.problem_label.text()


def test_clear_is_disabled_when_no_secret_is_stored(qtbot: QtBot) -> None:
    dialog = settings_dialog(qtbot, DesktopPrefs())

    assert not dialog.clear_secret_button.isEnabled()


@pytest.mark.parametrize(
    "url",
    ["", "ws://127.0.0.1:7880", "wss://shows.example.com", "http://lk.local", "HTTPS://LK.LOCAL"],
)
def test_a_livekit_url_with_a_known_scheme_or_none_is_accepted(qtbot: QtBot, url: str) -> None:
    dialog = settings_dialog(qtbot, REMOTE)

    dialog.url_edit.setText(url)

    assert ok_button(dialog.buttons).isEnabled()
    assert dialog.problem_label.text() == ""
    assert dialog.prefs().livekit_url == url


@pytest.mark.parametrize("url", ["shows.example.com", "ftp://shows.example.com", "wss://", " ws:"])
def test_another_livekit_url_disables_ok_and_says_why(qtbot: QtBot, url: str) -> None:
    dialog = settings_dialog(qtbot, REMOTE)

    dialog.url_edit.setText(url)

    assert not ok_button(dialog.buttons).isEnabled()
    assert "LiveKit URL" in dialog.problem_label.text()


def test_a_livekit_url_needs_a_key_and_a_secret(qtbot: QtBot) -> None:
    dialog = settings_dialog(qtbot, DesktopPrefs())

    qtbot.keyClicks(dialog.url_edit, "wss://shows.example.com")
    assert not ok_button(dialog.buttons).isEnabled()
    assert "API key" in dialog.problem_label.text()

    qtbot.keyClicks(dialog.key_edit, "APIkey123")
    assert not ok_button(dialog.buttons).isEnabled()
    assert "API secret" in dialog.problem_label.text()

    qtbot.keyClicks(dialog.secret_edit, "typed")
    assert ok_button(dialog.buttons).isEnabled()
    assert dialog.problem_label.text() == ""


def test_an_address_other_computers_cannot_reach_disables_ok_and_says_why(qtbot: QtBot) -> None:
    dialog = settings_dialog(qtbot, DesktopPrefs())
    dialog.audience_picker.setCurrentIndex(dialog.audience_picker.findData("network"))
    assert dialog.host_edit.text() == ""  # the loopback address went with "this computer only"
    assert ok_button(dialog.buttons).isEnabled()

    dialog.host_edit.setText("127.0.0.1")

    assert not ok_button(dialog.buttons).isEnabled()
    assert "Other computers cannot reach 127.0.0.1" in dialog.problem_label.text()


def test_anyone_without_a_public_url_disables_ok(qtbot: QtBot) -> None:
    dialog = settings_dialog(qtbot, DesktopPrefs())
    dialog.audience_picker.setCurrentIndex(dialog.audience_picker.findData("public"))

    assert not ok_button(dialog.buttons).isEnabled()
    assert "needs the public URL" in dialog.problem_label.text()
    dialog.public_url_edit.setText("https://show.example.com")
    assert ok_button(dialog.buttons).isEnabled()


def test_settings_dialog_returns_the_edited_values(qtbot: QtBot) -> None:
    dialog = settings_dialog(qtbot, DesktopPrefs(room="Kept", host_name="Also kept"))

    dialog.host_edit.setText(" 0.0.0.0 ")
    dialog.port_spin.setValue(8080)
    dialog.auth_check.setChecked(False)
    dialog.camera_picker.setCurrentIndex(dialog.camera_picker.findData(TEST_PATTERN))
    dialog.microphone_picker.setCurrentIndex(dialog.microphone_picker.findData("mic-1"))
    dialog.stage_box.size_spin.setValue(4)
    dialog.stage_box.limit_spin.setValue(15)
    assert dialog.stage_box.invite_to.currentText() == "Backstage"  # the default
    dialog.stage_box.invite_to.setCurrentText("Stage")

    assert dialog.prefs() == DesktopPrefs(
        api_host="0.0.0.0",
        api_port=8080,
        auth=False,
        camera=TEST_PATTERN,
        microphone="mic-1",
        room="Kept",
        host_name="Also kept",
        stage_size=4,
        stage_time_limit_s=900,
        invite_to_backstage=False,
    )


def test_the_stage_settings_offer_one_to_six_guests_and_a_limit_in_minutes(qtbot: QtBot) -> None:
    dialog = settings_dialog(qtbot, REMOTE)
    size, limit = dialog.stage_box.size_spin, dialog.stage_box.limit_spin

    assert (size.minimum(), size.maximum(), size.value()) == (1, 6, 3)
    assert (limit.minimum(), limit.maximum(), limit.value()) == (0, 240, 10)
    limit.setValue(0)
    assert limit.text() == "no limit"
    assert dialog.prefs().stage_time_limit_s == 0


def test_settings_dialog_shows_the_stored_values_and_the_restart_note(qtbot: QtBot) -> None:
    dialog = settings_dialog(qtbot, REMOTE)

    assert dialog.url_edit.text() == REMOTE.livekit_url
    assert dialog.key_edit.text() == REMOTE.livekit_api_key
    assert dialog.port_spin.value() == 4100
    assert (dialog.port_spin.minimum(), dialog.port_spin.maximum()) == (0, 65535)
    assert dialog.auth_check.text() == "Require credentials (recommended)"
    assert not dialog.auth_check.isChecked()
    assert dialog.camera_picker.device_id() == "cam-2"
    assert dialog.microphone_picker.device_id() == TONE
    assert RESTART_NOTE in visible_texts(dialog)
    assert RESTART_NOTE.startswith("Changes to LiveKit and the API take effect after a restart")


def test_the_device_pickers_offer_the_builtin_sources_first(qtbot: QtBot) -> None:
    for dialog in (settings_dialog(qtbot, DesktopPrefs()), go_live_dialog(qtbot)):
        assert combo_items(dialog.camera_picker) == [
            ("Test pattern", TEST_PATTERN),
            ("Front Camera", "cam-1"),
            ("Desk Camera", "cam-2"),
        ]
        assert combo_items(dialog.microphone_picker) == [
            ("Tone", TONE),
            ("Headset Microphone", "mic-1"),
        ]


def test_no_stored_device_picks_the_first_connected_one_or_the_builtin(qtbot: QtBot) -> None:
    with_devices = go_live_dialog(qtbot)
    without = GoLiveDialog(DesktopPrefs(), cameras=[], microphones=[])
    qtbot.addWidget(without)

    assert with_devices.choice().camera == "cam-1"
    assert with_devices.choice().microphone == "mic-1"
    assert without.choice().camera == TEST_PATTERN
    assert without.choice().microphone == TONE


def test_settings_keep_an_unplugged_device_that_go_live_replaces(qtbot: QtBot) -> None:
    prefs = DesktopPrefs(camera="usb-gone")

    settings = settings_dialog(qtbot, prefs)
    go_live = go_live_dialog(qtbot, prefs)

    assert settings.prefs().camera == "usb-gone"
    assert "not connected" in settings.camera_picker.currentText()
    assert go_live.choice().camera == "cam-1"


def test_settings_dialog_opens_without_blocking_and_reports_through_finished(
    qtbot: QtBot,
) -> None:
    dialog = settings_dialog(qtbot, REMOTE)
    dialog.open()
    assert dialog.isVisible()

    with qtbot.waitSignal(dialog.finished) as finished:
        qtbot.mouseClick(ok_button(dialog.buttons), Qt.MouseButton.LeftButton)

    assert finished.args == [QDialog.DialogCode.Accepted.value]


def test_the_dialogs_take_their_parent_second_and_open_window_modal(qtbot: QtBot) -> None:
    window = QWidget()
    qtbot.addWidget(window)
    window.show()

    for dialog in (
        SettingsDialog(DesktopPrefs(), window, cameras=[], microphones=[]),
        GoLiveDialog(DesktopPrefs(), window, cameras=[], microphones=[]),
    ):
        dialog.open()
        assert dialog.parentWidget() is window
        assert dialog.windowModality() == Qt.WindowModality.WindowModal
        dialog.reject()
