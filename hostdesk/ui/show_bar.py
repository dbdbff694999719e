"""The window's top bar: whether the show is live, its name, how many watch, and the show's
buttons. It lays out and forwards; the window says what to show."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QWidget

from hostdesk.show.connection import ConnectionState
from hostdesk.ui.theme import COLOURS

STATE_TEXT = {
    ConnectionState.OFFLINE: "Not live",
    ConnectionState.CONNECTING: "Connecting…",
    ConnectionState.LIVE: "● LIVE",
    ConnectionState.RECONNECTING: "Reconnecting…",
    ConnectionState.DISCONNECTED: "Disconnected",
}
WAITING_TEXT = "Waiting…"
_STATE_COLOUR = {
    ConnectionState.LIVE: COLOURS["live"],
    ConnectionState.RECONNECTING: COLOURS["warn"],
    ConnectionState.DISCONNECTED: "#5a2a2a",
}
_IDLE_COLOUR = "#3a3f4b"  # the page's idle state badge


class ShowBar(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.state_label = QLabel()
        self.state_label.setObjectName("state")
        self.show_label = QLabel("No show")
        self.show_label.setObjectName("show-name")
        self.show_label.setTextFormat(Qt.TextFormat.PlainText)
        self.viewers_label = QLabel("0 viewers")
        self.viewers_label.setObjectName("muted")
        self.go_live_button = QPushButton("Go live…")
        self.go_live_button.setObjectName("primary")
        self.end_button = QPushButton("End show…")
        self.end_button.setObjectName("danger")
        self.settings_button = QPushButton("Settings…")
        self.streams_button = QPushButton("Streams…")
        self.streams_button.setObjectName("streams_button")
        self.streams_button.setToolTip("Where the show is streamed: YouTube, Twitch, a server")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(10)
        layout.addWidget(self.state_label)
        layout.addWidget(self.show_label)
        layout.addWidget(self.viewers_label)
        layout.addStretch(1)
        layout.addWidget(self.go_live_button)
        layout.addWidget(self.end_button)
        layout.addWidget(self.streams_button)
        layout.addWidget(self.settings_button)

    def show_state(self, state: ConnectionState, waiting: bool) -> None:
        """The connection's state; `waiting` while the window tries again to go live."""
        self.state_label.setText(WAITING_TEXT if waiting else STATE_TEXT[state])
        shown = ConnectionState.RECONNECTING if waiting else state
        background = _STATE_COLOUR.get(shown, _IDLE_COLOUR)
        self.state_label.setStyleSheet(f"background: {background};")
        self.go_live_button.setEnabled(
            state in (ConnectionState.OFFLINE, ConnectionState.DISCONNECTED)
        )
        self.end_button.setEnabled(state in (ConnectionState.LIVE, ConnectionState.RECONNECTING))

    def show_viewers(self, count: int) -> None:
        self.viewers_label.setText(f"{count} viewer" + ("" if count == 1 else "s"))
