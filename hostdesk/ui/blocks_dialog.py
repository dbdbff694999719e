"""Who is blocked from the show, and lifting a block: a dialog that lists and forwards."""

from __future__ import annotations

from datetime import datetime

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from hostdesk.show.blocks import Block

NONE_BLOCKED = "Nobody is blocked from this show."


def block_text(block: Block) -> str:
    when = datetime.fromtimestamp(block.blocked_at_ms / 1000).strftime("%H:%M, %d %b")
    return f"{block.name} ({block.identity}) — blocked {when}"


class BlocksDialog(QDialog):
    """`unblock_clicked(identity)`; the window lifts the block and calls `show_blocks` again."""

    unblock_clicked = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Blocked from this show")
        self.resize(460, 320)
        self.summary = QLabel()
        self.summary.setTextFormat(Qt.TextFormat.PlainText)
        self.summary.setWordWrap(True)
        self.list = QListWidget()
        self.unblock_button = QPushButton("Unblock")
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.addButton(self.unblock_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addWidget(self.list, 1)
        layout.addWidget(buttons)
        self.unblock_button.clicked.connect(self._unblock)
        self.list.currentItemChanged.connect(
            lambda current, _previous: self.unblock_button.setEnabled(current is not None)
        )

    def show_blocks(self, blocks: list[Block]) -> None:
        self.list.clear()
        for block in blocks:
            item = QListWidgetItem(block_text(block))
            item.setData(Qt.ItemDataRole.UserRole, block.identity)
            self.list.addItem(item)
        count = len(blocks)
        self.summary.setText(
            NONE_BLOCKED
            if not count
            else f"{count} blocked: they cannot join again, from their browser or with a link "
            "they kept, until you unblock them."
        )
        self.unblock_button.setEnabled(False)

    def _unblock(self) -> None:
        item = self.list.currentItem()
        if item is not None:
            self.unblock_clicked.emit(str(item.data(Qt.ItemDataRole.UserRole)))
