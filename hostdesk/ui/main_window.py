"""The host's window: the stage, the audience, the chat and the show's controls.

It composes the parts: Qt models over the show mirror, the stage's tiles (stage_view), the
host's capture (capture), the attempts at going live (going_live), and hands every action to the
host controller through the bridge. It decides nothing about the show's rules.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from pathlib import Path
from typing import Protocol

from PySide6.QtCore import QRect, QTimer, Signal
from PySide6.QtGui import QCloseEvent, QKeySequence, QShortcut, QShowEvent
from PySide6.QtWidgets import QApplication, QMainWindow

from hostdesk.host import HostControl
from hostdesk.program.studio import Studio
from hostdesk.reach import Audience
from hostdesk.show.connection import ConnectionState
from hostdesk.show.events import Event
from hostdesk.ui.backstage_panel import BackstagePanel
from hostdesk.ui.backstage_view import BackstageFeed, BackstageView
from hostdesk.ui.bridge import Bridge
from hostdesk.ui.capture import CaptureSession, HostCapture
from hostdesk.ui.chat_model import ChatModel
from hostdesk.ui.chat_panel import ChatPanel
from hostdesk.ui.dialogs import GoLiveChoice, GoLiveDialog, SettingsDialog, confirm
from hostdesk.ui.going_live import GoLiveAttempts
from hostdesk.ui.models import AudienceFilter, AudienceModel, HandQueueModel
from hostdesk.ui.moderation_view import ModerationView
from hostdesk.ui.panels import AudiencePanel, Banner, HandsPanel, WaitingBar
from hostdesk.ui.program_feed import ProgramFeed
from hostdesk.ui.program_panel import ProgramBar
from hostdesk.ui.program_picture import ProgramPicture
from hostdesk.ui.program_view import ProgramView
from hostdesk.ui.screen_share import ScreenShareView, ShareSession
from hostdesk.ui.settings import DesktopPrefs, PrefsStore
from hostdesk.ui.show_bar import ShowBar
from hostdesk.ui.stage_clock_view import StageClockView
from hostdesk.ui.stage_panel import StagePanel
from hostdesk.ui.stage_view import StageFeed, StageView
from hostdesk.ui.theme import install as install_theme
from hostdesk.ui.time_up import TimeUpPrompts
from hostdesk.ui.viewer_access import ViewerAccessPanel
from hostdesk.ui.window_body import body, central
from hostdesk.ui.window_geometry import fit_frame_to_screen, place_on_screen

log = logging.getLogger("hostdesk.ui")


class MediaSession(CaptureSession, StageFeed, ShareSession, Protocol):
    """What the window needs of the host's LiveKit session (hostdesk.livekit.session)."""

    state_changed: Event[[ConnectionState, str]]


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
        backstage: BackstageFeed | None = None,
        studio: Studio | None = None,
    ) -> None:
        """`studio`: the program's (app.py makes it and closes it after the window); without
        one the window makes its own and closes it as it closes (`program_control.closing`)."""
        super().__init__()
        app = QApplication.instance()
        if isinstance(app, QApplication):
            install_theme(app)
        self.control = control
        self.session = session
        self.access = access
        self.prefs_store = prefs
        self.bridge = Bridge(self)
        self.setWindowTitle("HostDesk")
        mirror = control.mirror
        self.audience_model = AudienceModel(mirror, self)
        self.audience_filter = AudienceFilter(self)
        self.audience_filter.setSourceModel(self.audience_model)
        self.hands_model = HandQueueModel(mirror, parent=self)
        self.chat_model = ChatModel(mirror, self)
        self.going_live = GoLiveAttempts(self.bridge, self)
        self.studio = studio or Studio(mirror, ProgramPicture, size=prefs.load().program_size)
        self._own_studio = studio is None
        self._build()
        self.stage_view = StageView(self.stage, mirror, session, self._notice)
        self.stage_clock = StageClockView(self.stage, mirror, self.time_up)
        self.backstage_view = BackstageView(
            self.backstage, control, backstage, self.bridge, self._notice
        )
        self.program_feed = feed = ProgramFeed(self.studio, session, control, self.stage, self)
        self.program_control = ProgramView(
            self.program, self.studio, prefs, self.bridge, control, self._notice, self._error,
            feed.sync_speaker,
        )  # fmt: skip
        tap = feed.tap()  # the host's own media reaches the program through it
        self.capture = HostCapture(tap, self.stage.host_view, self._notice, self._host_pcm)
        self.screen_share = ScreenShareView(self.stage, tap, control, self.bridge, self._notice)
        self.moderation = ModerationView(
            self, self.chat, self.chat_model, control, self.bridge, self.ask_block
        )
        self._connect()
        self._shortcuts()
        self._on_state(ConnectionState.OFFLINE, "")
        self._placed: QRect | None = place_on_screen(self)

    # -- layout -------------------------------------------------------------------------------

    def _build(self) -> None:
        self.show_bar = bar = ShowBar()
        self.state_label, self.show_label = bar.state_label, bar.show_label
        self.viewers_label = bar.viewers_label
        self.go_live_button, self.end_button = bar.go_live_button, bar.end_button
        self.viewer_access = ViewerAccessPanel()

        self.banner = Banner()
        self.time_up = TimeUpPrompts()
        self.waiting_bar = WaitingBar()
        self.stage = StagePanel()
        self.backstage = BackstagePanel()
        self.hands = HandsPanel(self.hands_model)
        self.audience = AudiencePanel(self.audience_filter)
        self.chat = ChatPanel(self.chat_model)
        self.program = ProgramBar()
        side = (self.hands, self.audience, self.chat)
        main = body((self.program, self.backstage), self.stage, side)
        # The link gets a row of its own: it is what the host reads out and copies most.
        rows = (bar, self.viewer_access, self.waiting_bar, self.banner)
        self.setCentralWidget(central((*rows, self.time_up), main))
        self.statusBar().showMessage("Ready")

    def _connect(self) -> None:
        c, b, s = self.control, self.bridge, self.stage
        self.viewer_access.copied.connect(lambda: self._notice("Viewer link copied"))
        self.go_live_button.clicked.connect(self.ask_go_live)
        self.end_button.clicked.connect(self.ask_end_show)
        self.show_bar.settings_button.clicked.connect(self.open_settings)
        self.show_bar.streams_button.clicked.connect(self.program_control.edit_destinations)
        self.hands.invite_clicked.connect(lambda i: b.run("Invite", c.invite(i), i))
        self.hands.lower_clicked.connect(lambda i: b.run("Lower hand", c.lower_hand(i), i))
        self.hands.clear_question_clicked.connect(
            lambda i: b.run("Clear question", c.clear_question(i), i)
        )
        self.audience.invite_clicked.connect(lambda i: b.run("Invite", c.invite(i), i))
        self.audience.remove_clicked.connect(self.ask_remove)
        self.audience.block_clicked.connect(self.ask_block)
        self.audience.blocked_clicked.connect(lambda: self.moderation.open_blocks())
        self.audience.search.textChanged.connect(self.audience_filter.setFilterFixedString)
        self.chat.send_clicked.connect(lambda text: b.add("Chat", c.chat(text)))
        s.demote_clicked.connect(self.demote)
        self.time_up.send_back.connect(self.demote)
        s.remove_guest_clicked.connect(lambda i: self.ask_remove(i, guest=True))
        s.mute_guest_clicked.connect(lambda i: b.run("Mute guest", c.mute_guest(i), i))
        s.mic_toggled.connect(self._microphone)
        s.camera_toggled.connect(lambda on: b.run("Camera", self.capture.set_camera(on)))
        b.error.connect(self._error)
        c.notice.connect(self._notice)
        c.failed.connect(self._error)
        self.going_live.waiting.connect(self._on_waiting)
        self.going_live.stopped.connect(self._stopped_waiting)
        self.waiting_bar.cancel_clicked.connect(self.cancel_going_live)
        self.session.state_changed.connect(self._on_state)
        self.audience_model.countChanged.connect(self.show_bar.show_viewers)

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
        self.hands.invite_button.setToolTip("Ctrl+I invites the longest-waiting hand")

    # -- going live ---------------------------------------------------------------------------

    def ask_go_live(self) -> None:
        dialog = GoLiveDialog(self.prefs_store.load(), self, audience=self.access.audience)
        dialog.accepted.connect(lambda: self.go_live(dialog.choice()))
        dialog.open()

    def go_live(self, choice: GoLiveChoice, record: Path | None = None) -> None:
        """Goes live, trying again while the room has another host or LiveKit is out of reach
        (going_live); a later call replaces the attempts of an earlier one. `record`: the
        program is recorded to that file from the moment the show is live (--record)."""
        prefs = self.prefs_store.load()
        self._save_prefs_quietly(replace(prefs, room=choice.room, host_name=choice.host_name))
        self.going_live.start(
            choice.room,
            lambda: self._prepare_show(choice),
            lambda: self._go_live(choice, record),
            self._abandon_show,
        )

    async def _go_live(self, choice: GoLiveChoice, record: Path | None) -> None:
        self.control.to_backstage = self.prefs_store.load().invite_to_backstage
        await self.control.go_live(choice.room, choice.host_name)
        self.program_feed.went_live()
        self.program_control.went_live(record)
        self._apply_stage_time_limit(self.prefs_store.load().stage_time_limit_s)

    def _apply_stage_time_limit(self, seconds: int) -> None:
        if self.control.room:
            self.bridge.run("Stage time limit", self.control.set_stage_time_limit(seconds))

    def cancel_going_live(self) -> None:
        self.going_live.cancel()
        self._notice("Stopped trying to go live")

    async def _prepare_show(self, choice: GoLiveChoice) -> None:
        if choice.audience:
            await self.access.change_audience(Audience(choice.audience))
        # The preview runs while the window waits: the host sees what viewers will see.
        self.capture.start(choice.camera, choice.microphone, choice.host_name)
        self.show_label.setText(choice.room)
        self.viewer_access.show_access(
            self.access.watch_link(choice.room), self.access.access_details()
        )
        self.stage.host_view.set_caption(choice.host_name, self.stage.mic_button.isChecked(), "")
        self.stage.host_tile.setTitle(f"{choice.host_name} (you)")

    async def _abandon_show(self) -> None:
        self.capture.stop()
        self.stage.host_view.set_caption("", False, "")
        self.stage.host_tile.setTitle("You")
        self.show_label.setText("No show")
        self.viewer_access.clear()
        if self.control.room:  # stopped halfway through connecting
            await self.control.leave()

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
        self.capture.stop()
        await self.control.end_show()
        await self.program_control.stop_all()  # the recording finished, the streams stopped
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
        self.control.set_stage_size(prefs.stage_size)
        self.control.to_backstage = prefs.invite_to_backstage
        self._apply_stage_time_limit(prefs.stage_time_limit_s)
        self.program_control.use_size(prefs.program_size)
        self._notice("Settings saved; LiveKit and API changes take effect after a restart")

    # -- the stage ----------------------------------------------------------------------------

    def _host_pcm(self, pcm: bytes) -> None:
        self.stage_view.levels.feed_host(pcm)
        self.backstage_view.talkback(pcm)  # the same capture, a second track backstage

    def _microphone(self, on: bool) -> None:
        self.stage_view.levels.set_host_microphone(on)
        self.backstage_view.set_microphone(on)  # the backstage stops hearing them too
        view = self.stage.host_view
        view.set_caption(view.name, on, view.quality)
        self.bridge.run("Microphone", self.capture.set_microphone(on))

    def invite_next(self) -> None:
        self.bridge.run("Invite", self.control.invite_next())

    def demote_guest(self) -> None:
        """Ctrl+Shift+D: the first guest on stage goes back to the audience."""
        guests = self.stage_view.guests
        if guests:
            self.demote(guests[0])

    def demote(self, identity: str) -> None:
        self.bridge.run("Back to audience", self.control.demote(identity), identity)

    def _name_of(self, identity: str) -> str:
        member = self.control.mirror.get(identity)
        return member.name if member else identity

    def ask_remove(self, identity: str, guest: bool = False) -> None:
        name, c = self._name_of(identity), self.control
        action, remove = ("Remove guest", c.remove_guest) if guest else ("Remove", c.remove)
        text = f"{name} will be disconnected from the show."
        box = confirm(self, f"Remove {name}?", text, "Remove")
        box.accepted.connect(lambda: self.bridge.run(action, remove(identity), identity))
        box.open()

    def ask_block(self, identity: str) -> None:
        name = self._name_of(identity)
        box = confirm(
            self,
            f"Block {name}?",
            f"{name} will be disconnected and cannot come back to this show, from this browser "
            "or with the link they have. You can lift it later.",
            "Block",
        )
        box.accepted.connect(
            lambda: self.bridge.run("Block", self.control.block(identity), identity)
        )
        box.open()

    # -- state and messages -------------------------------------------------------------------

    def _on_state(self, state: ConnectionState, reason: str) -> None:
        self._show_state(state)
        self.program_control.show_state(state)
        if state is ConnectionState.RECONNECTING:
            self.banner.show_message(f"Reconnecting to LiveKit: {reason}", "warning")
        elif state is ConnectionState.DISCONNECTED and not self.going_live.active:
            self.banner.show_message(f"Disconnected: {reason or 'the connection ended'}", "error")
            self.capture.stop()
        else:
            self.banner.hide()

    def _show_state(self, state: ConnectionState) -> None:
        waiting = self.going_live.active and state is not ConnectionState.LIVE
        self.show_bar.show_state(state, waiting)

    def _on_waiting(self, text: str) -> None:
        self.waiting_bar.show_waiting(text)
        self._show_state(self.control.session.state)

    def _stopped_waiting(self) -> None:
        self.waiting_bar.hide()
        self._show_state(self.control.session.state)

    def _notice(self, text: str) -> None:
        self.statusBar().showMessage(text, 10_000)

    def _error(self, text: str) -> None:
        self.statusBar().showMessage(text, 15_000)
        self.banner.show_message(text, "error")
        QTimer.singleShot(10_000, self._hide_error)

    def _hide_error(self) -> None:
        if self.control.session.state is ConnectionState.LIVE:
            self.banner.hide()

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 (Qt's name)
        super().showEvent(event)
        placed, self._placed = self._placed, None
        if placed is not None:  # the window manager's frame is known once shown
            QTimer.singleShot(0, self, lambda: fit_frame_to_screen(self, placed))

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 (Qt's name)
        for model in (self.audience_model, self.hands_model, self.chat_model):
            model.detach()  # the mirror outlives the window
        self.moderation.detach()
        self.backstage_view.detach()
        self.stage_clock.close()
        self.stage_view.close()
        self.going_live.cancel()
        self.capture.stop()
        self.screen_share.close()
        self.program_feed.close()
        self.program_control.close(finish_studio=self._own_studio)
        super().closeEvent(event)
        self.closed.emit()
