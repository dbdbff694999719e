"""The window's panels: they lay out and forward clicks; the window decides what happens."""

from __future__ import annotations

from PySide6.QtCore import QAbstractItemModel, QModelIndex, Qt, Signal, SignalInstance
from PySide6.QtWidgets import (
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListView,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from hostdesk.show import rules
from hostdesk.ui.models import IDENTITY_ROLE
from hostdesk.ui.video_view import VideoView


def _list(model: QAbstractItemModel) -> QListView:
    view = QListView()
    view.setModel(model)
    view.setUniformItemSizes(True)  # keeps 10,000 rows cheap to lay out
    view.setAlternatingRowColors(True)
    return view


class StagePanel(QWidget):
    """The host's preview, the guest's tile and the stage controls."""

    mic_toggled = Signal(bool)
    camera_toggled = Signal(bool)
    demote_clicked = Signal()
    remove_guest_clicked = Signal()
    mute_guest_clicked = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.host_view = VideoView("Your camera appears here when you go live")
        self.guest_view = VideoView("Nobody on stage — invite a raised hand")
        self.mic_button = QPushButton("Microphone on")
        self.camera_button = QPushButton("Camera on")
        for button in (self.mic_button, self.camera_button):
            button.setCheckable(True)
            button.setChecked(True)
        self.mute_guest_button = QPushButton("Mute guest")
        self.demote_button = QPushButton("Back to audience")
        self.remove_guest_button = QPushButton("Remove guest")

        tiles = QHBoxLayout()
        tiles.addWidget(self._tile("You", self.host_view))
        tiles.addWidget(self._tile("Guest", self.guest_view))
        own = QHBoxLayout()
        own.addWidget(self.mic_button)
        own.addWidget(self.camera_button)
        own.addStretch(1)
        own.addWidget(self.mute_guest_button)
        own.addWidget(self.demote_button)
        own.addWidget(self.remove_guest_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(tiles, 1)
        layout.addLayout(own)

        self.mic_button.toggled.connect(self._mic)
        self.camera_button.toggled.connect(self._camera)
        self.demote_button.clicked.connect(self.demote_clicked)
        self.remove_guest_button.clicked.connect(self.remove_guest_clicked)
        self.mute_guest_button.clicked.connect(self.mute_guest_clicked)
        self.set_guest_present(False)

    def _tile(self, title: str, view: VideoView) -> QGroupBox:
        box = QGroupBox(title)
        layout = QVBoxLayout(box)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(view)
        return box

    def _mic(self, on: bool) -> None:
        self.mic_button.setText("Microphone on" if on else "Microphone off")
        self.mic_toggled.emit(on)

    def _camera(self, on: bool) -> None:
        self.camera_button.setText("Camera on" if on else "Camera off")
        self.camera_toggled.emit(on)

    def set_guest_present(self, present: bool) -> None:
        for button in (self.mute_guest_button, self.demote_button, self.remove_guest_button):
            button.setEnabled(present)


class HandsPanel(QGroupBox):
    """The raised hands, first raised first, with Invite and Lower hand."""

    invite_clicked = Signal(str)
    lower_clicked = Signal(str)

    def __init__(self, model: QAbstractItemModel, parent: QWidget | None = None) -> None:
        super().__init__("Raised hands", parent)
        self.view = _list(model)
        self.invite_button = QPushButton("Invite to stage")
        self.lower_button = QPushButton("Lower hand")
        buttons = QHBoxLayout()
        buttons.addWidget(self.invite_button)
        buttons.addWidget(self.lower_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.view)
        layout.addLayout(buttons)
        self.invite_button.clicked.connect(lambda: self._emit(self.invite_clicked))
        self.lower_button.clicked.connect(lambda: self._emit(self.lower_clicked))
        self.view.doubleClicked.connect(lambda _i: self._emit(self.invite_clicked))

    def _emit(self, signal: SignalInstance) -> None:
        identity = _selected_identity(self.view)
        if identity:
            signal.emit(identity)


class AudiencePanel(QGroupBox):
    """Everyone watching, with a search box, Invite and Remove."""

    invite_clicked = Signal(str)
    remove_clicked = Signal(str)

    def __init__(self, model: QAbstractItemModel, parent: QWidget | None = None) -> None:
        super().__init__("Audience", parent)
        self.search = QLineEdit()
        self.search.setPlaceholderText("Search viewers")
        self.search.setClearButtonEnabled(True)
        self.view = _list(model)
        self.invite_button = QPushButton("Invite to stage")
        self.remove_button = QPushButton("Remove…")
        buttons = QHBoxLayout()
        buttons.addWidget(self.invite_button)
        buttons.addWidget(self.remove_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.search)
        layout.addWidget(self.view)
        layout.addLayout(buttons)
        self.invite_button.clicked.connect(lambda: self._emit(self.invite_clicked))
        self.remove_button.clicked.connect(lambda: self._emit(self.remove_clicked))

    def _emit(self, signal: SignalInstance) -> None:
        identity = _selected_identity(self.view)
        if identity:
            signal.emit(identity)


class ChatPanel(QGroupBox):
    send_clicked = Signal(str)

    def __init__(self, model: QAbstractItemModel, parent: QWidget | None = None) -> None:
        super().__init__("Chat", parent)
        self.view = _list(model)
        self.view.setWordWrap(True)
        self.view.setUniformItemSizes(False)
        self.input = QLineEdit()
        self.input.setPlaceholderText("Say something to everyone")
        self.input.setMaxLength(rules.CHAT_MAX_LENGTH)
        self.send_button = QPushButton("Send")
        row = QHBoxLayout()
        row.addWidget(self.input, 1)
        row.addWidget(self.send_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.view)
        layout.addLayout(row)
        self.send_button.clicked.connect(self._send)
        self.input.returnPressed.connect(self._send)
        model.rowsInserted.connect(lambda *_: self.view.scrollToBottom())

    def _send(self) -> None:
        text = self.input.text().strip()
        if text:
            self.send_clicked.emit(text)
            self.input.clear()


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
