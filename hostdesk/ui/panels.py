"""The window's panels: they lay out and forward clicks; the window decides what happens."""

from __future__ import annotations

from PySide6.QtCore import QAbstractItemModel, QModelIndex, Qt, Signal, SignalInstance
from PySide6.QtWidgets import (
    QFrame,
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
from hostdesk.ui.theme import COLOURS

_BANNER_COLOURS = {
    "warning": ("#3d3120", COLOURS["warn"]),
    "error": ("#3b2323", COLOURS["live"]),
    "info": ("#1c2a44", COLOURS["accent"]),
}


def panel_layout(panel: QWidget) -> QVBoxLayout:
    """A side panel's column, kept tight: the three panels share a laptop screen's height."""
    layout = QVBoxLayout(panel)
    layout.setContentsMargins(6, 4, 6, 6)
    layout.setSpacing(5)
    return layout


def list_view(model: QAbstractItemModel) -> QListView:
    view = QListView()
    view.setModel(model)
    view.setUniformItemSizes(True)  # keeps 10,000 rows cheap to lay out
    view.setAlternatingRowColors(True)
    # Two rows at least: the three side panels must fit above a laptop's taskbar together.
    view.setMinimumHeight(52)
    return view


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
        layout = panel_layout(self)
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
        layout = panel_layout(self)
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
        # The page's notice colours: a dark fill and a border of the kind's colour.
        fill, border = _BANNER_COLOURS.get(kind, _BANNER_COLOURS["info"])
        self.setStyleSheet(
            f"background: {fill}; border: 1px solid {border}; border-radius: 8px;"
            f" color: {COLOURS['text']};"
        )
        self.setText(text)
        self.show()


class WaitingBar(QFrame):
    """What the window waits for before it can go live, and the Cancel that stops waiting."""

    cancel_clicked = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("waiting")
        self.setStyleSheet(
            f"QFrame#waiting {{ background: #3d3120; border: 1px solid {COLOURS['warn']};"
            " border-radius: 8px; }"
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
