"""The host's moderation in the window: the chat panel's Hide, Mute and Block, slow mode, and
the list of blocks (Audience ▸ Blocked…). Out of `MainWindow` like the stage's routing: it
connects the panels to the controller and keeps the panels showing what the mirror says.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QWidget

from hostdesk.host import HostControl
from hostdesk.show.chat import ChatSettings
from hostdesk.show.mirror import Member
from hostdesk.show.roles import Role
from hostdesk.ui.blocks_dialog import BlocksDialog
from hostdesk.ui.bridge import Bridge
from hostdesk.ui.chat_model import ChatModel
from hostdesk.ui.chat_panel import ChatPanel


class ModerationView(QObject):
    def __init__(
        self,
        window: QWidget,
        chat: ChatPanel,
        model: ChatModel,
        control: HostControl,
        bridge: Bridge,
        ask_block: Callable[[str], None],
    ) -> None:
        super().__init__(window)
        self._window, self.chat, self.model = window, chat, model
        self.control, self.bridge = control, bridge
        self.blocks_dialog: BlocksDialog | None = None
        b, c = bridge, control
        chat.line_chosen.connect(self._line_chosen)
        chat.hide_clicked.connect(self._hide)
        chat.mute_clicked.connect(self._mute)
        chat.block_clicked.connect(lambda row: self._with_sender(row, ask_block))
        chat.slow_mode_chosen.connect(lambda s: b.run("Slow mode", c.set_slow_mode(s)))
        b.error.connect(lambda _text: chat.show_slow_mode(c.mirror.chat_settings.slow_mode_s))
        c.mirror.member_changed.connect(self._member_changed)
        c.mirror.chat_settings_changed.connect(self._settings)

    def detach(self) -> None:
        """The mirror outlives the window."""
        self.control.mirror.member_changed.disconnect(self._member_changed)
        self.control.mirror.chat_settings_changed.disconnect(self._settings)

    # -- the chat -----------------------------------------------------------------------------

    def _line_chosen(self, row: int) -> None:
        line = self.model.line_at(row)
        if line is None:
            self.chat.show_line(hideable=False, mute=None, blockable=False)
            return
        sender = self.control.mirror.get(line.sender_id)
        others = sender is not None and sender.role is not Role.HOST and not line.own
        self.chat.show_line(
            hideable=True,
            mute=(not sender.chat_muted) if others and sender is not None else None,
            blockable=others,
        )

    def _member_changed(self, _index: int, _member: Member) -> None:
        self._line_chosen(self.chat.chosen_row())  # a mute the host (or the API) just made

    def _settings(self, settings: ChatSettings) -> None:
        self.chat.show_slow_mode(settings.slow_mode_s)

    def _hide(self, row: int) -> None:
        line = self.model.line_at(row)
        if line is not None:
            self.bridge.run("Hide message", self.control.hide_chat(line), line.message_id)

    def _mute(self, row: int, mute: bool) -> None:
        def act(identity: str) -> None:
            action = "Mute chat" if mute else "Unmute chat"
            self.bridge.run(action, self.control.mute_chat(identity, mute), identity)

        self._with_sender(row, act)

    def _with_sender(self, row: int, act: Callable[[str], None]) -> None:
        line = self.model.line_at(row)
        if line is not None and not line.own:
            act(line.sender_id)

    # -- blocks -------------------------------------------------------------------------------

    def open_blocks(self) -> None:
        if self.blocks_dialog is None:
            self.blocks_dialog = BlocksDialog(self._window)
            self.blocks_dialog.unblock_clicked.connect(self._unblock)
        self.blocks_dialog.show_blocks(self.control.blocks())
        self.blocks_dialog.open()

    def _unblock(self, identity: str) -> None:
        task = self.bridge.run("Unblock", self.control.unblock(identity), identity)
        task.add_done_callback(lambda _t: self._refresh_blocks())

    def _refresh_blocks(self) -> None:
        if self.blocks_dialog is not None:
            self.blocks_dialog.show_blocks(self.control.blocks())
