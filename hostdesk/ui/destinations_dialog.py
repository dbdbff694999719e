"""Where the program is streamed: the host's list of destinations (YouTube, Twitch, a custom RTMP
server), each added, edited and removed here.

A stream key, once stored, never comes back into a field: editing shows an empty key field that
says so, and leaving it empty keeps the stored key (hostdesk.ui.settings, like the LiveKit
secret). The dialogs lay out and forward; what is valid is decided in hostdesk.ui.settings and
saving is the caller's (`changed`). Open them with `open()` (see hostdesk.ui.dialogs).
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from hostdesk.ui.dialogs import form_layout, problem_label
from hostdesk.ui.settings import CUSTOM, SERVICES, StreamDestination, destination_problem

KEY_KEPT = "Stored — type a new key to replace it"
KEY_NEW = "the stream key the service gives you"
NO_DESTINATIONS = "No destinations yet: add YouTube, Twitch or your own RTMP server."


def describe(destination: StreamDestination) -> str:
    """A destination as the list shows it: its name and server, never its key."""
    return f"{destination.label} — {destination.url}"


class DestinationEditor(QDialog):
    """One destination, new (`destination` None) or stored; `destination()` once accepted."""

    def __init__(self, destination: StreamDestination | None, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("Edit destination" if destination else "Add a destination")
        self.setMinimumWidth(480)
        self._stored_key = destination.stream_key if destination else ""
        self.service_picker = QComboBox()
        for service, (name, _url) in SERVICES.items():
            self.service_picker.addItem(name, service)
        self.label_edit = QLineEdit()
        self.label_edit.setPlaceholderText("what you call it, e.g. My channel")
        self.url_edit = QLineEdit()
        self.url_edit.setPlaceholderText("rtmp://server/app or rtmps://server/app")
        self.key_edit = QLineEdit()
        self.key_edit.setObjectName("stream_key")
        self.key_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.key_edit.setPlaceholderText(KEY_KEPT if self._stored_key else KEY_NEW)
        self.problem_label = problem_label()
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.ok_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok_button.setText("Save")

        form = form_layout()
        form.addRow("Service:", self.service_picker)
        form.addRow("Name:", self.label_edit)
        form.addRow("Server URL:", self.url_edit)
        form.addRow("Stream key:", self.key_edit)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.problem_label)
        layout.addWidget(self.buttons)

        if destination is not None:
            self.service_picker.setCurrentIndex(
                max(0, self.service_picker.findData(destination.service))
            )
            self.label_edit.setText(destination.label)
            self.url_edit.setText(destination.url)
        else:
            self._service_chosen()
        self.service_picker.currentIndexChanged.connect(self._service_chosen)
        for edit in (self.label_edit, self.url_edit, self.key_edit):
            edit.textChanged.connect(self._revalidate)
        self.buttons.accepted.connect(self._accept_if_valid)
        self.buttons.rejected.connect(self.reject)
        self._revalidate()

    def service(self) -> str:
        return str(self.service_picker.currentData())

    def destination(self) -> StreamDestination:
        """The edited destination; an empty key field keeps the stored key."""
        return StreamDestination(
            self.service(),
            self.label_edit.text().strip(),
            self.url_edit.text().strip(),
            self.key_edit.text().strip() or self._stored_key,
        )

    def take(self) -> StreamDestination:
        """The edited destination, once accepted; the typed key leaves the field."""
        destination = self.destination()
        self.key_edit.clear()
        return destination

    def problem(self) -> str | None:
        edited = self.destination()
        problem = destination_problem(edited.label, edited.url)
        if problem is None and edited.service != CUSTOM and not edited.stream_key:
            problem = f"Paste the stream key {SERVICES[edited.service][0]} gives you"
        return problem

    def _service_chosen(self) -> None:
        # A name and URL the host left as a service's own follow the service picked.
        name, url = SERVICES[self.service()]
        if self.url_edit.text().strip() in ("", *(u for _n, u in SERVICES.values())):
            self.url_edit.setText(url)
        if self.label_edit.text().strip() in ("", *(n for n, _u in SERVICES.values())):
            self.label_edit.setText(name if self.service() != CUSTOM else "")
        self._revalidate()

    def _revalidate(self) -> None:
        problem = self.problem()
        self.problem_label.setText(problem or "")
        self.ok_button.setEnabled(problem is None)

    def _accept_if_valid(self) -> None:
        if self.problem() is None:
            self.accept()


class DestinationsDialog(QDialog):
    """The host's destinations; every change is handed to `changed` at once (the whole list)."""

    changed = Signal(object)  # tuple[StreamDestination, ...]

    def __init__(
        self, destinations: tuple[StreamDestination, ...], parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Stream destinations")
        self.setMinimumWidth(520)
        self.destinations = destinations
        self.editor: DestinationEditor | None = None
        self.list = QListWidget()
        self.empty_label = QLabel(NO_DESTINATIONS)
        self.empty_label.setObjectName("muted")
        self.empty_label.setWordWrap(True)
        self.add_button = QPushButton("Add…")
        self.edit_button = QPushButton("Edit…")
        self.remove_button = QPushButton("Remove")
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        row = QHBoxLayout()
        for button in (self.add_button, self.edit_button, self.remove_button):
            row.addWidget(button)
        row.addStretch(1)
        note = QLabel(
            "Stream keys are kept in this computer's settings file, readable by you only, "
            "and are never shown again."
        )
        note.setWordWrap(True)
        note.setObjectName("muted")
        layout = QVBoxLayout(self)
        layout.addWidget(self.list, 1)
        layout.addWidget(self.empty_label)
        layout.addLayout(row)
        layout.addWidget(note)
        layout.addWidget(self.buttons)

        self.add_button.clicked.connect(self.add)
        self.edit_button.clicked.connect(lambda: self.edit(self.list.currentRow()))
        self.remove_button.clicked.connect(lambda: self.remove(self.list.currentRow()))
        self.list.currentRowChanged.connect(lambda _row: self._enable())
        self.list.itemDoubleClicked.connect(lambda _item: self.edit(self.list.currentRow()))
        self.buttons.rejected.connect(self.reject)
        self._fill()

    def add(self) -> DestinationEditor:
        return self._open_editor(None)

    def edit(self, row: int) -> DestinationEditor | None:
        if not 0 <= row < len(self.destinations):
            return None
        return self._open_editor(row)

    def remove(self, row: int) -> None:
        if 0 <= row < len(self.destinations):
            self._set(self.destinations[:row] + self.destinations[row + 1 :])

    def _open_editor(self, row: int | None) -> DestinationEditor:
        editor = self.editor = DestinationEditor(
            None if row is None else self.destinations[row], self
        )
        editor.accepted.connect(lambda: self._edited(row, editor.take()))
        editor.finished.connect(editor.deleteLater)
        editor.open()
        return editor

    def _edited(self, row: int | None, destination: StreamDestination) -> None:
        if row is None:
            self._set((*self.destinations, destination))
        else:
            self._set((*self.destinations[:row], destination, *self.destinations[row + 1 :]))

    def _set(self, destinations: tuple[StreamDestination, ...]) -> None:
        self.destinations = destinations
        self._fill()
        self.changed.emit(destinations)

    def _fill(self) -> None:
        row = self.list.currentRow()
        self.list.clear()
        self.list.addItems([describe(d) for d in self.destinations])
        self.list.setCurrentRow(min(max(row, 0), len(self.destinations) - 1))
        self.empty_label.setVisible(not self.destinations)
        self._enable()

    def _enable(self) -> None:
        chosen = 0 <= self.list.currentRow() < len(self.destinations)
        self.edit_button.setEnabled(chosen)
        self.remove_button.setEnabled(chosen)
