"""Where each stage tile goes: the host and the guests share the stage's area by a layout.

Pure geometry (no Qt), so that a layout is a function a test can call, and one rule for the
window's stage (`hostdesk.ui.stage_panel`) and the program (`hostdesk.show.program_layout`).
Every tile is a picture of `ASPECT` with a bar of `bar` pixels under it (the window's names and
buttons; the program has none); the tile sizes are picked so that the picture keeps its aspect
and the tiles are as large as the area allows.

- `grid`: all tiles the same size, in the number of columns that makes them largest, centred,
  a last short row centred too.
- `focus`: one tile (the active speaker's) large, the others small beside it in a strip, on
  the right or along the bottom, whichever leaves the focused tile larger.
- `stage`: what the stage shows: a screen share large with everyone else in the strip, whatever
  layout is chosen; without one, the chosen layout (the speaker focused, or the grid).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

#: The pictures' shape: the host's camera and most webcams are 16:9.
ASPECT = 16 / 9
GAP = 8
#: The share of the area the small tiles of the focus layout may take.
STRIP_SHARE = 0.24


@dataclass(frozen=True)
class Cell:
    x: int
    y: int
    width: int
    height: int


def _tile_width(columns: int, rows: int, width: float, height: float, bar: int) -> float:
    """The widest picture that `columns` x `rows` tiles of the aspect fit into the area."""
    by_width = (width - GAP * (columns - 1)) / columns
    by_height = ((height - GAP * (rows - 1)) / rows - bar) * ASPECT
    return max(0.0, min(by_width, by_height))


def _cells(
    count: int, columns: int, tile_w: float, x: int, y: int, width: int, height: int, bar: int
) -> list[Cell]:
    rows = math.ceil(count / columns)
    w = int(tile_w)
    h = int(tile_w / ASPECT) + bar
    top = y + (height - (rows * h + GAP * (rows - 1))) // 2
    cells = []
    for row in range(rows):
        in_row = min(columns, count - row * columns)
        left = x + (width - (in_row * w + GAP * (in_row - 1))) // 2
        for column in range(in_row):
            cells.append(Cell(left + column * (w + GAP), top + row * (h + GAP), w, h))
    return cells


def grid(
    count: int, width: int, height: int, *, bar: int = 0, x: int = 0, y: int = 0
) -> list[Cell]:
    """`count` equal tiles, as large as the area (`x`, `y`, `width`, `height`) allows."""
    if count <= 0:
        return []
    columns = max(
        range(1, count + 1),
        key=lambda c: (_tile_width(c, math.ceil(count / c), width, height, bar), -c),
    )
    tile_w = _tile_width(columns, math.ceil(count / columns), width, height, bar)
    return _cells(count, columns, tile_w, x, y, width, height, bar)


def focus(count: int, focused: int, width: int, height: int, *, bar: int = 0) -> list[Cell]:
    """Tile `focused` (an index below `count`) large and the others in a strip, in their order;
    one tile alone, or a focus out of range, is the grid."""
    if count <= 1 or not 0 <= focused < count:
        return grid(count, width, height, bar=bar)
    others = count - 1
    side = int(width * STRIP_SHARE)
    below = int(height * STRIP_SHARE)
    layouts = [
        # the strip on the right: the others in one column
        (
            grid(1, width - side - GAP, height, bar=bar),
            _strip(others, width - side, 0, side, height, bar, vertical=True),
        ),
        # the strip along the bottom: the others in one row
        (
            grid(1, width, height - below - GAP, bar=bar),
            _strip(others, 0, height - below, width, below, bar, vertical=False),
        ),
    ]
    big, small = max(layouts, key=lambda layout: layout[0][0].width)
    cells = list(small)
    cells.insert(focused, big[0])
    return cells


def stage(
    count: int, width: int, height: int, *, bar: int = 0, share: int = -1, speaker: int = -1
) -> list[Cell]:
    """The stage's cells: tile `share` (the newest screen share; -1 for none) large and the
    others beside it; else tile `speaker` large (the speaker layout's focus; -1 for the grid)."""
    large = share if 0 <= share < count else speaker
    return focus(count, large, width, height, bar=bar)


def _strip(
    count: int, x: int, y: int, width: int, height: int, bar: int, *, vertical: bool
) -> list[Cell]:
    columns = 1 if vertical else count
    tile_w = _tile_width(columns, math.ceil(count / columns), width, height, bar)
    return _cells(count, columns, tile_w, x, y, width, height, bar)
