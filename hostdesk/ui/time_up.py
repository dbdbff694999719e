"""The host's question when a guest's time on stage is up: "NAME's time is up — send them back
to the audience?" with Send back and Keep. A bar in the window, not a dialog: the show and the
host's other work go on while it waits, and several guests can be asked at once. It lays out
and forwards; nothing happens to the guest unless the host clicks Send back."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget


def question(name: str) -> str:
    return f"{name}'s time is up — send them back to the audience?"


class TimeUpBar(QFrame):
    def __init__(self, identity: str, name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("time-up")
        self.identity = identity
        self.label = QLabel(question(name))
        self.label.setTextFormat(Qt.TextFormat.PlainText)
        self.label.setWordWrap(True)
        self.send_back_button = QPushButton("Send back")
        self.send_back_button.setObjectName("primary")
        self.keep_button = QPushButton("Keep")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(10, 4, 6, 4)
        layout.addWidget(self.label, 1)
        layout.addWidget(self.send_back_button)
        layout.addWidget(self.keep_button)


class TimeUpPrompts(QWidget):
    """One bar per guest whose time is up; `send_back(identity)` when the host says so (the
    bar goes either way)."""

    send_back = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._layout = QVBoxLayout(self)
        self._layout.setContentsMargins(0, 0, 0, 0)
        self._layout.setSpacing(4)
        self.bars: dict[str, TimeUpBar] = {}
        self.hide()

    def ask(self, identity: str, name: str) -> None:
        if identity in self.bars:
            return
        bar = TimeUpBar(identity, name, self)
        bar.send_back_button.clicked.connect(lambda: self._answer(identity, send_back=True))
        bar.keep_button.clicked.connect(lambda: self._answer(identity, send_back=False))
        self.bars[identity] = bar
        self._layout.addWidget(bar)
        self.show()

    def withdraw(self, identity: str) -> None:
        """The guest left the stage another way: nothing to ask any more."""
        bar = self.bars.pop(identity, None)
        if bar is not None:
            self._layout.removeWidget(bar)
            bar.hide()
            bar.deleteLater()
        self.setVisible(bool(self.bars))

    def _answer(self, identity: str, *, send_back: bool) -> None:
        self.withdraw(identity)
        if send_back:
            self.send_back.emit(identity)
