"""The program's picture (hostdesk/show/program_layout.py): every cell inside the frame and 16:9,
a share large with the cameras beside it, nobody backstage, and a lower third per person on
stage whose text fits its plate (a 60-character name elided)."""

from __future__ import annotations

import itertools

import pytest

from hostdesk.show.backstage import backstage_attributes
from hostdesk.show.mirror import ShowMirror
from hostdesk.show.participants import QUESTION_ATTRIBUTE, Participant, hand_attributes
from hostdesk.show.program_layout import (
    ELLIPSIS,
    FRAME_SIZES,
    Person,
    Placed,
    Share,
    StageLineup,
    elide,
    estimate_width,
    fit,
    program,
)
from hostdesk.show.stage_layout import Cell
from tests.support.people import guest, viewer

HOST = Person("host", "Jane Host")
GUESTS = [Person(f"g{n}", f"Guest {n}", "Why?" if n == 1 else "") for n in range(1, 7)]
SIZES = list(FRAME_SIZES.values())


def asking(identity: str, name: str, question: str) -> Participant:
    """A viewer whose raised hand carries a question."""
    attributes = {**hand_attributes(1_000), QUESTION_ATTRIBUTE: question}
    return Participant(
        identity, name, metadata=viewer(identity, name).metadata, attributes=attributes
    )


def backstage(participant: Participant) -> Participant:
    """The participant as the host's sending backstage writes them: the hand and question down."""
    return Participant(
        participant.identity,
        participant.name,
        metadata=participant.metadata,
        attributes=backstage_attributes(True),
    )


def inside(cell: Cell, width: int, height: int) -> bool:
    return (
        cell.x >= 0
        and cell.y >= 0
        and cell.x + cell.width <= width
        and cell.y + cell.height <= height
    )


def apart(a: Cell, b: Cell) -> bool:
    return (
        a.x + a.width <= b.x
        or b.x + b.width <= a.x
        or a.y + a.height <= b.y
        or b.y + b.height <= a.y
    )


def check_frame(placed: list[Placed], width: int, height: int) -> None:
    for item in placed:
        assert inside(item.cell, width, height)
        assert item.cell.width / item.cell.height == pytest.approx(16 / 9, rel=0.02)
        third = item.lower_third
        if third is not None:
            assert inside(third.box, width, height)
            box = third.box
            cell = item.cell
            assert cell.x <= box.x and box.x + box.width <= cell.x + cell.width
            assert cell.y <= box.y and box.y + box.height <= cell.y + cell.height
            for text in (third.name, third.question):
                if text is not None:
                    assert box.x <= text.x
                    assert text.x + estimate_width(text.text, text.font_px) <= box.x + box.width
                    assert box.y <= text.y and text.y + text.font_px <= box.y + box.height
    for a, b in itertools.combinations(placed, 2):
        assert apart(a.cell, b.cell)


@pytest.mark.parametrize(("width", "height"), SIZES)
@pytest.mark.parametrize("guests", range(7))
def test_the_host_and_guests_fill_a_grid_inside_the_frame(
    width: int, height: int, guests: int
) -> None:
    placed = program(width, height, [HOST, *GUESTS[:guests]])

    assert [p.identity for p in placed] == ["host", *(g.identity for g in GUESTS[:guests])]
    assert len({(p.cell.width, p.cell.height) for p in placed}) == 1, "one size in a grid"
    check_frame(placed, width, height)


def test_a_lone_host_fills_the_frame() -> None:
    (placed,) = program(1920, 1080, [HOST])

    assert placed.cell == Cell(0, 0, 1920, 1080)


@pytest.mark.parametrize(("width", "height"), SIZES)
def test_a_share_is_large_with_the_cameras_beside_it(width: int, height: int) -> None:
    people = [HOST, *GUESTS[:2]]
    placed = program(width, height, people, [Share("g2")])

    share = placed[-1]
    assert share.share and share.identity == "g2" and share.lower_third is None
    cameras = placed[:-1]
    assert all(share.cell.width > 3 * camera.cell.width for camera in cameras)
    assert all(camera.lower_third is not None for camera in cameras)
    check_frame(placed, width, height)


@pytest.mark.parametrize(("width", "height"), SIZES)
def test_a_full_stage_with_a_share_keeps_every_plate_in_its_picture(
    width: int, height: int
) -> None:
    placed = program(width, height, [HOST, *GUESTS], [Share("g3")])

    assert len(placed) == 8
    check_frame(placed, width, height)


def test_the_newest_share_is_large_and_a_share_of_someone_off_stage_is_not_shown() -> None:
    people = [HOST, GUESTS[0]]
    shares = [Share("host"), Share("backstage-ann"), Share("g1")]

    placed = program(1280, 720, people, shares)

    assert [(p.identity, p.share) for p in placed] == [
        ("host", False),
        ("g1", False),
        ("host", True),
        ("g1", True),
    ]
    assert max(placed, key=lambda p: p.cell.width) == placed[-1]


def test_nobody_backstage_and_no_viewer_is_on_the_program() -> None:
    mirror = ShowMirror(local_identity="host")
    lineup = StageLineup()
    mirror.seen(guest("ann", "Ann"))
    lineup.attach(mirror)
    mirror.seen(backstage(asking("bob", "Bob", "Let me in")))
    mirror.seen(asking("cy", "Cy", "Hi?"))
    mirror.seen(guest("dee", "Dee"))

    assert lineup.people(HOST) == [HOST, Person("ann", "Ann"), Person("dee", "Dee")]
    mirror.left("ann")
    assert lineup.people(HOST) == [HOST, Person("dee", "Dee")]


def test_a_guest_keeps_the_question_they_came_on_with_while_they_are_on() -> None:
    mirror = ShowMirror(local_identity="host")
    lineup = StageLineup()
    lineup.attach(mirror)
    mirror.seen(asking("ann", "Ann", "What about latency?"))
    mirror.seen(asking("bob", "Bob", "Can I demo?"))
    mirror.seen(guest("ann", "Ann"))  # the promotion lowers the hand in the same update
    mirror.seen(backstage(viewer("bob", "Bob")))  # so does a trip backstage
    mirror.seen(guest("bob", "Bob"))  # take live

    assert lineup.people(HOST)[1:] == [
        Person("ann", "Ann", "What about latency?"),
        Person("bob", "Bob", "Can I demo?"),
    ]
    mirror.seen(viewer("ann", "Ann"))
    mirror.seen(guest("ann", "Ann"))
    assert lineup.guest("ann") == Person("ann", "Ann"), "a question is for one time on stage"


def test_a_question_the_host_took_or_a_hand_lowered_does_not_go_on_air() -> None:
    mirror = ShowMirror(local_identity="host")
    lineup = StageLineup()
    lineup.attach(mirror)
    mirror.seen(asking("ann", "Ann", "troll words"))
    mirror.seen(viewer("ann", "Ann", hand=1_000))  # the host took the question
    mirror.seen(asking("bob", "Bob", "a fine question"))
    mirror.seen(viewer("bob", "Bob"))  # lowered by Bob
    mirror.seen(asking("cy", "Cy", "backstage question"))
    mirror.seen(backstage(viewer("cy", "Cy")))
    mirror.seen(viewer("cy", "Cy"))  # sent back
    for identity in ("ann", "bob", "cy"):
        mirror.seen(guest(identity, identity.title()))

    assert [p.question for p in lineup.people(HOST)] == ["", "", "", ""]


def test_a_lower_third_names_each_person_and_a_guests_question() -> None:
    host, guest = program(1280, 720, [HOST, GUESTS[0]])

    assert host.lower_third is not None and guest.lower_third is not None
    assert host.lower_third.name.text == "Jane Host"
    assert host.lower_third.question is None
    assert guest.lower_third.name.text == "Guest 1"
    assert guest.lower_third.question is not None
    assert guest.lower_third.question.text == "Why?"
    assert guest.lower_third.question.font_px < guest.lower_third.name.font_px
    assert guest.lower_third.question.y > guest.lower_third.name.y


@pytest.mark.parametrize(("width", "height"), SIZES)
def test_a_60_character_name_is_elided_to_fit_a_small_tile(width: int, height: int) -> None:
    long_name = "Maximiliana Alessandra Konstantinopoulou-Vanderbilt the 3rd"
    long_name += "!" * (60 - len(long_name))
    people = [HOST, Person("g1", long_name, "A question that goes on " * 8)]

    placed = program(width, height, people, [Share("host")])

    check_frame(placed, width, height)
    third = placed[1].lower_third
    assert third is not None and third.question is not None
    assert third.name.text.endswith(ELLIPSIS)
    assert long_name.startswith(third.name.text[:-1])
    assert len(third.name.text) > 10
    assert third.question.text.endswith(ELLIPSIS)


def test_elide_keeps_what_fits_makes_one_line_and_uses_the_renderers_metrics() -> None:
    def mono(text: str, font_px: int) -> float:
        return len(text) * 10.0

    assert elide("Ann", 30, 16, mono) == "Ann"
    assert elide("Ann\nBob\t Cy", 200, 16, mono) == "Ann Bob Cy"
    assert elide("Annabelle", 50, 16, mono) == "Anna" + ELLIPSIS
    assert elide("Ann Bob", 50, 16, mono) == "Ann" + ELLIPSIS, "no space before the ellipsis"
    assert elide("Annabelle", 5, 16, mono) == ""


def test_a_picture_of_another_shape_is_letterboxed_in_its_cell() -> None:
    cell = Cell(100, 50, 640, 360)

    assert fit(1280, 720, cell) == cell
    assert fit(720, 1280, cell) == Cell(319, 50, 202, 360)  # a phone held upright
    assert fit(1920, 1200, cell) == Cell(132, 50, 576, 360)  # a 16:10 screen
