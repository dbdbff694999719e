"""The stream destinations dialog (hostdesk/ui/destinations_dialog.py) over a real preferences
file: a destination added with its key is stored, and its key never comes back into any field,
text, log record or repr; an empty key field keeps the stored key; a URL that is not an RTMP
server's is refused with the reason and nothing is saved."""

from __future__ import annotations

import logging
from dataclasses import replace
from pathlib import Path

import pytest
from PySide6.QtWidgets import QListWidget, QWidget
from pytestqt.qtbot import QtBot

from hostdesk.ui.destinations_dialog import KEY_KEPT, KEY_NEW, DestinationEditor, DestinationsDialog
from hostdesk.ui.settings import (
    CUSTOM,
    SERVICES,
    TWITCH,
    YOUTUBE,
    PrefsStore,
    StreamDestination,
)
from tests.ui.prefs_cases import ini
from tests.ui.test_dialogs import visible_texts

KEY = "yt-key-9f8e-7d6c-NEVER-SHOWN"
NEW_KEY = "yt-key-second-ALSO-NEVER-SHOWN"
YOUTUBE_URL = SERVICES[YOUTUBE][1]


def dialog_on(qtbot: QtBot, store: PrefsStore) -> DestinationsDialog:
    """The dialog as the program bar opens it: each change saved at once into `store`."""
    dialog = DestinationsDialog(store.load().destinations)
    dialog.changed.connect(lambda found: store.save(replace(store.load(), destinations=found)))
    qtbot.addWidget(dialog)
    dialog.show()
    return dialog


def every_text(dialog: DestinationsDialog, editor: DestinationEditor | None = None) -> str:
    roots: list[QWidget] = [dialog] if editor is None else [dialog, editor]
    texts = [text for root in roots for text in visible_texts(root)]
    for widget in dialog.findChildren(QListWidget):
        texts += [widget.item(row).text() for row in range(widget.count())]
    return "\n".join(texts)


def add_youtube(dialog: DestinationsDialog, key: str = KEY) -> DestinationEditor:
    editor = dialog.add()
    assert editor.service() == YOUTUBE  # the first service offered
    editor.key_edit.setText(key)
    editor.ok_button.click()
    return editor


def test_a_youtube_destination_is_stored_with_its_key_which_is_never_shown_again(
    qtbot: QtBot, tmp_path: Path
) -> None:
    store = PrefsStore(ini(tmp_path))
    editor = add_youtube(dialog_on(qtbot, store))

    assert store.load().destinations == (StreamDestination(YOUTUBE, "YouTube", YOUTUBE_URL, KEY),)
    assert editor.key_edit.placeholderText() == KEY_NEW

    again = dialog_on(qtbot, store)  # reopened
    assert again.list.item(0).text() == f"YouTube — {YOUTUBE_URL}"
    editing = again.edit(0)
    assert editing is not None
    assert editing.key_edit.text() == ""
    assert editing.key_edit.placeholderText() == "Stored — type a new key to replace it"
    assert KEY not in every_text(again, editing)
    editing.label_edit.setText("Main channel")
    editing.ok_button.click()  # the key field left empty

    assert store.load().destinations == (
        StreamDestination(YOUTUBE, "Main channel", YOUTUBE_URL, KEY),
    )
    replacing = again.edit(0)
    assert replacing is not None and replacing.key_edit.placeholderText() == KEY_KEPT
    replacing.key_edit.setText(NEW_KEY)
    replacing.ok_button.click()
    assert store.load().destinations[0].stream_key == NEW_KEY


@pytest.mark.parametrize(
    ("url", "problem"),
    [
        ("https://live.example.org/app", "The server URL must start with rtmp:// or rtmps://"),
        ("live.example.org/app", "The server URL must start with rtmp:// or rtmps://"),
        ("rtmp:///app", "The server URL has no server name after rtmp://"),
        ("", "The server URL is missing"),
    ],
)
def test_a_url_that_is_no_rtmp_server_says_why_and_nothing_is_saved(
    qtbot: QtBot, tmp_path: Path, url: str, problem: str
) -> None:
    store = PrefsStore(ini(tmp_path))
    dialog = dialog_on(qtbot, store)
    editor = dialog.add()
    editor.service_picker.setCurrentIndex(editor.service_picker.findData(CUSTOM))
    editor.label_edit.setText("Own server")
    editor.key_edit.setText(KEY)
    editor.url_edit.setText(url)

    assert editor.problem_label.text() == problem
    assert not editor.ok_button.isEnabled()
    editor.buttons.accepted.emit()  # Enter in a field: refused all the same
    assert editor.isVisible()
    assert store.load().destinations == ()
    assert dialog.destinations == ()

    editor.url_edit.setText("rtmps://live.example.org/app")
    assert editor.problem_label.text() == ""
    editor.ok_button.click()
    assert [d.url for d in store.load().destinations] == ["rtmps://live.example.org/app"]


def test_a_service_needs_its_key_and_its_url_follows_the_service_picked(
    qtbot: QtBot, tmp_path: Path
) -> None:
    editor = dialog_on(qtbot, PrefsStore(ini(tmp_path))).add()
    assert (editor.label_edit.text(), editor.url_edit.text()) == ("YouTube", YOUTUBE_URL)
    assert editor.problem_label.text() == "Paste the stream key YouTube gives you"

    editor.service_picker.setCurrentIndex(editor.service_picker.findData(TWITCH))
    assert (editor.label_edit.text(), editor.url_edit.text()) == SERVICES[TWITCH]
    editor.service_picker.setCurrentIndex(editor.service_picker.findData(CUSTOM))
    assert (editor.label_edit.text(), editor.url_edit.text()) == ("", "")
    editor.label_edit.setText("Studio server")
    editor.url_edit.setText("rtmp://192.168.1.20/live")
    assert editor.ok_button.isEnabled()  # a custom server may take no key


def test_the_key_is_in_no_log_record_no_repr_and_no_text_of_the_dialog(
    qtbot: QtBot, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    store = PrefsStore(ini(tmp_path))
    dialog = dialog_on(qtbot, store)
    editor = add_youtube(dialog)
    editing = dialog.edit(0)
    assert editing is not None

    stored = store.load()
    assert stored.destinations[0].stream_key == KEY
    for text in (
        repr(stored),
        str(stored),
        repr(stored.destinations),
        every_text(dialog, editing),
        "\n".join(visible_texts(editor)),
        "\n".join(f"{r.getMessage()} {r.__dict__}" for r in caplog.records),
    ):
        assert KEY not in text
    # the key field itself: typed but shown only as dots
    editing.key_edit.setText(NEW_KEY)
    assert NEW_KEY not in editing.key_edit.displayText()


def test_remove_takes_a_destination_and_its_key_out_of_the_store(
    qtbot: QtBot, tmp_path: Path
) -> None:
    store = PrefsStore(ini(tmp_path))
    dialog = dialog_on(qtbot, store)
    add_youtube(dialog)
    assert dialog.remove_button.isEnabled()

    dialog.list.setCurrentRow(0)
    dialog.remove_button.click()

    assert store.load().destinations == ()
    assert dialog.empty_label.isVisible()
    assert KEY not in (tmp_path / "hostdesk.ini").read_text(encoding="utf-8")
