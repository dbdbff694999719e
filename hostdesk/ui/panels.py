"""The window's panels: they lay out and forward clicks; the window decides what happens."""

from __future__ import annotations

from PySide6.QtCore import QAbstractItemModel, QModelIndex, Qt, Signal, SignalInstance
from PySide6.QtWidgets import (
    QFrame,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListView,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from hostdesk.ui.models import IDENTITY_ROLE
from hostdesk.ui.video_view import VideoView


def list_view(model: QAbstractItemModel) -> QListView:
    view = QListView()
    view.setModel(model)
    view.setUniformItemSizes(True)  # keeps 10,000 rows cheap to lay out
    view.setAlternatingRowColors(True)
    return view


class GuestTile(QGroupBox):
    """One place on stage: a guest's video, and what the host can do to that guest."""

    mute_clicked = Signal(str)
    demote_clicked = Signal(str)
    remove_clicked = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Guest", parent)
        self.identity = ""
        self.view = VideoView("Nobody on stage — invite a raised hand")
        self.mute_button = QPushButton("Mute guest")
        self.demote_button = QPushButton("Back to audience")
        self.remove_button = QPushButton("Remove guest")
        self.demote_button.setToolTip("Ctrl+Shift+D sends the first guest back")
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        for button, signal in (
            (self.mute_button, self.mute_clicked),
            (self.demote_button, self.demote_clicked),
            (self.remove_button, self.remove_clicked),
        ):
            buttons.addWidget(button)
            button.clicked.connect(lambda _checked=False, signal=signal: self._emit(signal))
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.view, 1)
        layout.addLayout(buttons)
        self.set_identity("")

    def _emit(self, signal: SignalInstance) -> None:
        if self.identity:
            signal.emit(self.identity)

    def set_identity(self, identity: str) -> None:
        """Whose place this is ("" while empty); the buttons act on them."""
        self.identity = identity
        for button in (self.mute_button, self.demote_button, self.remove_button):
            button.setEnabled(bool(identity))


class StagePanel(QWidget):
    """The host's preview, one tile per guest (one, empty, when nobody is on stage) and the
    host's own microphone and camera switches."""

    mic_toggled = Signal(bool)
    camera_toggled = Signal(bool)
    demote_clicked = Signal(str)
    remove_guest_clicked = Signal(str)
    mute_guest_clicked = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.host_view = VideoView("Your camera appears here when you go live")
        self.guest_tiles: list[GuestTile] = []
        self.mic_button = QPushButton("Microphone on")
        self.camera_button = QPushButton("Camera on")
        for button in (self.mic_button, self.camera_button):
            button.setCheckable(True)
            button.setChecked(True)

        self._host_tile = QGroupBox("You")
        host_layout = QVBoxLayout(self._host_tile)
        host_layout.setContentsMargins(4, 4, 4, 4)
        host_layout.addWidget(self.host_view)
        self._tiles = QGridLayout()
        own = QHBoxLayout()
        own.addWidget(self.mic_button)
        own.addWidget(self.camera_button)
        own.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(self._tiles, 1)
        layout.addLayout(own)

        self.mic_button.toggled.connect(self._mic)
        self.camera_button.toggled.connect(self._camera)
        self.add_guest_tile()

    @property
    def guest_view(self) -> VideoView:
        """The first guest's video (the only one on a stage of one)."""
        return self.guest_tiles[0].view

    def add_guest_tile(self) -> GuestTile:
        tile = GuestTile(self)
        tile.mute_clicked.connect(self.mute_guest_clicked)
        tile.demote_clicked.connect(self.demote_clicked)
        tile.remove_clicked.connect(self.remove_guest_clicked)
        self.guest_tiles.append(tile)
        self._arrange()
        return tile

    def drop_empty_tiles(self) -> None:
        """Removes the tiles nobody holds, keeping one: the stage never shows a row of blanks."""
        kept = [tile for tile in self.guest_tiles if tile.identity] or self.guest_tiles[:1]
        for tile in self.guest_tiles:
            if tile not in kept:
                self._tiles.removeWidget(tile)
                tile.deleteLater()
        if len(kept) != len(self.guest_tiles):
            self.guest_tiles = kept
            self._arrange()

    def _arrange(self) -> None:
        # Two columns hold the host and up to three guests; a larger stage gets three.
        tiles: list[QWidget] = [self._host_tile, *self.guest_tiles]
        columns = 2 if len(tiles) <= 4 else 3
        for tile in tiles:
            self._tiles.removeWidget(tile)
        for index, tile in enumerate(tiles):
            self._tiles.addWidget(tile, index // columns, index % columns)

    def _mic(self, on: bool) -> None:
        self.mic_button.setText("Microphone on" if on else "Microphone off")
        self.mic_toggled.emit(on)

    def _camera(self, on: bool) -> None:
        self.camera_button.setText("Camera on" if on else "Camera off")
        self.camera_toggled.emit(on)


class HandsPanel(QGroupBox):
    """The raised hands, first raised first, with Invite, Lower hand and Clear question (a
    long question is elided in its row; the row's tooltip has all of it)."""

    invite_clicked = Signal(str)
    lower_clicked = Signal(str)
    clear_question_clicked = Signal(str)

    def __init__(self, model: QAbstractItemModel, parent: QWidget | None = None) -> None:
        super().__init__("Raised hands", parent)
        self.view = list_view(model)
        self.invite_button = QPushButton("Invite to stage")
        self.lower_button = QPushButton("Lower hand")
        self.clear_question_button = QPushButton("Clear question")
        # A long question is cut with "…" at the view's edge (the tooltip has all of it): no
        # sideways scrolling, which would hide the names and times of every other row.
        self.view.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.view.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        buttons = QHBoxLayout()
        buttons.addWidget(self.invite_button)
        buttons.addWidget(self.lower_button)
        buttons.addWidget(self.clear_question_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.view)
        layout.addLayout(buttons)
        self.invite_button.clicked.connect(lambda: self._emit(self.invite_clicked))
        self.lower_button.clicked.connect(lambda: self._emit(self.lower_clicked))
        self.clear_question_button.clicked.connect(lambda: self._emit(self.clear_question_clicked))
        self.view.doubleClicked.connect(lambda _i: self._emit(self.invite_clicked))

    def _emit(self, signal: SignalInstance) -> None:
        identity = _selected_identity(self.view)
        if identity:
            signal.emit(identity)


class AudiencePanel(QGroupBox):
    """Everyone watching, with a search box, Invite, Remove, Block and the list of blocks."""

    invite_clicked = Signal(str)
    remove_clicked = Signal(str)
    block_clicked = Signal(str)
    blocked_clicked = Signal()

    def __init__(self, model: QAbstractItemModel, parent: QWidget | None = None) -> None:
        super().__init__("Audience", parent)
        self.search = QLineEdit()
        self.search.setPlaceholderText("Search viewers")
        self.search.setClearButtonEnabled(True)
        self.view = list_view(model)
        self.invite_button = QPushButton("Invite to stage")
        self.remove_button = QPushButton("Remove…")
        self.block_button = QPushButton("Block…")
        self.blocked_button = QPushButton("Blocked…")
        self.blocked_button.setToolTip("Who is blocked from this show; lift a block")
        buttons = QHBoxLayout()
        buttons.addWidget(self.invite_button)
        buttons.addWidget(self.remove_button)
        buttons.addWidget(self.block_button)
        buttons.addWidget(self.blocked_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.search)
        layout.addWidget(self.view)
        layout.addLayout(buttons)
        self.invite_button.clicked.connect(lambda: self._emit(self.invite_clicked))
        self.remove_button.clicked.connect(lambda: self._emit(self.remove_clicked))
        self.block_button.clicked.connect(lambda: self._emit(self.block_clicked))
        self.blocked_button.clicked.connect(self.blocked_clicked)

    def _emit(self, signal: SignalInstance) -> None:
        identity = _selected_identity(self.view)
        if identity:
            signal.emit(identity)


def _selected_identity(view: QListView) -> str | None:
    index: QModelIndex = view.currentIndex()
    if not index.isValid():
        model = view.model()
        if model is None or model.rowCount() == 0:
            return None
        index = model.index(0, 0)  # nothing chosen: the first row (the longest-waiting hand)
    value = index.data(IDENTITY_ROLE)
    return str(value) if value else None


class Banner(QLabel):
    """A coloured strip for connection trouble and errors; hidden when there is nothing to say."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWordWrap(True)
        self.setTextFormat(Qt.TextFormat.PlainText)
        self.setContentsMargins(10, 6, 10, 6)
        self.hide()

    def show_message(self, text: str, kind: str) -> None:
        colours = {"warning": "#7a5a00", "error": "#8b1e1e", "info": "#1e4f8b"}
        self.setStyleSheet(f"background: {colours.get(kind, '#333')}; color: white;")
        self.setText(text)
        self.show()


class WaitingBar(QFrame):
    """What the window waits for before it can go live, and the Cancel that stops waiting."""

    cancel_clicked = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("waiting")
        self.setStyleSheet(
            "QFrame#waiting { background: #7a5a00; border-radius: 3px; }"
            " QFrame#waiting > QLabel { color: white; }"
        )
        self.label = QLabel()
        self.label.setWordWrap(True)
        self.label.setTextFormat(Qt.TextFormat.PlainText)
        self.cancel_button = QPushButton("Cancel")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(10, 4, 6, 4)
        layout.addWidget(self.label, 1)
        layout.addWidget(self.cancel_button)
        self.cancel_button.clicked.connect(self.cancel_clicked)
        self.hide()

    def show_waiting(self, text: str) -> None:
        self.label.setText(text)
        self.show()
