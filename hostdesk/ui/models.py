"""Qt item models over the show mirror: the audience and the hand queue (the chat is in
`chat_model`), and the roles they share.

The mirror changes its lists first and then says what changed (`member_added(index, member)`
comes after the append). Qt wants the opposite: `beginInsertRows` before the row can be seen by
`rowCount` or `data`. So each model keeps its own copy of its rows (the `Member`s or chat lines
the events carried), kept in step by the events, and changes that copy between `begin...` and
`end...`. Every event becomes a single-row insert, removal or `dataChanged`; a reset happens only
in `reset()`, when a model is attached to a mirror that already holds rows.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from PySide6.QtCore import (
    QAbstractListModel,
    QByteArray,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
    QTimer,
    Signal,
)

from hostdesk.show.mirror import Member, ShowMirror
from hostdesk.show.roles import Role

Index = QModelIndex | QPersistentModelIndex
_ROOT = QModelIndex()

DISPLAY = Qt.ItemDataRole.DisplayRole
TOOLTIP = Qt.ItemDataRole.ToolTipRole
_USER = int(Qt.ItemDataRole.UserRole)
IDENTITY_ROLE = _USER + 1
ROLE_ROLE = _USER + 2
HAND_ROLE = _USER + 3
INVITED_ROLE = _USER + 4
NAME_ROLE = _USER + 5
OWN_ROLE = _USER + 6
TIMESTAMP_ROLE = _USER + 7

#: Plain text, not an emoji: many desktops (and the offscreen platform) have no emoji font.
HAND_MARK = "· hand up"
ON_STAGE = " — on stage"
BACKSTAGE = " — backstage"
INVITED = " — invited"
CHAT_MUTED = " — chat muted"


def wall_clock_ms() -> int:
    return time.time_ns() // 1_000_000


def role_names(base: dict[int, QByteArray], extra: dict[int, bytes]) -> dict[int, QByteArray]:
    return {**base, **{role: QByteArray(name) for role, name in extra.items()}}


def waited(since_ms: int, now_ms: int) -> str:
    """How long since `since_ms`, as m:ss (never negative)."""
    minutes, seconds = divmod(max(0, now_ms - since_ms) // 1000, 60)
    return f"{minutes}:{seconds:02d}"


class _MemberRows(QAbstractListModel):
    """Rows of `Member`s, changed one at a time by the subclasses' event handlers."""

    IdentityRole = IDENTITY_ROLE
    RoleRole = ROLE_ROLE
    HandRole = HAND_ROLE
    InvitedRole = INVITED_ROLE
    NameRole = NAME_ROLE

    _ROLE_NAMES = {
        IDENTITY_ROLE: b"identity",
        ROLE_ROLE: b"role",
        HAND_ROLE: b"handRaisedAt",
        INVITED_ROLE: b"invited",
        NAME_ROLE: b"name",
    }

    def __init__(self, mirror: ShowMirror, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.mirror = mirror
        self._rows: list[Member] = []
        mirror.invitations.changed.connect(self._on_invitation)

    def _stop_following_invitations(self) -> None:
        self.mirror.invitations.changed.disconnect(self._on_invitation)

    def _on_invitation(self, identity: str) -> None:
        row = self._row_of(-1, identity)
        if row is not None:
            index = self.index(row)
            self.dataChanged.emit(index, index, [])

    def rowCount(self, parent: Index = _ROOT) -> int:
        return 0 if parent.isValid() else len(self._rows)

    def roleNames(self) -> dict[int, QByteArray]:
        return role_names(super().roleNames(), self._ROLE_NAMES)

    def identity_at(self, row: int) -> str | None:
        return self._rows[row].identity if 0 <= row < len(self._rows) else None

    def member_at(self, row: int) -> Member | None:
        return self._rows[row] if 0 <= row < len(self._rows) else None

    def data(self, index: Index, role: int = DISPLAY) -> object:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        member = self._rows[index.row()]
        if role == DISPLAY:
            return self._display(index.row(), member)
        if role == IDENTITY_ROLE:
            return member.identity
        if role == NAME_ROLE:
            return member.name
        if role == ROLE_ROLE:
            return member.role.value if member.role else None
        if role == HAND_ROLE:
            return member.hand_raised_at
        if role == INVITED_ROLE:
            return member.identity in self.mirror.invitations
        return None

    def _display(self, row: int, member: Member) -> str:
        raise NotImplementedError

    def _row_of(self, hint: int, identity: str) -> int | None:
        """The row of `identity`: `hint` when the events came in order, else a search."""
        if 0 <= hint < len(self._rows) and self._rows[hint].identity == identity:
            return hint
        return next((i for i, m in enumerate(self._rows) if m.identity == identity), None)

    def _insert(self, row: int, member: Member) -> None:
        row = min(max(row, 0), len(self._rows))
        self.beginInsertRows(QModelIndex(), row, row)
        self._rows.insert(row, member)
        self.endInsertRows()

    def _remove(self, row: int) -> Member:
        self.beginRemoveRows(QModelIndex(), row, row)
        member = self._rows.pop(row)
        self.endRemoveRows()
        return member

    def _replace(self, row: int, member: Member) -> None:
        self._rows[row] = member
        index = self.index(row)
        self.dataChanged.emit(index, index, [])


class AudienceModel(_MemberRows):
    """Everyone in the show but the local host (viewers, the guest, anyone without a role), one
    row each in arrival order.

    `count` is the number of **viewers** only, for the window's "N viewers": the guest and
    participants without a role have a row but are not counted. `countChanged(int)` says when it
    changes.
    """

    countChanged = Signal(int)

    def __init__(self, mirror: ShowMirror, parent: QObject | None = None) -> None:
        super().__init__(mirror, parent)
        self._viewers: set[str] = set()
        mirror.member_added.connect(self._on_added)
        mirror.member_changed.connect(self._on_changed)
        mirror.member_removed.connect(self._on_removed)
        if mirror.audience:
            self.reset()

    @property
    def count(self) -> int:
        """Viewers only (not the guest)."""
        return len(self._viewers)

    def detach(self) -> None:
        """Stops following the mirror (before the model is destroyed)."""
        self._stop_following_invitations()
        self.mirror.member_added.disconnect(self._on_added)
        self.mirror.member_changed.disconnect(self._on_changed)
        self.mirror.member_removed.disconnect(self._on_removed)

    def reset(self) -> None:
        """Reloads every row from the mirror: only for attaching to a mirror already in use."""
        self.beginResetModel()
        self._rows = [self.mirror.members[i] for i in self.mirror.audience]
        self._viewers = {m.identity for m in self._rows if m.role is Role.VIEWER}
        self.endResetModel()
        self.countChanged.emit(self.count)

    def _display(self, row: int, member: Member) -> str:
        text = member.name
        if member.hand_raised_at:
            text += f" {HAND_MARK}"
        if member.role is Role.GUEST:
            text += ON_STAGE
        elif member.backstage:
            text += BACKSTAGE
        elif member.identity in self.mirror.invitations:
            text += INVITED
        if member.chat_muted:
            text += CHAT_MUTED
        return text

    def _count(self, member: Member, present: bool) -> None:
        before = self.count
        if present and member.role is Role.VIEWER:
            self._viewers.add(member.identity)
        else:
            self._viewers.discard(member.identity)
        if self.count != before:
            self.countChanged.emit(self.count)

    def _on_added(self, index: int, member: Member) -> None:
        self._insert(index, member)
        self._count(member, True)

    def _on_changed(self, index: int, member: Member) -> None:
        row = self._row_of(index, member.identity)
        if row is not None:
            self._replace(row, member)
            self._count(member, True)

    def _on_removed(self, index: int, member: Member) -> None:
        row = self._row_of(index, member.identity)
        if row is not None:
            self._remove(row)
            self._count(member, False)


class HandQueueModel(_MemberRows):
    """The raised hands, first raised first: "1. Sam — 2:05" (position, name, time waited),
    then the hand's question if it has one, in quotes; the tooltip holds the whole question
    (a view elides a long row).

    The waiting times are computed against a clock reading taken once a second (`tick`), which
    then announces them with `dataChanged` (display role only): the text of a row changes only
    when a signal says so, and numbers shifted by an insert or removal are announced the same way.
    """

    TICK_MS = 1000

    def __init__(
        self,
        mirror: ShowMirror,
        parent: QObject | None = None,
        *,
        now_ms: Callable[[], int] = wall_clock_ms,
    ) -> None:
        super().__init__(mirror, parent)
        self._now_ms = now_ms
        self._now = now_ms()
        # Each row's shown position, renumbered (with a signal) after the insert or removal
        # that shifts it, so that a row's text never changes unannounced.
        self._numbers: list[int] = []
        self._ids: set[str] = set()
        self._timer = QTimer(self)
        self._timer.setInterval(self.TICK_MS)
        self._timer.timeout.connect(self.tick)
        mirror.hand_added.connect(self._on_added)
        mirror.hand_removed.connect(self._on_removed)
        mirror.member_changed.connect(self._on_changed)
        if mirror.hands:
            self.reset()

    def detach(self) -> None:
        """Stops following the mirror and the clock (before the model is destroyed)."""
        self._timer.stop()
        self._stop_following_invitations()
        self.mirror.hand_added.disconnect(self._on_added)
        self.mirror.hand_removed.disconnect(self._on_removed)
        self.mirror.member_changed.disconnect(self._on_changed)

    def reset(self) -> None:
        """Reloads every row from the mirror: only for attaching to a mirror already in use."""
        self.beginResetModel()
        self._rows = self.mirror.hand_queue()
        self._numbers = list(range(1, len(self._rows) + 1))
        self._ids = {m.identity for m in self._rows}
        self._now = self._now_ms()
        self.endResetModel()
        self._run_timer()

    def tick(self) -> None:
        """Reads the clock and announces the new waiting times."""
        self._now = self._now_ms()
        if self._rows:
            self.dataChanged.emit(self.index(0), self.index(len(self._rows) - 1), [DISPLAY])

    def data(self, index: Index, role: int = DISPLAY) -> object:
        if role == TOOLTIP and index.isValid() and 0 <= index.row() < len(self._rows):
            return self._rows[index.row()].question or None
        return super().data(index, role)

    def _display(self, row: int, member: Member) -> str:
        raised = member.hand_raised_at
        wait = waited(raised, self._now) if raised else "0:00"
        text = f"{self._numbers[row]}. {member.name} — {wait}"
        return f'{text} — "{member.question}"' if member.question else text

    def _run_timer(self) -> None:
        if self._rows and not self._timer.isActive():
            self._timer.start()
        elif not self._rows:
            self._timer.stop()

    def _renumber(self, first: int) -> None:
        last = len(self._rows) - 1
        if first > last:
            return
        self._numbers[first:] = range(first + 1, last + 2)
        self.dataChanged.emit(self.index(first), self.index(last), [DISPLAY])

    def _on_added(self, index: int, member: Member) -> None:
        if member.identity in self._ids:
            return
        if not self._rows:  # the clock was idle; no other row's text can change
            self._now = self._now_ms()
        row = min(max(index, 0), len(self._rows))
        self.beginInsertRows(QModelIndex(), row, row)
        self._rows.insert(row, member)
        self._numbers.insert(row, row + 1)
        self._ids.add(member.identity)
        self.endInsertRows()
        self._renumber(row + 1)
        self._run_timer()

    def _on_removed(self, index: int, member: Member) -> None:
        if member.identity not in self._ids:
            return
        row = self._row_of(index, member.identity)
        if row is None:
            return
        self.beginRemoveRows(QModelIndex(), row, row)
        del self._rows[row]
        del self._numbers[row]
        self._ids.discard(member.identity)
        self.endRemoveRows()
        self._renumber(row)
        self._run_timer()

    def _on_changed(self, _index: int, member: Member) -> None:
        if member.identity not in self._ids:
            return  # not queued; a hand going up is announced next, by `hand_added`
        row = self._row_of(-1, member.identity)
        if row is None:
            return
        queued = self._rows[row]
        if member.role is queued.role and member.hand_raised_at == queued.hand_raised_at:
            self._replace(row, member)
        # Otherwise the hand moved or went: `hand_removed` (and `hand_added`) follow.


class AudienceFilter(QSortFilterProxyModel):
    """The audience rows whose name or identity contains the search text, ignoring case.

    The search box feeds `setFilterFixedString` (or any `setFilter...` of the base class).
    """

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.setFilterCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)

    def identity_at(self, row: int) -> str | None:
        """The identity of the filtered row `row` (what a selection in the view gives)."""
        source = self.mapToSource(self.index(row, 0))
        value = source.data(IDENTITY_ROLE) if source.isValid() else None
        return value if isinstance(value, str) else None

    def filterAcceptsRow(self, source_row: int, source_parent: Index) -> bool:
        pattern = self.filterRegularExpression()
        source = self.sourceModel()
        if not pattern.pattern() or source is None:
            return True
        index = source.index(source_row, 0, source_parent)
        return any(
            pattern.match(str(index.data(role) or "")).hasMatch()
            for role in (NAME_ROLE, IDENTITY_ROLE)
        )
