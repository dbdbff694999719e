"""The host app's live mirror of its show, built from what the host's LiveKit session reports.

The window reads only this. It keeps the audience in arrival order and the raised hands in the
order they were raised, and says what changed row by row (napari's evented list, in small), so
Qt models insert and remove single rows instead of resetting.

One writer: the host's controller applies the session's facts (`apply`) and its own optimistic
changes through the typed methods below, and nothing else writes. A member's role, name and time
on stage change in `seen`, the hand in `seen` and `hand_seen`, the media state in
`set_microphone`, `set_video` and `set_quality`; the room's chat and stage settings in
`set_chat_settings` and `set_stage_settings`. Invitations are not LiveKit's and live apart, in
`hostdesk.show.invitations` (`ShowMirror.invitations`, for readers).
"""

from __future__ import annotations

import bisect
from collections.abc import Collection
from dataclasses import dataclass, field, replace

from hostdesk.show.backstage import is_backstage
from hostdesk.show.chat import ChatSettings, is_chat_muted, message_id
from hostdesk.show.events import Event
from hostdesk.show.invitations import Invitations
from hostdesk.show.participants import Participant
from hostdesk.show.roles import Role
from hostdesk.show.stage_clock import StageSettings


@dataclass(frozen=True)
class Member:
    """One participant as the window shows them: what LiveKit says of them and their tracks."""

    identity: str
    name: str
    role: Role | None
    hand_raised_at: int | None = None
    joined_at: int = 0
    mic_muted: bool = True
    has_video: bool = False
    quality: str = "unknown"
    #: The question the raised hand carries ("" when none).
    question: str = ""
    #: The host muted their chat (a server-written attribute, `hostdesk.show.chat`).
    chat_muted: bool = False
    #: When a guest went on stage (ms since the epoch, the server's clock; None unless a guest:
    #: `hostdesk.show.stage_clock`).
    on_stage_since: int | None = None
    #: The host sent this viewer backstage (the server-written attribute, `show/backstage.py`).
    backstage: bool = False

    @classmethod
    def of(cls, participant: Participant) -> Member:
        meta = participant.meta  # decoded once
        backstage = is_backstage(participant)
        # Someone backstage is not waiting in the queue: the server answers the hand when it
        # sends them there (hostdesk.backstage); a hand raised while there waits until they
        # are sent back.
        queued = None if backstage else participant.queued_hand
        return cls(
            identity=participant.identity,
            name=meta.display_name or participant.identity,
            role=meta.role,
            hand_raised_at=queued,
            question=participant.hand_question if queued else "",
            joined_at=participant.joined_at,
            chat_muted=is_chat_muted(participant.attributes),
            on_stage_since=participant.on_stage_since,
            backstage=backstage,
        )


# -- what the session reports (typed facts) ---------------------------------------------------


@dataclass(frozen=True)
class Entered:
    """The host is in the room (first time or again): these are the others there now."""

    local_identity: str
    participants: tuple[Participant, ...]


@dataclass(frozen=True)
class Seen:
    """A participant arrived (`arrived`), or their metadata or attributes changed."""

    participant: Participant
    arrived: bool = False


@dataclass(frozen=True)
class Left:
    identity: str


@dataclass(frozen=True)
class ChatSettingsChanged:
    """The room's chat settings as the server wrote them in its metadata (on entering too)."""

    settings: ChatSettings


@dataclass(frozen=True)
class StageSettingsChanged:
    """The show's stage settings as the server wrote them in the room's metadata (on entering
    too)."""

    settings: StageSettings


@dataclass(frozen=True)
class MicrophoneChanged:
    identity: str
    muted: bool


@dataclass(frozen=True)
class VideoChanged:
    identity: str
    shown: bool


@dataclass(frozen=True)
class QualityChanged:
    identity: str
    quality: str


Fact = (
    Entered
    | Seen
    | Left
    | MicrophoneChanged
    | VideoChanged
    | QualityChanged
    | ChatSettingsChanged
    | StageSettingsChanged
)


#: How many chat lines the window keeps (the oldest go first).
CHAT_LINES = 500


@dataclass(frozen=True)
class ChatLine:
    sender_id: str
    sender_name: str
    text: str
    timestamp: int
    own: bool = False

    @property
    def message_id(self) -> str:
        """The name the host's moderation gives this line (`hostdesk.show.chat`)."""
        return message_id(self.sender_id, self.timestamp)


@dataclass
class ShowMirror:
    """Members by identity; `audience` (everyone but the local host) and `hands` are ordered."""

    local_identity: str = ""
    members: dict[str, Member] = field(default_factory=dict)
    audience: list[str] = field(default_factory=list)
    hands: list[str] = field(default_factory=list)
    chat: list[ChatLine] = field(default_factory=list)
    invitations: Invitations = field(default_factory=Invitations)
    chat_settings: ChatSettings = field(default_factory=ChatSettings)
    stage_settings: StageSettings = field(default_factory=StageSettings)

    def __post_init__(self) -> None:
        self.member_added: Event[[int, Member]] = Event()  # index in audience
        self.member_changed: Event[[int, Member]] = Event()
        self.member_removed: Event[[int, Member]] = Event()
        self.hand_added: Event[[int, Member]] = Event()  # index in hands
        self.hand_removed: Event[[int, Member]] = Event()
        self.stage_changed: Event[[]] = Event()
        self.chat_added: Event[[ChatLine]] = Event()
        self.chat_removed: Event[[int, ChatLine]] = Event()  # index in chat
        self.chat_settings_changed: Event[[ChatSettings]] = Event()
        self.stage_settings_changed: Event[[StageSettings]] = Event()

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
    def backstage(self) -> list[Member]:
        """Who is backstage, in the order they came to the show."""
        return [m for m in self.members.values() if m.backstage]

    @property
    def viewers(self) -> list[Member]:
        return [m for m in self.members.values() if m.role is Role.VIEWER]

    def hand_queue(self) -> list[Member]:
        return [self.members[i] for i in self.hands]

    # -- writing (the controller only) -----------------------------------------------------

    def apply(self, fact: Fact) -> None:
        """Applies one fact the LiveKit session reported."""
        match fact:
            case Entered(local_identity, participants):
                self.local_identity = local_identity
                self.keep_only({p.identity for p in participants})
                for participant in participants:
                    self.seen(participant)
            case Seen(participant, _):
                self.seen(participant)
            case Left(identity):
                self.left(identity)
            case MicrophoneChanged(identity, muted):
                self.set_microphone(identity, muted)
            case VideoChanged(identity, shown):
                self.set_video(identity, shown)
            case QualityChanged(identity, quality):
                self.set_quality(identity, quality)
            case ChatSettingsChanged(settings):
                self.set_chat_settings(settings)
            case StageSettingsChanged(stage_settings):
                self.set_stage_settings(stage_settings)

    def reset(self, local_identity: str) -> None:
        """Empties the mirror for a new show that the host joins as `local_identity`."""
        # Through `left`, members outside the audience (the local host) included, so that no
        # identity is left in `hands` without its member.
        for identity in list(self.members):
            self.left(identity)
        self.invitations.clear()
        self.local_identity = local_identity
        self.set_chat_settings(ChatSettings())
        self.set_stage_settings(StageSettings())

    def seen(self, participant: Participant) -> Member:
        """Adds or updates a member from what LiveKit says; their media state is kept."""
        member = Member.of(participant)
        old = self.members.get(participant.identity)
        if old is not None:
            member = replace(
                member, mic_muted=old.mic_muted, has_video=old.has_video, quality=old.quality
            )
        self._put(old, member)
        return member

    def left(self, identity: str) -> Member | None:
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

    def keep_only(self, identities: Collection[str]) -> None:
        """Drops the members not in `identities` (gone while the host was away)."""
        for identity in list(self.audience):
            if identity not in identities:
                self.left(identity)

    def hand_seen(self, identity: str, raised_at_ms: int | None) -> None:
        """A viewer's `hand_raise` or `hand_lower` message, shown at once; the server-written
        attribute (the authoritative time) follows through `seen`. Not for someone backstage
        (see `Member.of`)."""
        member = self.members.get(identity)
        if member is not None and member.role is Role.VIEWER and not member.backstage:
            self._put(member, replace(member, hand_raised_at=raised_at_ms))

    def set_microphone(self, identity: str, muted: bool) -> None:
        member = self.members.get(identity)
        if member is not None:
            self._put(member, replace(member, mic_muted=muted))

    def set_video(self, identity: str, shown: bool) -> None:
        member = self.members.get(identity)
        if member is not None:
            self._put(member, replace(member, has_video=shown))

    def set_quality(self, identity: str, quality: str) -> None:
        member = self.members.get(identity)
        if member is not None:
            self._put(member, replace(member, quality=quality))

    def add_chat(self, line: ChatLine) -> None:
        """A line at the end of the chat, the oldest going once there are `CHAT_LINES`."""
        while len(self.chat) >= CHAT_LINES:
            self.chat_removed.emit(0, self.chat.pop(0))
        self.chat.append(line)
        self.chat_added.emit(line)

    def set_chat_settings(self, settings: ChatSettings) -> None:
        """The room's chat settings; a line the host hid leaves the chat (row by row)."""
        if settings == self.chat_settings:
            return
        self.chat_settings = settings
        hidden = set(settings.hidden)
        for index in range(len(self.chat) - 1, -1, -1):
            if self.chat[index].message_id in hidden:
                line = self.chat.pop(index)
                self.chat_removed.emit(index, line)
        self.chat_settings_changed.emit(settings)

    def set_stage_settings(self, settings: StageSettings) -> None:
        """The show's stage settings (the limit on a guest's time on stage)."""
        if settings != self.stage_settings:
            self.stage_settings = settings
            self.stage_settings_changed.emit(settings)

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
