"""The chat as a Qt item model over the show mirror's chat lines."""

from __future__ import annotations

from PySide6.QtCore import QAbstractListModel, QByteArray, QModelIndex, QObject

from hostdesk.show.mirror import CHAT_LINES, ChatLine, ShowMirror
from hostdesk.ui.models import (
    DISPLAY,
    IDENTITY_ROLE,
    NAME_ROLE,
    OWN_ROLE,
    TIMESTAMP_ROLE,
    Index,
    role_names,
)

_ROOT = QModelIndex()

__all__ = ["CHAT_LINES", "ChatModel"]


class ChatModel(QAbstractListModel):
    """The chat, one row per line of the mirror's (oldest first, the last `CHAT_LINES`), a line
    the host hides leaving its row.

    The display role is "Name: text" as plain text: a `QListView` draws it verbatim; a label
    showing it must use `Qt.TextFormat.PlainText`, never rich text (viewers write it).
    """

    IdentityRole = IDENTITY_ROLE
    NameRole = NAME_ROLE
    OwnRole = OWN_ROLE
    TimestampRole = TIMESTAMP_ROLE

    def __init__(self, mirror: ShowMirror, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.mirror = mirror
        # The mirror says what changed after it changed; Qt wants to be told before, so the
        # model keeps its own copy of the lines, row for row the mirror's.
        self._lines: list[ChatLine] = list(mirror.chat)
        mirror.chat_added.connect(self._on_added)
        mirror.chat_removed.connect(self._on_removed)

    def detach(self) -> None:
        self.mirror.chat_added.disconnect(self._on_added)
        self.mirror.chat_removed.disconnect(self._on_removed)

    def rowCount(self, parent: Index = _ROOT) -> int:
        return 0 if parent.isValid() else len(self._lines)

    def roleNames(self) -> dict[int, QByteArray]:
        return role_names(
            super().roleNames(),
            {
                IDENTITY_ROLE: b"senderId",
                NAME_ROLE: b"senderName",
                OWN_ROLE: b"own",
                TIMESTAMP_ROLE: b"timestamp",
            },
        )

    def line_at(self, row: int) -> ChatLine | None:
        return self._lines[row] if 0 <= row < len(self._lines) else None

    def data(self, index: Index, role: int = DISPLAY) -> object:
        if not index.isValid() or not 0 <= index.row() < len(self._lines):
            return None
        line = self._lines[index.row()]
        if role == DISPLAY:
            return f"{line.sender_name}: {line.text}"
        if role == IDENTITY_ROLE:
            return line.sender_id
        if role == NAME_ROLE:
            return line.sender_name
        if role == OWN_ROLE:
            return line.own
        if role == TIMESTAMP_ROLE:
            return line.timestamp
        return None

    def _on_removed(self, row: int, _line: ChatLine) -> None:
        self.beginRemoveRows(QModelIndex(), row, row)
        del self._lines[row]
        self.endRemoveRows()

    def _on_added(self, line: ChatLine) -> None:
        row = len(self._lines)
        self.beginInsertRows(QModelIndex(), row, row)
        self._lines.append(line)
        self.endInsertRows()
