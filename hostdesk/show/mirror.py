"""The host app's live mirror of its show, built from LiveKit room events.

The window reads only this. It keeps the audience in arrival order and the raised hands in the
order they were raised, and says what changed row by row (napari's evented list, in small), so
Qt models insert and remove single rows instead of resetting.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field, replace

from hostdesk.show.events import Event
from hostdesk.show.participants import Participant
from hostdesk.show.roles import Metadata, Role


@dataclass(frozen=True)
class Member:
    """One participant as the window shows them."""

    identity: str
    name: str
    role: Role | None
    hand_raised_at: int | None = None
    joined_at: int = 0
    mic_muted: bool = True
    has_video: bool = False
    quality: str = "unknown"
    invited_at: int | None = None

    @classmethod
    def of(cls, participant: Participant) -> Member:
        meta = Metadata.decode(participant.metadata, fallback_name=participant.name)  # once
        return cls(
            identity=participant.identity,
            name=meta.display_name or participant.identity,
            role=meta.role,
            hand_raised_at=participant.hand_raised_at if meta.role is Role.VIEWER else None,
            joined_at=participant.joined_at,
        )


@dataclass(frozen=True)
class ChatLine:
    sender_id: str
    sender_name: str
    text: str
    timestamp: int
    own: bool = False


@dataclass
class ShowMirror:
    """Members by identity; `audience` (everyone but the local host) and `hands` are ordered."""

    local_identity: str = ""
    members: dict[str, Member] = field(default_factory=dict)
    audience: list[str] = field(default_factory=list)
    hands: list[str] = field(default_factory=list)
    chat: list[ChatLine] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.member_added: Event[[int, Member]] = Event()  # index in audience
        self.member_changed: Event[[int, Member]] = Event()
        self.member_removed: Event[[int, Member]] = Event()
        self.hand_added: Event[[int, Member]] = Event()  # index in hands
        self.hand_removed: Event[[int, Member]] = Event()
        self.stage_changed: Event[[]] = Event()
        self.chat_added: Event[[ChatLine]] = Event()

    # -- reading ------------------------------------------------------------------------------

    def get(self, identity: str) -> Member | None:
        return self.members.get(identity)

    def role_of(self, identity: str) -> Role | None:
        member = self.members.get(identity)
        return member.role if member else None

    @property
    def guests(self) -> list[Member]:
        return [m for m in self.members.values() if m.role is Role.GUEST]

    @property
    def viewers(self) -> list[Member]:
        return [m for m in self.members.values() if m.role is Role.VIEWER]

    def hand_queue(self) -> list[Member]:
        return [self.members[i] for i in self.hands]

    # -- writing ------------------------------------------------------------------------------

    def clear(self) -> None:
        # Through `remove`, members outside the audience (the local host) included, so that no
        # identity is left in `hands` without its member.
        for identity in list(self.members):
            self.remove(identity)

    def upsert(self, member: Member) -> None:
        """Adds or updates a member from what LiveKit says, keeping the hand queue and stage in
        step. LiveKit knows nothing of invitations: a viewer keeps a pending one."""
        old = self.members.get(member.identity)
        if old is not None and old.invited_at is not None and member.invited_at is None:
            if member.role is Role.VIEWER:
                member = replace(member, invited_at=old.invited_at)
        self._put(old, member)

    def update(self, identity: str, **changes: object) -> Member | None:
        """Changes some fields and keeps the others; `invited_at=None` withdraws an invitation."""
        member = self.members.get(identity)
        if member is None:
            return None
        changed = replace(member, **changes)  # type: ignore[arg-type]
        self._put(member, changed)
        return changed

    def _put(self, old: Member | None, member: Member) -> None:
        self.members[member.identity] = member
        if member.identity != self.local_identity:
            if old is None:
                self.audience.append(member.identity)
                self.member_added.emit(len(self.audience) - 1, member)
            elif old != member:
                self.member_changed.emit(self.audience.index(member.identity), member)
        self._sync_hand(old, member)
        if (old.role if old else None) != member.role and Role.GUEST in (
            member.role,
            old.role if old else None,
        ):
            self.stage_changed.emit()

    def remove(self, identity: str) -> Member | None:
        member = self.members.pop(identity, None)
        if member is None:
            return None
        self._drop_hand(member)
        if identity in self.audience:
            index = self.audience.index(identity)
            del self.audience[index]
            self.member_removed.emit(index, member)
        if member.role is Role.GUEST:
            self.stage_changed.emit()
        return member

    def add_chat(self, line: ChatLine) -> None:
        self.chat.append(line)
        self.chat_added.emit(line)

    # -- the hand queue -----------------------------------------------------------------------

    def _hand_key(self, identity: str) -> tuple[int, str]:
        return (self.members[identity].hand_raised_at or 0, identity)

    def _sync_hand(self, old: Member | None, new: Member) -> None:
        was = old.hand_raised_at if old else None
        if was == new.hand_raised_at and (old is None or old.role == new.role):
            return
        if old is not None:
            self._drop_hand(old)
        if new.hand_raised_at and new.role is Role.VIEWER:
            # O(log n) key look-ups, not a key list rebuilt per raised hand.
            index = bisect.bisect(self.hands, self._hand_key(new.identity), key=self._hand_key)
            self.hands.insert(index, new.identity)
            self.hand_added.emit(index, new)

    def _drop_hand(self, member: Member) -> None:
        if member.identity in self.hands:
            index = self.hands.index(member.identity)
            del self.hands[index]
            self.hand_removed.emit(index, member)
