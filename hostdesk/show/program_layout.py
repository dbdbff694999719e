"""Where each picture goes in the program frame, and the lower thirds drawn over them.

The program is the stage as the window lays it out (`hostdesk.show.stage_layout`: the host and
the guests in a grid, a share large with the cameras beside it, the newest share if several),
without the window's bars: a name is a lower third drawn over the bottom left of its picture.
Only the host, the guests and their shares are in it: a backstage member is a viewer to the
stage's rules; `StageLineup` says who is on from the mirror, and `program` drops a share of
anyone else.

Pure: the renderer draws what it is given. Text is fitted to its box by one rule (`elide`:
whitespace runs made one space, then cut at the end with an ellipsis) measured by the
renderer's own font metrics (`Measure`), or by an estimate that errs wide when none is given.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from hostdesk.show import stage_layout
from hostdesk.show.mirror import Member, ShowMirror
from hostdesk.show.roles import Role
from hostdesk.show.stage_layout import Cell

#: The program's sizes (a setting): 720p and 1080p.
FRAME_SIZES = {"720p": (1280, 720), "1080p": (1920, 1080)}
ELLIPSIS = "…"
#: The name's height against the frame's, capped by the picture's (strip tiles are small).
NAME_OF_FRAME = 0.034
NAME_OF_CELL = 0.11
NAME_MIN_PX = 12
QUESTION_OF_NAME = 0.75
#: The lower third's inner padding and distance from the picture's edges, in name heights.
PADDING_OF_NAME = 0.35
#: The widest a lower third is, against its picture.
WIDTH_OF_CELL = 0.9

#: The width in pixels of a text at a font size in pixels.
Measure = Callable[[str, int], float]


def estimate_width(text: str, font_px: int) -> float:
    """A width no narrower than most sans-serif fonts draw: 0.62 em per character, 1.1 em for
    a wide (East Asian) one. For a renderer without font metrics."""
    wide = sum(1 for c in text if ord(c) >= 0x1100)
    return font_px * (0.62 * (len(text) - wide) + 1.1 * wide)


def elide(text: str, max_width: float, font_px: int, measure: Measure = estimate_width) -> str:
    """`text` on one line (runs of whitespace, line breaks too, made one space), cut at the end
    with an ellipsis to fit `max_width`; "" when not even the ellipsis fits."""
    line = " ".join(text.split())
    if measure(line, font_px) <= max_width:
        return line
    low, high = 0, len(line)  # the longest prefix that fits with the ellipsis: in [low, high)
    while low < high:
        mid = (low + high + 1) // 2
        if measure(line[:mid].rstrip() + ELLIPSIS, font_px) <= max_width:
            low = mid
        else:
            high = mid - 1
    cut = line[:low].rstrip() + ELLIPSIS
    return cut if measure(cut, font_px) <= max_width else ""


@dataclass(frozen=True)
class Person:
    """Someone on stage: the host or a guest, with the question a guest came on with."""

    identity: str
    name: str
    question: str = ""


@dataclass(frozen=True)
class Share:
    """A screen share of someone on stage."""

    identity: str


@dataclass(frozen=True)
class Text:
    """One line to draw: the top left of its line box, and the font's size in pixels."""

    text: str
    x: int
    y: int
    font_px: int


@dataclass(frozen=True)
class LowerThird:
    box: Cell
    name: Text
    question: Text | None


@dataclass(frozen=True)
class Placed:
    """A picture's cell (16:9; the renderer letterboxes a picture of another shape with `fit`)
    and, for a camera, its lower third and the person it names (a renderer showing a picture of
    another shape lays the plate on that picture: `lower_third(person, fit(...), ...)`)."""

    identity: str
    share: bool
    cell: Cell
    lower_third: LowerThird | None
    person: Person | None = None


class StageLineup:
    """Who is on the program: the guests in the order they came on stage, each with the
    question their raised hand carried when they came on ("" when none), kept while they stay.

    Fed with the mirror's members (`attach`, or `update`/`remove` by a caller that already
    listens). A promotion or a trip backstage lowers the hand and its question in the same
    update, so only the member's previous state knows the question: the lineup keeps each
    member's last state. A question is forgotten when the hand goes down any other way or the
    host takes it away: on air, no text rather than a stale one.
    """

    def __init__(self) -> None:
        self._last: dict[str, Member] = {}
        self._questions: dict[str, str] = {}
        self._guests: dict[str, Person] = {}

    def attach(self, mirror: ShowMirror) -> None:
        for identity in mirror.audience:
            self.update(mirror.members[identity])
        mirror.member_added.connect(self._on_changed)
        mirror.member_changed.connect(self._on_changed)
        mirror.member_removed.connect(self._on_removed)

    def detach(self, mirror: ShowMirror) -> None:
        mirror.member_added.disconnect(self._on_changed)
        mirror.member_changed.disconnect(self._on_changed)
        mirror.member_removed.disconnect(self._on_removed)

    def people(self, host: Person) -> list[Person]:
        """The host, then the guests."""
        return [host, *self._guests.values()]

    def guest(self, identity: str) -> Person | None:
        return self._guests.get(identity)

    def update(self, member: Member) -> None:
        old = self._last.get(member.identity)
        self._last[member.identity] = member
        was_up = old is not None and old.hand_raised_at is not None
        up = member.hand_raised_at is not None
        # Only a guest is on stage: someone backstage is a viewer to the stage's rules.
        guest = member.role is Role.GUEST
        if up and member.question:
            self._questions[member.identity] = member.question
        elif up or (was_up and not (guest or member.backstage)):
            self._questions.pop(member.identity, None)
        if old is not None and old.backstage and not member.backstage and not guest:
            self._questions.pop(member.identity, None)  # sent back to the audience
        if guest:
            on = self._guests.get(member.identity)
            question = on.question if on else self._questions.get(member.identity, "")
            self._guests[member.identity] = Person(member.identity, member.name, question)
        elif member.identity in self._guests:
            self._off(member.identity)

    def remove(self, member: Member) -> None:
        self._last.pop(member.identity, None)
        self._off(member.identity)

    def _off(self, identity: str) -> None:
        self._guests.pop(identity, None)
        self._questions.pop(identity, None)

    def _on_changed(self, _index: int, member: Member) -> None:
        self.update(member)

    def _on_removed(self, _index: int, member: Member) -> None:
        self.remove(member)


def program(
    width: int,
    height: int,
    people: Sequence[Person],
    shares: Sequence[Share] = (),
    *,
    speaker: int = -1,
    measure: Measure = estimate_width,
) -> list[Placed]:
    """The cameras of `people` in their order, then the shares (oldest first) of people among
    them (any other is dropped: it is not the stage's); the newest share large, else
    `people[speaker]` large (-1: the grid)."""
    present = {p.identity for p in people}
    shown = [s for s in shares if s.identity in present]
    count = len(people) + len(shown)
    cells = stage_layout.stage(
        count, width, height, share=count - 1 if shown else -1, speaker=speaker
    )
    placed = [
        Placed(p.identity, False, cell, lower_third(p, cell, height, measure), p)
        for p, cell in zip(people, cells[: len(people)], strict=True)
    ]
    placed += [
        Placed(s.identity, True, cell, None)
        for s, cell in zip(shown, cells[len(people) :], strict=True)
    ]
    return placed


def lower_third(person: Person, cell: Cell, frame_height: int, measure: Measure) -> LowerThird:
    """A plate at the bottom left of the picture: the name, and under it a smaller line with
    the question; both elided to the plate's widest."""
    name_px = max(NAME_MIN_PX, round(min(frame_height * NAME_OF_FRAME, cell.height * NAME_OF_CELL)))
    question_px = max(NAME_MIN_PX, round(name_px * QUESTION_OF_NAME))
    pad = max(2, round(name_px * PADDING_OF_NAME))
    max_box = min(round(cell.width * WIDTH_OF_CELL), cell.width - 2 * pad)
    max_text = max_box - 2 * pad
    name = elide(person.name, max_text, name_px, measure)
    question = elide(person.question, max_text, question_px, measure) if person.question else ""
    widest = max(measure(name, name_px), measure(question, question_px) if question else 0.0)
    box_w = min(math.ceil(widest) + 2 * pad, max_box)
    box_h = pad * 2 + name_px + (question_px + pad // 2 if question else 0)
    x = cell.x + pad
    y = cell.y + cell.height - pad - box_h
    box = Cell(x, y, box_w, box_h)
    name_text = Text(name, x + pad, y + pad, name_px)
    question_text = (
        Text(question, x + pad, y + pad + name_px + pad // 2, question_px) if question else None
    )
    return LowerThird(box, name_text, question_text)


def fit(picture_width: int, picture_height: int, cell: Cell) -> Cell:
    """Where a picture of that size goes in its cell: as large as fits, centred, letterboxed,
    never cropped."""
    if picture_width <= 0 or picture_height <= 0:
        return cell
    scale = min(cell.width / picture_width, cell.height / picture_height)
    w = round(picture_width * scale)
    h = round(picture_height * scale)
    return Cell(cell.x + (cell.width - w) // 2, cell.y + (cell.height - h) // 2, w, h)
