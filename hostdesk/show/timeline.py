"""A recording's timeline: who was on stage when, the hands, the invitations, the backstage, the
shares; the recording's chapters come from it and it is written beside the file as a sidecar
(JSON and CSV).

Two parts, both pure (clocks injected, no timers):
- `Timeline` is the record: each event has its time since the recording started (seconds, on an
  injected monotonic clock) and its wall time (ms since the epoch). It is told what happened; the
  chapters are a function of its events alone, so a sidecar read back gives the same chapters.
- `TimelineFeed` tells it what the host's mirror (`hostdesk.show.mirror`) reports. The mirror's
  row events carry a member's new state only, so the feed keeps the last state it saw of each
  member and turns each change into the events it means. What the mirror does not know is
  told to the feed by whoever does: an invitation's answer (`HostControl` holds it), a screen
  share starting or ending (the LiveKit session reports it).
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from enum import StrEnum

from hostdesk.show.invitations import Answer
from hostdesk.show.mirror import Member, ShowMirror
from hostdesk.show.program_layout import StageLineup
from hostdesk.show.roles import Role

#: The sidecar's format; a reader refuses a version it does not know.
SIDECAR_VERSION = 1
CSV_HEADER = ("time_s", "wall_ms", "event", "identity", "name", "detail")
#: What a spreadsheet would run as a formula at the start of a cell (names and questions are
#: chosen by viewers): such a cell is written with a leading apostrophe, OWASP's advice.
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


class Kind(StrEnum):
    RECORDING_STARTED = "recording_started"
    RECORDING_STOPPED = "recording_stopped"
    #: A guest went on stage; the detail is the question their hand carried, if any.
    ON_STAGE = "on_stage"
    OFF_STAGE = "off_stage"
    #: The detail is the hand's question ("" when none).
    HAND_RAISED = "hand_raised"
    HAND_LOWERED = "hand_lowered"
    #: The question of a hand still up changed (detail: the new one; "" when the host took it).
    QUESTION_CHANGED = "question_changed"
    INVITATION_SENT = "invitation_sent"
    INVITATION_ACCEPTED = "invitation_accepted"
    INVITATION_DECLINED = "invitation_declined"
    INVITATION_LAPSED = "invitation_lapsed"
    BACKSTAGE_IN = "backstage_in"
    BACKSTAGE_OUT = "backstage_out"
    SHARE_STARTED = "share_started"
    SHARE_STOPPED = "share_stopped"


@dataclass(frozen=True)
class TimelineEvent:
    #: Seconds since the recording started (monotonic).
    at_s: float
    #: Milliseconds since the epoch.
    wall_ms: int
    kind: Kind
    identity: str
    name: str
    detail: str = ""


@dataclass(frozen=True)
class Chapter:
    start_s: float
    title: str


def stage_title(host: str, guests: Iterable[str]) -> str:
    """'Jane Host', 'Jane Host with Ann', 'Jane Host with Ann and Bob', 'Jane Host with Ann,
    Bob and Cy'."""
    names = list(guests)
    if not names:
        return host
    if len(names) == 1:
        return f"{host} with {names[0]}"
    return f"{host} with {', '.join(names[:-1])} and {names[-1]}"


def chapters_of(events: Iterable[TimelineEvent]) -> list[Chapter]:
    """A chapter at the start and at each change of who is on stage, titled by who is on it
    (the host first, then the guests in the order they came on). Changes at the same moment
    make one chapter; a change back to the same stage makes none."""
    host = ""
    on_stage: dict[str, str] = {}
    chapters: list[Chapter] = []
    for event in events:
        match event.kind:
            case Kind.RECORDING_STARTED:
                host = event.name
            case Kind.ON_STAGE:
                on_stage[event.identity] = event.name
            case Kind.OFF_STAGE:
                on_stage.pop(event.identity, None)
            case _:
                continue
        title = stage_title(host, on_stage.values())
        if chapters and chapters[-1].start_s == event.at_s:
            chapters.pop()
        if not chapters or chapters[-1].title != title:
            chapters.append(Chapter(event.at_s, title))
    return chapters


class Timeline:
    """The events of one recording, from `RECORDING_STARTED` (at 0, named after the host) to
    `stop`; events after the stop are not the recording's and are dropped."""

    def __init__(
        self,
        host_identity: str,
        host_name: str,
        clock: Callable[[], float],
        wall_clock_ms: Callable[[], int],
    ) -> None:
        self._clock = clock
        self._wall_clock_ms = wall_clock_ms
        self._start = clock()
        self._events: list[TimelineEvent] = []
        self.stopped = False
        self.host_identity = host_identity
        self.host_name = host_name
        self.record(Kind.RECORDING_STARTED, host_identity, host_name)

    @property
    def events(self) -> tuple[TimelineEvent, ...]:
        return tuple(self._events)

    def record(self, kind: Kind, identity: str, name: str, detail: str = "") -> None:
        if self.stopped:
            return
        at_s = max(0.0, self._clock() - self._start)
        self._events.append(
            TimelineEvent(at_s, self._wall_clock_ms(), kind, identity, name, detail)
        )

    def stop(self) -> None:
        self.record(Kind.RECORDING_STOPPED, self.host_identity, self.host_name)
        self.stopped = True

    def chapters(self) -> list[Chapter]:
        return chapters_of(self._events)

    def to_json(self) -> str:
        """The sidecar: `{"version", "host", "startedAtMs", "events": [...], "chapters":
        [...]}`, times in seconds rounded to the millisecond."""
        document = {
            "version": SIDECAR_VERSION,
            "host": {"identity": self.host_identity, "name": self.host_name},
            "startedAtMs": self._events[0].wall_ms,
            "events": [
                {
                    "timeS": round(e.at_s, 3),
                    "wallMs": e.wall_ms,
                    "event": e.kind.value,
                    "identity": e.identity,
                    "name": e.name,
                    "detail": e.detail,
                }
                for e in self._events
            ],
            "chapters": [
                {"startS": round(c.start_s, 3), "title": c.title} for c in self.chapters()
            ],
        }
        return json.dumps(document, ensure_ascii=False, indent=2)

    def to_csv(self) -> str:
        """One row per event under a header row (`CSV_HEADER`), quoted as RFC 4180 says (a name
        with commas, quotes or line breaks reads back whole through `csv.reader`)."""
        out = io.StringIO(newline="")
        writer = csv.writer(out)
        writer.writerow(CSV_HEADER)
        for e in self._events:
            writer.writerow(
                (
                    f"{e.at_s:.3f}",
                    e.wall_ms,
                    e.kind.value,
                    csv_text(e.identity),
                    csv_text(e.name),
                    csv_text(e.detail),
                )
            )
        return out.getvalue()


def csv_text(text: str) -> str:
    """A text cell that a spreadsheet shows as text, never runs as a formula."""
    return "'" + text if text.startswith(_FORMULA_STARTS) else text


class TimelineFeed:
    """Feeds a `Timeline` from a `ShowMirror` (from `attach` to `detach`); what is true when it
    attaches is recorded at once (guests on stage, backstage, hands, pending invitations). A
    guest goes on stage with the question the program shows (`StageLineup`'s rule)."""

    def __init__(self, timeline: Timeline, mirror: ShowMirror) -> None:
        self.timeline = timeline
        self.mirror = mirror
        self._last: dict[str, Member] = {}
        self._lineup = StageLineup()
        self._deadlines: dict[str, float] = {}

    # -- wiring -------------------------------------------------------------------------------

    def attach(self) -> None:
        for identity in self.mirror.audience:
            self._changed(0, self.mirror.members[identity])
            self._invitation_changed(identity)
        self.mirror.member_added.connect(self._changed)
        self.mirror.member_changed.connect(self._changed)
        self.mirror.member_removed.connect(self._removed)
        self.mirror.invitations.changed.connect(self._invitation_changed)

    def detach(self) -> None:
        self.mirror.member_added.disconnect(self._changed)
        self.mirror.member_changed.disconnect(self._changed)
        self.mirror.member_removed.disconnect(self._removed)
        self.mirror.invitations.changed.disconnect(self._invitation_changed)

    # -- what the mirror does not know --------------------------------------------------------

    def invitation_answered(self, identity: str, answer: Answer) -> None:
        """What `Invitations.answer` returned (a late answer is `NOT_PENDING`: it lapsed)."""
        kind = {
            Answer.ACCEPTED: Kind.INVITATION_ACCEPTED,
            Answer.DECLINED: Kind.INVITATION_DECLINED,
        }.get(answer)
        if kind is not None:
            self.timeline.record(kind, identity, self._name(identity))

    def share_started(self, identity: str) -> None:
        self.timeline.record(Kind.SHARE_STARTED, identity, self._name(identity))

    def share_stopped(self, identity: str) -> None:
        self.timeline.record(Kind.SHARE_STOPPED, identity, self._name(identity))

    # -- the mirror's events ------------------------------------------------------------------

    def _name(self, identity: str) -> str:
        if identity == self.timeline.host_identity:
            return self.timeline.host_name
        member = self.mirror.get(identity) or self._last.get(identity)
        return member.name if member else identity

    def _changed(self, _index: int, member: Member) -> None:
        old = self._last.get(member.identity)
        self._last[member.identity] = member
        self._lineup.update(member)
        record = self.timeline.record
        who = (member.identity, member.name)
        was_up = old is not None and old.hand_raised_at is not None
        up = member.hand_raised_at is not None
        was_guest = old is not None and old.role is Role.GUEST
        guest = member.role is Role.GUEST
        was_back = old is not None and old.backstage
        back = member.backstage

        if was_up and not up:
            record(Kind.HAND_LOWERED, *who)
        elif up and not was_up:
            record(Kind.HAND_RAISED, *who, member.question)
        elif up and old is not None and old.question != member.question:
            record(Kind.QUESTION_CHANGED, *who, member.question)
        if was_back and not back:
            record(Kind.BACKSTAGE_OUT, *who)
        if was_guest and not guest:
            record(Kind.OFF_STAGE, *who)
        elif guest and not was_guest:
            on = self._lineup.guest(member.identity)
            record(Kind.ON_STAGE, *who, on.question if on else "")
        if back and not was_back:
            record(Kind.BACKSTAGE_IN, *who)

    def _removed(self, _index: int, member: Member) -> None:
        old = self._last.pop(member.identity, member)
        self._lineup.remove(member)
        who = (member.identity, old.name)
        if old.hand_raised_at is not None:
            self.timeline.record(Kind.HAND_LOWERED, *who)
        if old.backstage:
            self.timeline.record(Kind.BACKSTAGE_OUT, *who)
        if old.role is Role.GUEST:
            self.timeline.record(Kind.OFF_STAGE, *who)

    def _invitation_changed(self, identity: str) -> None:
        invitation = self.mirror.invitations.pending(identity)
        if invitation is not None:
            if identity not in self._deadlines:
                self._deadlines[identity] = invitation.deadline
                self.timeline.record(Kind.INVITATION_SENT, identity, self._name(identity))
            return
        deadline = self._deadlines.pop(identity, None)
        # Closed: by its answer (told through `invitation_answered`), by the viewer leaving or
        # the show ending, or by the deadline: only the last is the store's to tell.
        if deadline is not None and self.mirror.invitations.clock() >= deadline:
            self.timeline.record(Kind.INVITATION_LAPSED, identity, self._name(identity))
