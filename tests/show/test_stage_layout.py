"""The stage's layouts (hostdesk/show/stage_layout.py): every picture keeps its aspect, the tiles
share the area without overlapping, the speaker layout shows its focus largest, and a screen
share is shown large whatever the layout."""

from __future__ import annotations

import itertools

import pytest

from hostdesk.show.stage_layout import ASPECT, GAP, Cell, focus, grid, stage

BAR = 36


def _picture_aspect(cell: Cell) -> float:
    return cell.width / (cell.height - BAR)


def _inside(cell: Cell, width: int, height: int) -> bool:
    return (
        cell.x >= 0
        and cell.y >= 0
        and cell.x + cell.width <= width
        and (cell.y + cell.height <= height)
    )


def _apart(a: Cell, b: Cell) -> bool:
    return (
        a.x + a.width + GAP <= b.x
        or b.x + b.width + GAP <= a.x
        or a.y + a.height + GAP <= b.y
        or b.y + b.height + GAP <= a.y
    )


@pytest.mark.parametrize("count", range(1, 8))
@pytest.mark.parametrize("size", [(930, 560), (1500, 860), (480, 640)])
def test_grid_tiles_keep_the_aspect_stay_inside_and_never_overlap(
    count: int, size: tuple[int, int]
) -> None:
    width, height = size
    cells = grid(count, width, height, bar=BAR)
    assert len(cells) == count
    assert len({(c.width, c.height) for c in cells}) == 1  # one size for everyone
    for cell in cells:
        assert _picture_aspect(cell) == pytest.approx(ASPECT, abs=0.02)
        assert _inside(cell, width, height)
    for a, b in itertools.combinations(cells, 2):
        assert _apart(a, b)


def test_the_host_and_two_guests_on_a_laptop_take_two_rows_of_large_tiles() -> None:
    # The stage's area at 1366x768: side by side a row of three would be 300 px wide.
    cells = grid(3, 930, 560, bar=BAR)
    assert [c.width for c in cells] == [cells[0].width] * 3
    assert cells[0].width > 420
    assert cells[0].y == cells[1].y < cells[2].y
    # the short last row is centred
    assert cells[2].x + cells[2].width / 2 == pytest.approx(930 / 2, abs=1)


def test_one_tile_fills_the_height_of_a_wide_area_and_is_centred() -> None:
    [cell] = grid(1, 1600, 500, bar=BAR)
    assert 498 <= cell.height <= 500  # the whole height, less rounding
    assert cell.x == (1600 - cell.width) // 2


@pytest.mark.parametrize("focused", [0, 1, 3])
def test_the_focused_tile_is_the_largest_and_the_others_keep_their_order(focused: int) -> None:
    width, height = 1200, 640
    cells = focus(4, focused, width, height, bar=BAR)
    assert len(cells) == 4
    big = cells[focused]
    others = [c for i, c in enumerate(cells) if i != focused]
    assert all(big.width > 2 * c.width for c in others)
    for cell in cells:
        assert _picture_aspect(cell) == pytest.approx(ASPECT, abs=0.03)
        assert _inside(cell, width, height)
    for a, b in itertools.combinations(cells, 2):
        assert _apart(a, b)
    # the strip keeps the stage's order (top to bottom, or left to right)
    assert sorted(others, key=lambda c: (c.y, c.x)) == others


def test_a_tall_area_puts_the_strip_along_the_bottom_a_wide_one_on_the_right() -> None:
    tall = focus(3, 0, 700, 900, bar=BAR)
    assert all(c.y > tall[0].y + tall[0].height for c in tall[1:])
    wide = focus(3, 0, 1400, 600, bar=BAR)
    assert all(c.x > wide[0].x + wide[0].width for c in wide[1:])


def test_a_focus_on_nobody_or_a_stage_of_one_is_the_grid() -> None:
    assert focus(3, -1, 900, 500, bar=BAR) == grid(3, 900, 500, bar=BAR)
    assert focus(1, 0, 900, 500, bar=BAR) == grid(1, 900, 500, bar=BAR)


@pytest.mark.parametrize("speaker", [-1, 0, 2])
def test_a_share_is_large_with_everyone_else_beside_it_whatever_the_layout(speaker: int) -> None:
    # the host, two guests and a share (the last tile): the share large, the speaker or not
    width, height = 1200, 640
    cells = stage(4, width, height, bar=BAR, share=3, speaker=speaker)
    assert cells == focus(4, 3, width, height, bar=BAR)
    assert all(cells[3].width > 2 * c.width for c in cells[:3])


def test_without_a_share_the_stage_is_the_chosen_layout() -> None:
    assert stage(3, 900, 500, bar=BAR) == grid(3, 900, 500, bar=BAR)
    assert stage(3, 900, 500, bar=BAR, speaker=1) == focus(3, 1, 900, 500, bar=BAR)
    # a share index beyond the tiles (a tile already gone) is no share
    assert stage(3, 900, 500, bar=BAR, share=5, speaker=1) == focus(3, 1, 900, 500, bar=BAR)
