"""The desktop preferences and the Settings, Go Live and confirmation dialogs: what is stored,
what wins over what, what the dialogs accept, and that the LiveKit secret is never shown."""

from __future__ import annotations

import logging
import stat
from dataclasses import replace
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import (
    QAbstractButton,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QLabel,
    QLineEdit,
    QMessageBox,
    QWidget,
)
from pytestqt.qtbot import QtBot

from hostdesk.cli import build_parser, settings_from
from hostdesk.config import ConfigError, LiveKitSettings, Settings
from hostdesk.reach import Audience
from hostdesk.ui.dialogs import (
    RESTART_NOTE,
    GoLiveChoice,
    GoLiveDialog,
    SettingsDialog,
    confirm,
)
from hostdesk.ui.media.devices import Device
from hostdesk.ui.settings import TEST_PATTERN, TONE, DesktopPrefs, PrefsStore, apply_prefs

SECRET = "s3cr3t-Zq8-do-not-show"
CAMERAS = [Device("cam-1", "Front Camera"), Device("cam-2", "Desk Camera")]
MICROPHONES = [Device("mic-1", "Headset Microphone")]
REMOTE = DesktopPrefs(
    livekit_url="wss://shows.example.com",
    livekit_api_key="APIkey123",
    livekit_api_secret=SECRET,
    api_host="0.0.0.0",
    api_port=4100,
    auth=False,
    camera="cam-2",
    microphone=TONE,
    room="Friday, Night Live",
    host_name="Ada Lovelace ✨",
    stage_size=3,
    stage_time_limit_s=600,
)


def ini(tmp_path: Path, text: str | None = None) -> QSettings:
    """A QSettings on its own INI file; `text` is written first, as a hand-edited file would be."""
    path = tmp_path / "hostdesk.ini"
    if text is not None:
        path.write_text(text, encoding="utf-8")
    return QSettings(str(path), QSettings.Format.IniFormat)


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


# --- the store -----------------------------------------------------------------------------------


def test_prefs_round_trip_through_the_store(tmp_path: Path) -> None:
    PrefsStore(ini(tmp_path)).save(REMOTE)

    assert PrefsStore(ini(tmp_path)).load() == REMOTE


def test_an_empty_store_gives_the_defaults(tmp_path: Path) -> None:
    assert PrefsStore(ini(tmp_path)).load() == DesktopPrefs()


def test_values_written_by_hand_are_read(tmp_path: Path) -> None:
    store = PrefsStore(ini(tmp_path, "[api]\nport=4000\nauth=false\n[show]\nroom=Late Show\n"))

    prefs = store.load()

    assert (prefs.api_port, prefs.auth, prefs.room) == (4000, False, "Late Show")


@pytest.mark.parametrize("text", ["stage_size=7", "stage_size=0", "stage_time_limit=14401"])
def test_a_stage_setting_out_of_its_range_falls_back_to_the_default(
    tmp_path: Path, text: str
) -> None:
    prefs = PrefsStore(ini(tmp_path, f"[show]\n{text}\n")).load()

    assert (prefs.stage_size, prefs.stage_time_limit_s) == (1, 0)


def test_garbled_values_fall_back_to_their_defaults(tmp_path: Path) -> None:
    # An unquoted comma makes QSettings read a list, not a string.
    store = PrefsStore(
        ini(
            tmp_path,
            "[api]\nport=three thousand\nauth=maybe\nhost=a, b\n"
            "[livekit]\napi_secret=x, y\n[media]\ncamera=1, 2\n",
        )
    )

    assert store.load() == DesktopPrefs()


@pytest.mark.parametrize("port", ["65536", "-1", "99999999999999999999", "3001.5", ""])
def test_a_port_out_of_range_falls_back_to_the_default(tmp_path: Path, port: str) -> None:
    store = PrefsStore(ini(tmp_path, f"[api]\nport={port}\n"))

    assert store.load().api_port == DesktopPrefs().api_port


def test_an_unreadable_secret_is_reported_by_key_not_by_value(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    store = PrefsStore(ini(tmp_path, f"[livekit]\napi_secret={SECRET}, tail\n"))

    with caplog.at_level(logging.WARNING, logger="hostdesk.ui"):
        assert store.load().livekit_api_secret == ""

    assert "livekit/api_secret" in caplog.text
    assert SECRET not in caplog.text


def test_the_saved_file_is_readable_by_its_owner_only(tmp_path: Path) -> None:
    PrefsStore(ini(tmp_path)).save(REMOTE)

    mode = stat.S_IMODE((tmp_path / "hostdesk.ini").stat().st_mode)
    assert mode == stat.S_IRUSR | stat.S_IWUSR


def test_repr_masks_the_secret() -> None:
    assert SECRET not in repr(REMOTE)
    assert SECRET not in str(REMOTE)
    assert "livekit_api_secret='***'" in repr(REMOTE)
    assert "livekit_api_secret=''" in repr(DesktopPrefs())


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


# --- precedence: command line > environment > stored prefs ---------------------------------------

ENV_LIVEKIT = {
    "LIVEKIT_URL": "wss://env.example.com",
    "LIVEKIT_API_KEY": "envkey",
    "LIVEKIT_API_SECRET": "envsecret",
}


def from_cli(argv: list[str], env: dict[str, str] | None = None) -> Settings:
    return settings_from(build_parser().parse_args(["serve", *argv]), env or {})


def test_stored_prefs_apply_when_nothing_else_is_given() -> None:
    settings = apply_prefs(from_cli([]), REMOTE, cli_overrides=set())

    assert (settings.api_host, settings.api_port, settings.auth) == ("0.0.0.0", 4100, False)
    assert settings.livekit == LiveKitSettings("wss://shows.example.com", "APIkey123", SECRET)


def test_the_command_line_wins_over_stored_prefs() -> None:
    cli = from_cli(["--host", "127.0.0.2", "--port", "5000", "--dev"], ENV_LIVEKIT)

    settings = apply_prefs(cli, REMOTE, cli_overrides={"host", "port", "auth", "livekit"})

    assert (settings.api_host, settings.api_port, settings.auth) == ("127.0.0.2", 5000, True)
    assert settings.livekit is None  # --dev beats the environment and the stored server


def test_the_environment_wins_over_the_stored_livekit_server() -> None:
    settings = apply_prefs(from_cli([], ENV_LIVEKIT), REMOTE, cli_overrides=set())

    assert settings.livekit == LiveKitSettings("wss://env.example.com", "envkey", "envsecret")
    assert settings.api_port == 4100  # the rest still comes from the prefs


def test_the_stored_stage_size_applies_unless_the_command_line_gives_one() -> None:
    assert apply_prefs(from_cli([]), REMOTE, cli_overrides=set()).stage_size == 3
    cli = replace(from_cli([]), stage_size=5)
    assert apply_prefs(cli, REMOTE, cli_overrides={"stage_size"}).stage_size == 5


def test_options_not_named_keep_the_stored_value() -> None:
    settings = apply_prefs(from_cli(["--port", "5000"]), REMOTE, cli_overrides={"port"})

    assert (settings.api_host, settings.api_port, settings.auth) == ("0.0.0.0", 5000, False)


def test_no_stored_url_keeps_the_local_server() -> None:
    settings = apply_prefs(from_cli([]), DesktopPrefs(), cli_overrides=set())

    assert settings.livekit is None


def test_a_stored_url_without_its_secret_is_a_config_error() -> None:
    prefs = DesktopPrefs(livekit_url="wss://shows.example.com", livekit_api_key="k")

    with pytest.raises(ConfigError, match="secret"):
        apply_prefs(from_cli([]), prefs, cli_overrides=set())


def test_unknown_command_line_names_are_refused() -> None:
    with pytest.raises(ValueError, match="hots"):
        apply_prefs(from_cli([]), DesktopPrefs(), cli_overrides={"hots"})


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
