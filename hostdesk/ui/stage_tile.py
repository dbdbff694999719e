"""A place on stage: the member's picture and a bar under it with their name and, for a guest,
what the host can do to them (their time on stage is on the picture). It lays out and forwards
clicks."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt, Signal, SignalInstance
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from hostdesk.ui.video_view import VideoView

#: The height of the bar under each picture (the layouts reserve it: hostdesk.show.stage_layout).
BAR_HEIGHT = 36
EMPTY_STAGE = "Nobody on stage — invite a raised hand"
#: A guest's bar narrower than this gets the buttons' short texts; narrower than NAMED, no name.
FULL_BAR_WIDTH = 440
NAMED_BAR_WIDTH = 270


class StageTile(QWidget):
    def __init__(self, placeholder: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.identity = ""
        self.view = VideoView(placeholder)
        self.view.setMinimumSize(48, 27)
        self.bar = QFrame()
        self.bar.setObjectName("tile-bar")
        self.bar.setFixedHeight(BAR_HEIGHT)
        self.name_label = QLabel()
        self.name_label.setObjectName("tile-name")
        self.name_label.setTextFormat(Qt.TextFormat.PlainText)
        self.name_label.setMinimumWidth(0)
        self.bar_layout = QHBoxLayout(self.bar)
        self.bar_layout.setContentsMargins(8, 2, 4, 2)
        self.bar_layout.setSpacing(6)
        self.bar_layout.addWidget(self.name_label, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.view, 1)
        layout.addWidget(self.bar)
        self._title = ""
        self.name_label.installEventFilter(self)

    def title(self) -> str:
        return self._title

    def setTitle(self, text: str) -> None:  # noqa: N802 (as QGroupBox has it)
        self._title = text
        self._show_name()

    def _show_name(self) -> None:
        metrics = self.name_label.fontMetrics()
        width = max(0, self.name_label.width())
        self.name_label.setText(metrics.elidedText(self._title, Qt.TextElideMode.ElideRight, width))
        self.name_label.setToolTip(self._title)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt's name)
        # The name is elided again whenever the bar gives its label a width: a tile of fixed
        # size (backstage) is resized once, before its bar is laid out, and a long name would be
        # cut off with no ellipsis if the tile's own resize were the cue.
        if watched is self.name_label and event.type() == QEvent.Type.Resize:
            self._show_name()
        return super().eventFilter(watched, event)


class HostTile(StageTile):
    """The host's own preview."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Your camera appears here when you go live", parent)
        self.setTitle("You")


class GuestTile(StageTile):
    """A guest's place: their picture, Mute, Back to audience, Remove."""

    mute_clicked = Signal(str)
    demote_clicked = Signal(str)
    remove_clicked = Signal(str)

    #: (full, compact) texts: a narrow tile (the speaker layout's strip) gets the compact ones
    _TEXTS = (("Mute guest", "Mute"), ("Back to audience", "Back"), ("Remove…", "Remove"))

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(EMPTY_STAGE, parent)
        self.mute_button = QPushButton()
        self.demote_button = QPushButton()
        self.remove_button = QPushButton()
        self.mute_button.setToolTip("Turn this guest's microphone off")
        self.demote_button.setToolTip(
            "Send this guest back to the audience (Ctrl+Shift+D: the first guest)"
        )
        self.remove_button.setToolTip("Disconnect this guest from the show")
        self._buttons = (self.mute_button, self.demote_button, self.remove_button)
        signals = (self.mute_clicked, self.demote_clicked, self.remove_clicked)
        for button, signal in zip(self._buttons, signals, strict=True):
            self.bar_layout.addWidget(button)
            button.clicked.connect(lambda _checked=False, signal=signal: self._emit(signal))
        self._compact: bool | None = None
        self._set_compact(False)
        self.set_identity("")

    def _emit(self, signal: SignalInstance) -> None:
        if self.identity:
            signal.emit(self.identity)

    def set_identity(self, identity: str) -> None:
        """Whose place this is ("" while empty); the buttons act on them."""
        self.identity = identity
        for button in self._buttons:
            button.setEnabled(bool(identity))
            button.setVisible(bool(identity))
        if not identity:
            self.view.set_clock("", "")
            self.setTitle("Guest")

    def _set_compact(self, compact: bool) -> None:
        if compact == self._compact:
            return
        self._compact = compact
        for button, texts in zip(self._buttons, self._TEXTS, strict=True):
            button.setText(texts[1] if compact else texts[0])

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 (Qt's name)
        # The full texts where they fit beside the name, the short ones where not, and in the
        # narrowest tiles (the speaker layout's strip) the buttons alone, the name on the picture.
        width = event.size().width()
        self._set_compact(width < FULL_BAR_WIDTH)
        self.name_label.setVisible(width >= NAMED_BAR_WIDTH)
        self.view.set_name_on_picture(width < NAMED_BAR_WIDTH)
        super().resizeEvent(event)


class ShareTile(StageTile):
    """A screen share on stage: the host's own ("Your screen", Stop sharing) or a guest's
    ("<name>'s screen", Stop share). `stop_clicked(identity)`: the identity is the sharer's
    ("" for the host's own)."""

    stop_clicked = Signal(str)

    def __init__(self, identity: str, title: str, parent: QWidget | None = None) -> None:
        super().__init__("Waiting for the shared picture…", parent)
        self.identity = identity
        self.own = not identity
        self.stop_button = QPushButton("Stop sharing" if self.own else "Stop share")
        self.stop_button.setToolTip(
            "Stop sharing your screen" if self.own else "Stop this guest's screen share"
        )
        self.bar_layout.addWidget(self.stop_button)
        self.stop_button.clicked.connect(lambda _checked=False: self.stop_clicked.emit(identity))
        self.setTitle(title)
