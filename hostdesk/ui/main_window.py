"""The host's window: the stage, the audience, the chat and the show's controls.

It reads the show mirror through Qt models, starts the host's capture, and hands every action
to the host controller through the bridge. It decides nothing about the show's rules.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import replace
from typing import Protocol

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QCloseEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QMainWindow,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from hostdesk.host import HostControl
from hostdesk.reach import Audience
from hostdesk.show.connection import ConnectionState
from hostdesk.show.events import Event
from hostdesk.show.mirror import Member
from hostdesk.show.roles import Role
from hostdesk.ui import media
from hostdesk.ui.bridge import Bridge
from hostdesk.ui.dialogs import GoLiveChoice, GoLiveDialog, SettingsDialog, confirm
from hostdesk.ui.models import AudienceFilter, AudienceModel, ChatModel, HandQueueModel
from hostdesk.ui.panels import AudiencePanel, Banner, ChatPanel, HandsPanel, StagePanel
from hostdesk.ui.settings import TEST_PATTERN, TONE, DesktopPrefs, PrefsStore
from hostdesk.ui.video_view import BGRA, RGBA
from hostdesk.ui.viewer_access import ViewerAccessPanel

log = logging.getLogger("hostdesk.ui")

FrameSink = Callable[[int, int, bytes], None]
PcmSink = Callable[[bytes], None]
_STATE_TEXT = {
    ConnectionState.OFFLINE: "Not live",
    ConnectionState.CONNECTING: "Connecting…",
    ConnectionState.LIVE: "● LIVE",
    ConnectionState.RECONNECTING: "Reconnecting…",
    ConnectionState.DISCONNECTED: "Disconnected",
}


class MediaSession(Protocol):
    """What the window needs of the host's LiveKit session (hostdesk.livekit.session)."""

    state_changed: Event[[ConnectionState, str]]
    guest_frame: Event[[str, int, int, memoryview]]
    guest_audio: Event[[str, bytes]]
    guest_left_stage: Event[[str]]

    def open_media(self, width: int, height: int) -> tuple[FrameSink, PcmSink]: ...
    async def set_track_enabled(self, name: str, enabled: bool) -> None: ...


class ViewerAccess(Protocol):
    """How viewers get in (hostdesk.backend.Backend): who can watch, the link of a show, what
    to tell them, and moving to another audience before going live."""

    @property
    def audience(self) -> Audience: ...
    def watch_link(self, room: str) -> str: ...
    def access_details(self) -> str: ...
    async def change_audience(self, audience: Audience) -> None: ...


class MainWindow(QMainWindow):
    closed = Signal()

    def __init__(
        self,
        control: HostControl,
        session: MediaSession,
        access: ViewerAccess,
        prefs: PrefsStore,
    ) -> None:
        super().__init__()
        self.control = control
        self.session = session
        self.access = access
        self.prefs_store = prefs
        self.bridge = Bridge(self)
        self.setWindowTitle("HostDesk")
        self.resize(1280, 800)
        mirror = control.mirror
        self.audience_model = AudienceModel(mirror, self)
        self.audience_filter = AudienceFilter(self)
        self.audience_filter.setSourceModel(self.audience_model)
        self.hands_model = HandQueueModel(mirror, parent=self)
        self.chat_model = ChatModel(mirror, self)
        self._capture: list[
            media.TestPattern | media.CameraCapture | media.ToneSource | media.MicrophoneCapture
        ] = []
        self._player = media.AudioPlayer(self._audio_problem)
        self._guest_identity: str | None = None
        self._build()
        self._connect(mirror)
        self._shortcuts()
        self._on_state(ConnectionState.OFFLINE, "")

    # -- layout -------------------------------------------------------------------------------

    def _build(self) -> None:
        self.show_label = QLabel("No show")
        self.show_label.setTextFormat(Qt.TextFormat.PlainText)
        self.state_label = QLabel()
        self.state_label.setObjectName("state")
        self.viewer_access = ViewerAccessPanel()
        self.go_live_button = QPushButton("Go live…")
        self.end_button = QPushButton("End show…")
        self.settings_button = QPushButton("Settings…")
        self.viewers_label = QLabel("0 viewers")

        top = QHBoxLayout()
        top.addWidget(self.state_label)
        top.addWidget(self.show_label)
        top.addWidget(self.viewers_label)
        top.addStretch(1)
        top.addWidget(self.go_live_button)
        top.addWidget(self.end_button)
        top.addWidget(self.settings_button)

        self.banner = Banner()
        self.stage = StagePanel()
        self.hands = HandsPanel(self.hands_model)
        self.audience = AudiencePanel(self.audience_filter)
        self.chat = ChatPanel(self.chat_model)
        side = QSplitter(Qt.Orientation.Vertical)
        for panel in (self.hands, self.audience, self.chat):
            side.addWidget(panel)
        main = QSplitter(Qt.Orientation.Horizontal)
        main.addWidget(self.stage)
        main.addWidget(side)
        main.setStretchFactor(0, 3)
        main.setStretchFactor(1, 1)
        main.setSizes([900, 380])

        central = QWidget()
        layout = QVBoxLayout(central)
        layout.addLayout(top)
        # The link gets a row of its own: it is what the host reads out and copies most.
        layout.addWidget(self.viewer_access)
        layout.addWidget(self.banner)
        layout.addWidget(main, 1)
        self.setCentralWidget(central)
        self.statusBar().showMessage("Ready")
        self.setStyleSheet(
            "QLabel#state { font-weight: bold; padding: 2px 8px; border-radius: 4px; }"
        )

    def _connect(self, mirror: object) -> None:
        c, b, s = self.control, self.bridge, self.stage
        self.viewer_access.copied.connect(lambda: self._notice("Viewer link copied"))
        self.go_live_button.clicked.connect(self.ask_go_live)
        self.end_button.clicked.connect(self.ask_end_show)
        self.settings_button.clicked.connect(self.open_settings)
        self.hands.invite_clicked.connect(lambda i: b.run("Invite", c.invite(i), i))
        self.hands.lower_clicked.connect(lambda i: b.run("Lower hand", c.lower_hand(i), i))
        self.audience.invite_clicked.connect(lambda i: b.run("Invite", c.invite(i), i))
        self.audience.remove_clicked.connect(self.ask_remove)
        self.audience.search.textChanged.connect(self.audience_filter.setFilterFixedString)
        self.chat.send_clicked.connect(lambda text: b.add("Chat", c.chat(text)))
        s.demote_clicked.connect(self.demote_guest)
        s.remove_guest_clicked.connect(self.ask_remove_guest)
        s.mute_guest_clicked.connect(self.mute_guest)
        s.mic_toggled.connect(
            lambda on: b.run("Microphone", self.session.set_track_enabled("microphone", on))
        )
        s.camera_toggled.connect(
            lambda on: b.run("Camera", self.session.set_track_enabled("camera", on))
        )
        b.error.connect(self._error)
        c.notice.connect(self._notice)
        c.failed.connect(self._error)
        self.session.state_changed.connect(self._on_state)
        self.session.guest_frame.connect(self._on_guest_frame)
        self.session.guest_audio.connect(self._on_guest_audio)
        self.session.guest_left_stage.connect(self._on_guest_left)
        self.control.mirror.stage_changed.connect(self._on_stage_changed)
        self.control.mirror.member_changed.connect(self._on_member_changed)
        self.audience_model.countChanged.connect(
            lambda n: self.viewers_label.setText(f"{n} viewer" + ("" if n == 1 else "s"))
        )

    def _shortcuts(self) -> None:
        for keys, action in (
            ("Ctrl+I", self.invite_next),
            ("Ctrl+Shift+D", self.demote_guest),
            ("Ctrl+D", self.stage.mic_button.toggle),
            ("Ctrl+E", self.stage.camera_button.toggle),
        ):
            QShortcut(QKeySequence(keys), self, action)
        self.stage.mic_button.setToolTip("Ctrl+D")
        self.stage.camera_button.setToolTip("Ctrl+E")
        self.stage.demote_button.setToolTip("Ctrl+Shift+D")
        self.hands.invite_button.setToolTip("Ctrl+I invites the longest-waiting hand")

    # -- going live ---------------------------------------------------------------------------

    def ask_go_live(self) -> None:
        dialog = GoLiveDialog(self.prefs_store.load(), self, audience=self.access.audience)
        dialog.accepted.connect(lambda: self.go_live(dialog.choice()))
        dialog.open()

    def go_live(self, choice: GoLiveChoice) -> None:
        prefs = self.prefs_store.load()
        self._save_prefs_quietly(replace(prefs, room=choice.room, host_name=choice.host_name))
        self.bridge.run("Go live", self._go_live(choice))

    async def _go_live(self, choice: GoLiveChoice) -> None:
        if choice.audience:
            await self.access.change_audience(Audience(choice.audience))
        push_video, push_audio = self.session.open_media(1280, 720)
        self._start_capture(choice, push_video, push_audio)
        self.show_label.setText(choice.room)
        self.viewer_access.show_access(
            self.access.watch_link(choice.room), self.access.access_details()
        )
        self.stage.host_view.set_caption(choice.host_name, True, "")
        try:
            await self.control.go_live(choice.room, choice.host_name)
        except BaseException:
            self._stop_capture()
            self.show_label.setText("No show")
            self.viewer_access.clear()
            raise
        self._player.start()

    def _start_capture(
        self, choice: GoLiveChoice, push_video: FrameSink, push_audio: PcmSink
    ) -> None:
        preview = self.stage.host_view

        def video(width: int, height: int, rgba: bytes) -> None:
            push_video(width, height, rgba)
            preview.set_frame(width, height, rgba, RGBA)

        camera: media.TestPattern | media.CameraCapture
        if choice.camera == TEST_PATTERN or not media.video_inputs():
            camera = media.TestPattern(video, label=choice.host_name or "HostDesk")
            camera.start()
        else:
            camera = media.CameraCapture(choice.camera or None, video, self._capture_problem)
            if not camera.start():
                camera = media.TestPattern(video, label=choice.host_name or "HostDesk")
                camera.start()
        microphone: media.ToneSource | media.MicrophoneCapture
        if choice.microphone == TONE or not media.audio_inputs():
            microphone = media.ToneSource(push_audio)
            microphone.start()
        else:
            microphone = media.MicrophoneCapture(
                choice.microphone or None, push_audio, self._capture_problem
            )
            if not microphone.start():
                microphone = media.ToneSource(push_audio)
                microphone.start()
        self._capture = [camera, microphone]

    def _stop_capture(self) -> None:
        for source in self._capture:
            source.stop()
        self._capture = []
        self.stage.host_view.clear()

    def ask_end_show(self) -> None:
        if not self.control.room:
            self._notice("No show is live")
            return
        box = confirm(self, "End the show?", "Everyone will be disconnected.", "End show")
        box.accepted.connect(self.end_show)
        box.open()

    def end_show(self) -> None:
        self.bridge.run("End show", self._end_show())

    async def _end_show(self) -> None:
        self._stop_capture()
        self._player.stop()
        await self.control.end_show()
        self.show_label.setText("Show ended")
        self.viewer_access.clear()

    def open_settings(self) -> None:
        dialog = SettingsDialog(self.prefs_store.load(), self)
        dialog.accepted.connect(lambda: self._save_prefs(dialog.prefs()))
        dialog.open()

    def _save_prefs_quietly(self, prefs: DesktopPrefs) -> None:
        try:
            self.prefs_store.save(prefs)
        except OSError as exc:
            log.warning("could not remember the show name: %s", exc)

    def _save_prefs(self, prefs: DesktopPrefs) -> None:
        try:
            self.prefs_store.save(prefs)
        except OSError as exc:
            self._error(f"Settings not saved: {exc}")
            return
        self._notice("Settings saved; LiveKit and API changes take effect after a restart")

    # -- the stage ----------------------------------------------------------------------------

    def invite_next(self) -> None:
        self.bridge.run("Invite", self.control.invite_next())

    def demote_guest(self) -> None:
        if self._guest_identity:
            self.bridge.run(
                "Back to audience", self.control.demote(self._guest_identity), self._guest_identity
            )

    def mute_guest(self) -> None:
        if self._guest_identity:
            self.bridge.run(
                "Mute guest", self.control.mute_guest(self._guest_identity), self._guest_identity
            )

    def ask_remove_guest(self) -> None:
        if self._guest_identity:
            self.ask_remove(self._guest_identity, guest=True)

    def ask_remove(self, identity: str, guest: bool = False) -> None:
        member = self.control.mirror.get(identity)
        name = member.name if member else identity
        box = confirm(
            self, f"Remove {name}?", f"{name} will be disconnected from the show.", "Remove"
        )
        if guest:
            box.accepted.connect(
                lambda: self.bridge.run(
                    "Remove guest", self.control.remove_guest(identity), identity
                )
            )
        else:
            box.accepted.connect(
                lambda: self.bridge.run("Remove", self.control.remove(identity), identity)
            )
        box.open()

    def _on_stage_changed(self) -> None:
        guests = self.control.mirror.guests
        identity = guests[0].identity if guests else None
        if identity != self._guest_identity:
            self._guest_identity = identity
            self.stage.guest_view.clear()
        self.stage.set_guest_present(identity is not None)
        if guests:
            self._caption(guests[0])
        else:
            self.stage.guest_view.set_caption("", False, "")

    def _on_member_changed(self, _index: int, member: Member) -> None:
        if member.identity == self._guest_identity:
            self._caption(member)

    def _caption(self, guest: Member) -> None:
        self.stage.guest_view.set_caption(guest.name, not guest.mic_muted, guest.quality)

    def _on_guest_frame(self, identity: str, width: int, height: int, bgra: memoryview) -> None:
        if identity == self._guest_identity:
            self.stage.guest_view.set_frame(width, height, bgra, BGRA)

    def _on_guest_audio(self, identity: str, pcm: bytes) -> None:
        if identity == self._guest_identity:
            self._player.write(pcm)

    def _on_guest_left(self, identity: str) -> None:
        if (
            identity == self._guest_identity
            or self.control.mirror.role_of(identity) is not Role.GUEST
        ):
            self.stage.guest_view.clear()

    # -- state and messages -------------------------------------------------------------------

    def _on_state(self, state: ConnectionState, reason: str) -> None:
        self.state_label.setText(_STATE_TEXT[state])
        colour = {
            ConnectionState.LIVE: "#c0392b",
            ConnectionState.RECONNECTING: "#b7791f",
            ConnectionState.DISCONNECTED: "#555",
        }.get(state, "#3a3f4b")
        self.state_label.setStyleSheet(f"background: {colour}; color: white;")
        live = state in (ConnectionState.LIVE, ConnectionState.RECONNECTING)
        self.go_live_button.setEnabled(
            state in (ConnectionState.OFFLINE, ConnectionState.DISCONNECTED)
        )
        self.end_button.setEnabled(live)
        if state is ConnectionState.RECONNECTING:
            self.banner.show_message(f"Reconnecting to LiveKit: {reason}", "warning")
        elif state is ConnectionState.DISCONNECTED:
            self.banner.show_message(f"Disconnected: {reason or 'the connection ended'}", "error")
            self._stop_capture()
        else:
            self.banner.hide()

    def _notice(self, text: str) -> None:
        self.statusBar().showMessage(text, 10_000)

    def _error(self, text: str) -> None:
        self.statusBar().showMessage(text, 15_000)
        self.banner.show_message(text, "error")
        QTimer.singleShot(10_000, self._hide_error)

    def _hide_error(self) -> None:
        if self.control.session.state is ConnectionState.LIVE:
            self.banner.hide()

    def _audio_problem(self, text: str) -> None:
        self._notice(text)

    def _capture_problem(self, text: str) -> None:
        self._notice(f"{text}; using the built-in test source instead")

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 (Qt's name)
        for model in (self.audience_model, self.hands_model, self.chat_model):
            model.detach()  # the mirror outlives the window
        self._stop_capture()
        self._player.stop()
        super().closeEvent(event)
        self.closed.emit()
