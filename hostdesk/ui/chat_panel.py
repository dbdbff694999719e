"""The chat panel: the lines, the host's own line, and the host's moderation of the chat.

It lays out and forwards: which line is chosen, and what the host clicked for it. The window
decides what a click does and tells the panel what the chosen line allows (`show_line`) and
the room's slow mode (`show_slow_mode`).
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QAbstractItemModel, QPoint, Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QGroupBox,
    QHBoxLayout,
    QLineEdit,
    QMenu,
    QPushButton,
    QWidget,
)

from hostdesk.show import rules
from hostdesk.ui.panels import list_view, panel_layout

#: What the slow-mode box offers (seconds; 0 is off). A value set through the API is added.
SLOW_MODE_CHOICES = (0, 5, 10, 30, 60, 120)


def slow_mode_label(seconds: int) -> str:
    if not seconds:
        return "Slow mode: off"
    if seconds % 60 == 0:
        return f"Slow mode: 1 message / {seconds // 60} min"
    return f"Slow mode: 1 message / {seconds} s"


class ChatPanel(QGroupBox):
    """Signals carry the chosen line's row (`hide_clicked`) or sender (`mute_clicked` with
    whether to mute, `block_clicked`), and the slow mode chosen."""

    send_clicked = Signal(str)
    line_chosen = Signal(int)  # row, -1 when none
    hide_clicked = Signal(int)
    mute_clicked = Signal(int, bool)
    block_clicked = Signal(int)
    slow_mode_chosen = Signal(int)

    def __init__(self, model: QAbstractItemModel, parent: QWidget | None = None) -> None:
        super().__init__("Chat", parent)
        self.view = list_view(model)
        self.view.setWordWrap(True)
        self.view.setUniformItemSizes(False)
        self.view.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.input = QLineEdit()
        self.input.setPlaceholderText("Say something to everyone")
        self.input.setMaxLength(rules.CHAT_MAX_LENGTH)
        self.send_button = QPushButton("Send")
        self.hide_button = QPushButton("Hide message")
        self.mute_button = QPushButton("Mute sender")
        self.block_button = QPushButton("Block sender…")
        self.slow_mode = QComboBox()
        for seconds in SLOW_MODE_CHOICES:
            self.slow_mode.addItem(slow_mode_label(seconds), seconds)
        self._mute = True  # what the mute button does for the chosen line
        row = QHBoxLayout()
        row.addWidget(self.input, 1)
        row.addWidget(self.send_button)
        moderation = QHBoxLayout()
        for button in (self.hide_button, self.mute_button, self.block_button):
            moderation.addWidget(button)
        layout = panel_layout(self)
        layout.addWidget(self.view)
        layout.addLayout(moderation)
        layout.addWidget(self.slow_mode)
        layout.addLayout(row)
        self.send_button.clicked.connect(self._send)
        self.input.returnPressed.connect(self._send)
        self.hide_button.clicked.connect(lambda: self._forward(self.hide_clicked.emit))
        self.mute_button.clicked.connect(
            lambda: self._forward(lambda r: self.mute_clicked.emit(r, self._mute))
        )
        self.block_button.clicked.connect(lambda: self._forward(self.block_clicked.emit))
        self.slow_mode.activated.connect(
            lambda i: self.slow_mode_chosen.emit(int(self.slow_mode.itemData(i)))
        )
        self.view.customContextMenuRequested.connect(self._menu)
        self.view.selectionModel().currentChanged.connect(
            lambda current, _previous: self.line_chosen.emit(
                current.row() if current.isValid() else -1
            )
        )
        model.rowsInserted.connect(lambda *_: self.view.scrollToBottom())
        model.rowsRemoved.connect(lambda *_: self.line_chosen.emit(self.chosen_row()))
        self.show_line(hideable=False, mute=None, blockable=False)

    def chosen_row(self) -> int:
        index = self.view.currentIndex()
        return index.row() if index.isValid() else -1

    def show_line(self, *, hideable: bool, mute: bool | None, blockable: bool) -> None:
        """What the chosen line allows: hiding it, muting (True) or unmuting (False) its sender
        (None: neither, the host's own line), blocking its sender."""
        self.hide_button.setEnabled(hideable)
        self._mute = mute is not False
        self.mute_button.setText("Mute sender" if self._mute else "Unmute sender")
        self.mute_button.setEnabled(mute is not None)
        self.block_button.setEnabled(blockable)

    def show_slow_mode(self, seconds: int) -> None:
        """The room's slow mode, as the server wrote it (no signal: nothing was chosen)."""
        found = self.slow_mode.findData(seconds)
        if found < 0:
            self.slow_mode.addItem(slow_mode_label(seconds), seconds)
            found = self.slow_mode.count() - 1
        self.slow_mode.setCurrentIndex(found)

    def _forward(self, emit: Callable[[int], object]) -> None:
        row = self.chosen_row()
        if row >= 0:
            emit(row)

    def _menu(self, at: QPoint) -> None:
        index = self.view.indexAt(at)
        if not index.isValid():
            return
        self.view.setCurrentIndex(index)
        menu = QMenu(self)
        for button in (self.hide_button, self.mute_button, self.block_button):
            action = menu.addAction(button.text())
            action.setEnabled(button.isEnabled())
            action.triggered.connect(button.click)
        menu.popup(self.view.viewport().mapToGlobal(at))

    def _send(self) -> None:
        text = self.input.text().strip()
        if text:
            self.send_clicked.emit(text)
            self.input.clear()
