"""The host window's dialogs: Settings, Go Live, and the confirmation asked before what cannot be
undone (ending a show, removing someone).

Open them with `open()` and act on `accepted` or `finished`: `exec()` would run a nested event
loop inside the qasync one (see STACK-NOTES). They lay out and forward; what is valid is decided
in hostdesk.ui.settings and hostdesk.show.validation, and what happens next by the caller.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass, replace

from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QSizePolicy,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from hostdesk import netaddr
from hostdesk.reach import Audience
from hostdesk.show.errors import InvalidInput
from hostdesk.show.validation import check_name
from hostdesk.ui.device_picker import DevicePicker
from hostdesk.ui.media.devices import Device, audio_inputs, video_inputs
from hostdesk.ui.settings import (
    PROGRAM_SIZES,
    TEST_PATTERN,
    TONE,
    DesktopPrefs,
    default_recordings_folder,
    prefs_problem,
)
from hostdesk.ui.stage_settings_box import StageSettingsBox

TEST_PATTERN_LABEL = "Test pattern"
TONE_LABEL = "Tone"
RESTART_NOTE = "Changes to LiveKit and the API take effect after a restart."
SECRET_KEPT = "unchanged"
SECRET_NONE = "not set"
#: The page's error colour, readable on the studio's dark panels.
_PROBLEM_STYLE = "color: #ff8f85;"


def problem_label() -> QLabel:
    label = QLabel()
    label.setObjectName("problem")
    label.setWordWrap(True)
    label.setStyleSheet(_PROBLEM_STYLE)
    # room for a line from the start, so the buttons do not jump when a message appears
    label.setMinimumHeight(label.fontMetrics().height())
    return label


def form_layout() -> QFormLayout:
    form = QFormLayout()
    form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
    return form


def _align_labels(forms: Sequence[QFormLayout]) -> None:
    # Forms in separate group boxes size their label columns apart; one width lines them up.
    labels = [
        label
        for form in forms
        for row in range(form.rowCount())
        if (item := form.itemAt(row, QFormLayout.ItemRole.LabelRole)) is not None
        and (label := item.widget()) is not None
    ]
    width = max((label.sizeHint().width() for label in labels), default=0)
    for label in labels:
        label.setMinimumWidth(width)


class SettingsDialog(QDialog):
    """Edits the DesktopPrefs; `prefs()` holds the edited values once accepted."""

    def __init__(
        self,
        prefs: DesktopPrefs,
        parent: QWidget | None = None,
        *,
        cameras: Sequence[Device] | None = None,
        microphones: Sequence[Device] | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Settings")
        self._prefs = prefs
        self._stored_secret = prefs.livekit_api_secret

        self.url_edit = QLineEdit(prefs.livekit_url)
        self.url_edit.setPlaceholderText("empty: start a local server on this computer")
        self.key_edit = QLineEdit(prefs.livekit_api_key)
        self.secret_edit = QLineEdit()
        self.secret_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.clear_secret_button = QPushButton("Clear")
        self.clear_secret_button.setToolTip("Remove the stored API secret")
        self.audience_picker = QComboBox()
        for audience in Audience:
            self.audience_picker.addItem(audience.label, audience.value)
        chosen = prefs.audience or (
            Audience.THIS_COMPUTER.value
            if not prefs.api_host or netaddr.is_loopback(prefs.api_host)
            else Audience.NETWORK.value
        )
        self.audience_picker.setCurrentIndex(max(0, self.audience_picker.findData(chosen)))
        self._implied_audience = "" if prefs.audience else chosen
        self.host_edit = QLineEdit(prefs.api_host)
        self.host_edit.setPlaceholderText("empty: chosen by who can watch")
        self.public_url_edit = QLineEdit(prefs.public_url)
        self.public_url_edit.setPlaceholderText("https://… viewers open (reverse proxy, NAT)")
        self.tls_cert_edit = QLineEdit(prefs.tls_cert)
        self.tls_cert_edit.setPlaceholderText("empty: HostDesk's own certificate")
        self.tls_key_edit = QLineEdit(prefs.tls_key)
        self.port_spin = QSpinBox()
        self.port_spin.setRange(0, 65535)
        self.port_spin.setSpecialValueText("any free port")
        self.port_spin.setValue(prefs.api_port)
        self.port_spin.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
        self.auth_check = QCheckBox("Require credentials (recommended)")
        self.auth_check.setChecked(prefs.auth)
        self.camera_picker = DevicePicker(
            Device(TEST_PATTERN, TEST_PATTERN_LABEL),
            video_inputs() if cameras is None else cameras,
            prefs.camera,
            keep_missing=True,
        )
        self.microphone_picker = DevicePicker(
            Device(TONE, TONE_LABEL),
            audio_inputs() if microphones is None else microphones,
            prefs.microphone,
            keep_missing=True,
        )
        self.stage_box = StageSettingsBox(
            prefs.stage_size, prefs.stage_time_limit_s, prefs.invite_to_backstage
        )
        self.program_size_picker = QComboBox()
        for size in PROGRAM_SIZES:
            self.program_size_picker.addItem(size, size)
        self.program_size_picker.setCurrentIndex(
            max(0, self.program_size_picker.findData(prefs.program_size))
        )
        self.recordings_edit = QLineEdit(prefs.recordings_folder)
        self.recordings_edit.setPlaceholderText(str(default_recordings_folder()))
        self.problem_label = problem_label()
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self._lay_out()
        self._show_secret_state()

        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self.clear_secret_button.clicked.connect(self._clear_secret)
        for edit in (
            self.url_edit,
            self.key_edit,
            self.secret_edit,
            self.host_edit,
            self.public_url_edit,
            self.tls_cert_edit,
            self.tls_key_edit,
        ):
            edit.textChanged.connect(self._revalidate)
        self.audience_picker.currentIndexChanged.connect(self._audience_changed)
        self._revalidate()

    def prefs(self) -> DesktopPrefs:
        """The edited preferences; an empty secret field keeps the stored secret."""
        return replace(
            self._prefs,
            livekit_url=self.url_edit.text().strip(),
            livekit_api_key=self.key_edit.text().strip(),
            livekit_api_secret=self.secret_edit.text().strip() or self._stored_secret,
            api_host=self.host_edit.text().strip(),
            api_port=self.port_spin.value(),
            audience=self._audience(),
            public_url=self.public_url_edit.text().strip(),
            tls_cert=self.tls_cert_edit.text().strip(),
            tls_key=self.tls_key_edit.text().strip(),
            auth=self.auth_check.isChecked(),
            camera=self.camera_picker.device_id(),
            microphone=self.microphone_picker.device_id(),
            stage_size=self.stage_box.stage_size(),
            stage_time_limit_s=self.stage_box.time_limit_s(),
            invite_to_backstage=self.stage_box.to_backstage(),
            program_size=str(self.program_size_picker.currentData()),
            recordings_folder=self.recordings_edit.text().strip(),
        )

    def _lay_out(self) -> None:
        livekit = form_layout()
        livekit.addRow("URL:", self.url_edit)
        livekit.addRow("API key:", self.key_edit)
        secret_row = QHBoxLayout()
        secret_row.addWidget(self.secret_edit, 1)
        secret_row.addWidget(self.clear_secret_button)
        livekit.addRow("API secret:", secret_row)
        livekit_box = QGroupBox("LiveKit server")
        livekit_box.setLayout(livekit)

        api = form_layout()
        api.addRow("Who can watch:", self.audience_picker)
        api.addRow("Address:", self.host_edit)
        api.addRow("Port:", self.port_spin)
        api.addRow("Public URL:", self.public_url_edit)
        api.addRow("TLS certificate:", self.tls_cert_edit)
        api.addRow("TLS key:", self.tls_key_edit)
        api.addRow("", self.auth_check)
        api_box = QGroupBox("Viewers and the host API")
        api_box.setLayout(api)

        media = form_layout()
        media.addRow("Camera:", self.camera_picker)
        media.addRow("Microphone:", self.microphone_picker)
        # The program (recorded and streamed) is made at going live: its settings sit here.
        media.addRow("Program size:", self.program_size_picker)
        media.addRow("Recordings:", self.recordings_edit)
        media_box = QGroupBox("Going live")
        media_box.setLayout(media)
        _align_labels((livekit, api))

        note = QLabel(RESTART_NOTE)
        note.setWordWrap(True)

        layout = QVBoxLayout(self)
        layout.addWidget(livekit_box)
        layout.addWidget(api_box)
        # Side by side: the dialog stays short enough for a laptop's screen.
        row = QHBoxLayout()
        row.addWidget(media_box, 1)
        row.addWidget(self.stage_box, 1)
        layout.addLayout(row)
        layout.addWidget(note)
        layout.addWidget(self.problem_label)
        layout.addWidget(self.buttons)

    def _audience(self) -> str:
        """The picked audience; "" while it is only what the stored address implies."""
        picked = str(self.audience_picker.currentData())
        return "" if picked == self._implied_audience else picked

    def _audience_changed(self) -> None:
        # A loopback address was "this computer only"; any other choice picks its own.
        local = self.audience_picker.currentData() == Audience.THIS_COMPUTER.value
        if not local and netaddr.is_loopback(self.host_edit.text().strip() or "127.0.0.1"):
            self.host_edit.clear()
        self._revalidate()

    def _clear_secret(self) -> None:
        self._stored_secret = ""
        self.secret_edit.clear()
        self._show_secret_state()
        self._revalidate()

    def _show_secret_state(self) -> None:
        stored = bool(self._stored_secret)
        self.secret_edit.setPlaceholderText(SECRET_KEPT if stored else SECRET_NONE)
        self.clear_secret_button.setEnabled(stored)

    def _revalidate(self) -> None:
        problem = prefs_problem(self.prefs())
        self.problem_label.setText(problem or "")
        ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setEnabled(problem is None)


@dataclass(frozen=True)
class GoLiveChoice:
    room: str
    host_name: str
    camera: str
    microphone: str
    #: who can watch this show ("" = as HostDesk serves now)
    audience: str = ""


class GoLiveDialog(QDialog):
    """Names the show and the host and picks the camera and microphone; see `choice()`."""

    def __init__(
        self,
        prefs: DesktopPrefs,
        parent: QWidget | None = None,
        *,
        cameras: Sequence[Device] | None = None,
        microphones: Sequence[Device] | None = None,
        audience: Audience = Audience.THIS_COMPUTER,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Go live")
        self.setMinimumWidth(440)

        self.room_edit = QLineEdit(prefs.room)
        self.room_edit.setPlaceholderText("what viewers see, e.g. Friday Night Live")
        self.name_edit = QLineEdit(prefs.host_name)
        self.name_edit.setPlaceholderText("how guests and viewers see you")
        self.camera_picker = DevicePicker(
            Device(TEST_PATTERN, TEST_PATTERN_LABEL),
            video_inputs() if cameras is None else cameras,
            prefs.camera,
        )
        self.microphone_picker = DevicePicker(
            Device(TONE, TONE_LABEL),
            audio_inputs() if microphones is None else microphones,
            prefs.microphone,
        )
        self.audience_picker = QComboBox()
        for choice in (Audience.THIS_COMPUTER, Audience.NETWORK):
            self.audience_picker.addItem(choice.label, choice.value)
        if audience is Audience.PUBLIC:  # set up in Settings, with its public URL
            self.audience_picker.addItem(audience.label, audience.value)
        self.audience_picker.setCurrentIndex(self.audience_picker.findData(audience.value))
        self._audience_now = audience.value
        self.problem_label = problem_label()
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Go live")

        form = form_layout()
        form.addRow("Show name:", self.room_edit)
        form.addRow("Your name:", self.name_edit)
        form.addRow("Camera:", self.camera_picker)
        form.addRow("Microphone:", self.microphone_picker)
        form.addRow("Who can watch:", self.audience_picker)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addSpacing(layout.spacing())
        layout.addWidget(self.problem_label)
        layout.addWidget(self.buttons)

        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self.room_edit.textChanged.connect(self._revalidate)
        self.name_edit.textChanged.connect(self._revalidate)
        self._revalidate()

    def choice(self) -> GoLiveChoice:
        return GoLiveChoice(
            room=self.room_edit.text().strip(),
            host_name=self.name_edit.text().strip(),
            camera=self.camera_picker.device_id(),
            microphone=self.microphone_picker.device_id(),
            audience=self._audience_change(),
        )

    def _audience_change(self) -> str:
        picked = str(self.audience_picker.currentData())
        return "" if picked == self._audience_now else picked

    def _revalidate(self) -> None:
        choice = self.choice()
        try:
            check_name("Show name", choice.room)
            check_name("Your name", choice.host_name)
        except InvalidInput as exc:
            problem: str | None = exc.message
        else:
            problem = None
        self.problem_label.setText(problem or "")
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(problem is None)


def confirm(parent: QWidget | None, title: str, text: str, ok_text: str) -> QMessageBox:
    """A confirmation that does not block: connect `accepted` (or `finished`), then `open()`.

    Cancel is the default button, so a stray Enter does not end a show or remove someone. The
    box deletes itself once answered.
    """
    box = QMessageBox(
        QMessageBox.Icon.Warning, title, text, QMessageBox.StandardButton.Cancel, parent
    )
    box.addButton(ok_text, QMessageBox.ButtonRole.AcceptRole)
    box.setDefaultButton(QMessageBox.StandardButton.Cancel)
    box.setEscapeButton(QMessageBox.StandardButton.Cancel)
    box.finished.connect(box.deleteLater)
    return box


async def tell_problem(title: str, text: str) -> None:
    """Shows a problem the host must fix (Settings, the command line) and waits until they
    have read it. Without a screen to show it on (the offscreen platform) there is no one to
    read it: it returns at once, and the caller's printed line is the message."""
    if QGuiApplication.platformName() == "offscreen":
        return
    box = QMessageBox(QMessageBox.Icon.Critical, title, text, QMessageBox.StandardButton.Ok)
    read: asyncio.Future[None] = asyncio.get_running_loop().create_future()

    def done(_result: int) -> None:
        if not read.done():
            read.set_result(None)

    box.finished.connect(done)
    box.open()
    try:
        await read
    finally:
        box.deleteLater()
