"""The program bar, shown while live: Record, the stream destinations each with its switch and
state, the sound mix and a line on how the program runs; and the Sound mix popup. They lay out
and forward; what each click does and what each line says is hostdesk.ui.program_view's.

Object names tests and screenshots find them by: `record_button`, `recording_file`,
`destination_toggle_<i>` and `destination_state_<i>` (i: the destination's place in the
host's list), `destinations_button`, `sound_mix_button`, `program_status`; in the popup
`mix_level_<i>` and `mix_mute_<i>` (i: the person's row, the host first).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QPainter, QPaintEvent, QResizeEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QSlider,
    QVBoxLayout,
    QWidget,
)

from hostdesk.ui.theme import COLOURS

RECORD_TEXT = "● Record"
STOP_TEXT = "■ Stop recording"
#: The widest a destination's name and state get before they are cut (whole in the tooltip).
TOGGLE_WIDTH, STATE_WIDTH = 150, 230
_BAR_STYLE = (
    f"QFrame#program-bar {{ background: {COLOURS['panel']}; border: 1px solid {COLOURS['line']};"
    " border-radius: 8px; }"
)
_RECORDING_STYLE = (
    f"QPushButton {{ background: {COLOURS['live']}; border-color: {COLOURS['live']};"
    " color: #ffffff; font-weight: bold; }"
)
_STATE_COLOURS = {"ok": COLOURS["ok"], "warn": COLOURS["warn"], "error": "#ff8f85", "": ""}


class ElidedLabel(QLabel):
    """A one-line label that gives up room when the window is narrow: its text is cut with an
    ellipsis rather than widening the window past a laptop's screen (the whole text is its
    tooltip)."""

    MIN_WIDTH = 48

    def minimumSizeHint(self) -> QSize:  # noqa: N802 (Qt's name)
        return QSize(
            min(self.MIN_WIDTH, super().minimumSizeHint().width()),
            super().minimumSizeHint().height(),
        )

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 (Qt's name)
        painter = QPainter(self)
        rect = self.contentsRect()
        text = self.fontMetrics().elidedText(self.text(), Qt.TextElideMode.ElideRight, rect.width())
        painter.setPen(self.palette().color(self.foregroundRole()))
        painter.drawText(rect, int(self.alignment()), text)


def _muted(text: str = "", cls: type[QLabel] = QLabel) -> QLabel:
    label = cls(text)
    label.setObjectName("muted")
    label.setTextFormat(Qt.TextFormat.PlainText)
    return label


def _tone(label: QLabel, tone: str) -> None:
    """A label's colour by what it says: "ok", "warn", "error", or "" for the usual."""
    colour = _STATE_COLOURS[tone]
    label.setStyleSheet(f"color: {colour};" if colour else "")


class SwitchStrip(QScrollArea):
    """The destinations' switches in a row that scrolls sideways when there are more than fit,
    rather than widening the window past a laptop's screen."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setWidgetResizable(True)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAsNeeded)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        inner = QWidget()
        self.row = QHBoxLayout(inner)
        self.row.setContentsMargins(0, 0, 0, 0)
        self.row.setSpacing(6)
        self.row.addStretch(1)
        self.setWidget(inner)
        self.inner = inner
        for plain in (self.viewport(), inner):  # the bar's own background shows through
            plain.setAutoFillBackground(False)  # (setWidget has just switched it on)

    def add(self, widget: QWidget) -> None:
        self.row.insertWidget(self.row.count() - 1, widget)  # before the stretch

    def fit(self) -> None:
        """Each switch and state as wide as its text asks (up to its cap): scrolled, not cut."""
        self.inner.setMinimumWidth(self.inner.sizeHint().width())
        self.updateGeometry()

    def sizeHint(self) -> QSize:  # noqa: N802 (Qt's name)
        return QSize(self.inner.sizeHint().width(), self._height())

    def minimumSizeHint(self) -> QSize:  # noqa: N802 (Qt's name)
        return QSize(0, self._height())

    def _height(self) -> int:
        content = self.inner.sizeHint()
        overflowing = content.width() > self.viewport().width()
        bar = self.horizontalScrollBar().sizeHint().height() if overflowing else 0
        return content.height() + bar

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 (Qt's name)
        super().resizeEvent(event)
        if self.height() != self._height():  # the scroll bar comes or goes with the width
            self.setFixedHeight(self._height())


class DestinationSwitch:
    """A destination's switch and its state in the bar."""

    def __init__(self, index: int, label: str) -> None:
        self.toggle = QPushButton(label)
        metrics = self.toggle.fontMetrics()
        self.toggle.setText(metrics.elidedText(label, Qt.TextElideMode.ElideRight, TOGGLE_WIDTH))
        self.toggle.setObjectName(f"destination_toggle_{index}")
        self.toggle.setCheckable(True)
        self.toggle.setProperty("segment", True)
        self.toggle.setToolTip(f"Start or stop streaming to {label}")
        self.state = _muted("stopped", ElidedLabel)
        self.state.setObjectName(f"destination_state_{index}")
        self.state.setMaximumWidth(STATE_WIDTH)


class ProgramBar(QFrame):
    record_clicked = Signal()
    #: (the destination's index, on)
    destination_toggled = Signal(int, bool)
    destinations_clicked = Signal()
    mix_clicked = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("program-bar")
        self.setStyleSheet(_BAR_STYLE)
        self.record_button = QPushButton(RECORD_TEXT)
        self.record_button.setObjectName("record_button")
        self.record_button.setToolTip("Record the program (the stage as viewers see it) to a file")
        self.file_label = _muted("", ElidedLabel)
        self.file_label.setObjectName("recording_file")
        self.stream_label = _muted("Stream:")
        self.switches: list[DestinationSwitch] = []
        self.strip = SwitchStrip()
        self.destinations_button = QPushButton("Destinations…")
        self.destinations_button.setObjectName("destinations_button")
        self.destinations_button.setToolTip("Add, edit or remove where the program is streamed")
        self.mix_button = QPushButton("Sound mix…")
        self.mix_button.setObjectName("sound_mix_button")
        self.mix_button.setToolTip("Each voice's level in the program (not in the room)")
        self.status_label = _muted("", ElidedLabel)
        self.status_label.setObjectName("program_status")
        self.status_label.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)

        # Two rows: the recording and the status line; then the streams and the mix. One row with
        # two destinations' states and the status line was wider than a laptop's window.
        recording, streams = QHBoxLayout(), QHBoxLayout()
        for row in (recording, streams):
            row.setSpacing(8)
        recording.addWidget(self.record_button)
        recording.addWidget(self.file_label, 1)
        recording.addSpacing(12)
        recording.addWidget(self.status_label, 2)
        streams.addWidget(self.stream_label)
        streams.addWidget(self.strip, 1)
        streams.addWidget(self.destinations_button)
        streams.addWidget(self.mix_button)
        rows = QVBoxLayout(self)
        rows.setContentsMargins(8, 4, 8, 4)
        rows.setSpacing(4)
        rows.addLayout(recording)
        rows.addLayout(streams)

        self.record_button.clicked.connect(self.record_clicked)
        self.destinations_button.clicked.connect(self.destinations_clicked)
        self.mix_button.clicked.connect(self.mix_clicked)

    def set_destinations(self, labels: Sequence[str]) -> None:
        """One switch per destination, in the host's order."""
        for switch in self.switches:
            for widget in (switch.toggle, switch.state):
                self.strip.row.removeWidget(widget)
                widget.deleteLater()
        self.switches = []
        for index, label in enumerate(labels):
            switch = DestinationSwitch(index, label)
            switch.toggle.clicked.connect(
                lambda on, index=index: self.destination_toggled.emit(index, on)
            )
            self.strip.add(switch.toggle)
            self.strip.add(switch.state)
            self.switches.append(switch)
        self.strip.fit()
        self.destinations_button.setText("Destinations…" if labels else "Add a destination…")

    def show_recording(self, elapsed: str | None, file_name: str = "") -> None:
        """Recording for `elapsed` ("1:02:03") to `file_name`, or not recording (None)."""
        recording = elapsed is not None
        self.record_button.setText(f"{STOP_TEXT}  {elapsed}" if recording else RECORD_TEXT)
        self.record_button.setStyleSheet(_RECORDING_STYLE if recording else "")
        self.file_label.setText(file_name if recording else "")
        self.file_label.setVisible(recording)

    def show_destination(self, index: int, on: bool, text: str, tone: str, detail: str) -> None:
        switch = self.switches[index]
        switch.toggle.setChecked(on)
        switch.state.setText(text)
        switch.state.setToolTip(detail)
        _tone(switch.state, tone)
        self.strip.fit()

    def show_status(self, text: str, tone: str = "") -> None:
        self.status_label.setText(text)
        self.status_label.setToolTip(text)
        _tone(self.status_label, tone)


class SoundMixDialog(QDialog):
    """Each person on stage's level (0–200 %) and mute in the program's sound alone."""

    level_changed = Signal(str, float)
    mute_changed = Signal(str, bool)

    def __init__(
        self,
        people: Sequence[tuple[str, str]],
        mix_of: Callable[[str], tuple[float, bool]],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Sound mix")
        self.setMinimumWidth(420)
        self.sliders: dict[str, QSlider] = {}
        self.mutes: dict[str, QCheckBox] = {}
        grid = QGridLayout()
        grid.setColumnStretch(1, 1)
        for row, (identity, name) in enumerate(people):
            level, muted = mix_of(identity)
            slider = QSlider(Qt.Orientation.Horizontal)
            slider.setObjectName(f"mix_level_{row}")
            slider.setRange(0, 200)
            slider.setSingleStep(5)
            slider.setPageStep(25)
            slider.setValue(round(level * 100))
            shown = _muted(f"{slider.value()} %")
            shown.setMinimumWidth(shown.fontMetrics().horizontalAdvance("200 %"))
            mute = QCheckBox("Mute")
            mute.setObjectName(f"mix_mute_{row}")
            mute.setChecked(muted)
            name_label = QLabel(name)
            name_label.setTextFormat(Qt.TextFormat.PlainText)
            grid.addWidget(name_label, row, 0)
            grid.addWidget(slider, row, 1)
            grid.addWidget(shown, row, 2)
            grid.addWidget(mute, row, 3)
            slider.valueChanged.connect(
                lambda value, who=identity, shown=shown: self._level(who, value, shown)
            )
            mute.toggled.connect(lambda on, who=identity: self.mute_changed.emit(who, on))
            self.sliders[identity], self.mutes[identity] = slider, mute
        note = _muted("Changes the recording and the streams only; the room hears everyone as is.")
        note.setWordWrap(True)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        if people:
            layout.addLayout(grid)
        else:
            layout.addWidget(_muted("Nobody is on stage."))
        layout.addWidget(note)
        layout.addWidget(buttons)

    def _level(self, identity: str, value: int, shown: QLabel) -> None:
        shown.setText(f"{value} %")
        self.level_changed.emit(identity, value / 100)
