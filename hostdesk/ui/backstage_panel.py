"""The backstage row of the window: a tile per guest the host sent backstage, with their
picture and **Take live** and **Send back**. Hidden while nobody is backstage. It lays out and
forwards clicks; who has a tile is decided by hostdesk.ui.backstage_view."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from hostdesk.ui.stage_tile import StageTile

#: A backstage tile's size: small beside the stage, 16:9 with its bar under it.
TILE_SIZE = (256, 180)
BACKSTAGE_NOTE = "Backstage: only you see and hear them; they hear you"


class BackstageTile(StageTile):
    """One backstage guest: their picture, Take live, Send back."""

    take_live_clicked = Signal(str)
    send_back_clicked = Signal(str)

    def __init__(self, identity: str, name: str, parent: QWidget | None = None) -> None:
        super().__init__("Waiting for their camera", parent)
        self.identity = identity
        self.setTitle(name)
        self.setFixedSize(*TILE_SIZE)
        self.take_live_button = QPushButton("Take live")
        self.take_live_button.setToolTip("Put them on stage: the audience sees and hears them")
        self.send_back_button = QPushButton("Send back")
        self.send_back_button.setToolTip("Send them back to the audience")
        for button, signal in (
            (self.take_live_button, self.take_live_clicked),
            (self.send_back_button, self.send_back_clicked),
        ):
            self.bar_layout.addWidget(button)
            button.clicked.connect(lambda _checked=False, s=signal: s.emit(self.identity))


class BackstagePanel(QFrame):
    take_live_clicked = Signal(str)
    send_back_clicked = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("backstage")
        self.tiles: dict[str, BackstageTile] = {}
        self.note = note = QLabel(BACKSTAGE_NOTE)
        note.setObjectName("muted")
        note.setTextFormat(Qt.TextFormat.PlainText)
        self._row = QHBoxLayout()
        self._row.setContentsMargins(0, 0, 0, 0)
        self._row.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        layout.addWidget(note)
        layout.addLayout(self._row)
        self.hide()

    def set_note(self, text: str) -> None:
        """The line above the tiles: what the backstage is, or how its connection is."""
        self.note.setText(text)

    def add_tile(self, identity: str, name: str) -> BackstageTile:
        tile = BackstageTile(identity, name)
        tile.take_live_clicked.connect(self.take_live_clicked)
        tile.send_back_clicked.connect(self.send_back_clicked)
        self._row.insertWidget(len(self.tiles), tile)
        self.tiles[identity] = tile
        self.show()
        return tile

    def remove_tile(self, identity: str) -> None:
        tile = self.tiles.pop(identity)
        self._row.removeWidget(tile)
        tile.deleteLater()
        self.setVisible(bool(self.tiles))
