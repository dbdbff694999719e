"""The window's body: the stage's column beside the side panels.

The program bar (while live) and the backstage row sit over the stage, in the stage's column, so
the side panels (hands, audience, chat) keep the window's full height: with a guest backstage, a
row across the whole width pushed a 1366x768 laptop's window 105 px past its work area, and the
program bar across it left the audience list two rows.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QSplitter, QVBoxLayout, QWidget

#: The columns' first widths: the stage takes what is left when the window is resized.
STAGE_WIDTH, SIDE_WIDTH = 1000, 360


def body(
    over_stage: Sequence[QWidget], stage: QWidget, side_panels: Sequence[QWidget]
) -> QSplitter:
    column = QWidget()
    layout = QVBoxLayout(column)
    layout.setContentsMargins(0, 0, 0, 0)
    for row in over_stage:
        layout.addWidget(row)
    layout.addWidget(stage, 1)
    side = QSplitter(Qt.Orientation.Vertical)
    for panel in side_panels:
        side.addWidget(panel)
    side.setChildrenCollapsible(False)
    main = QSplitter(Qt.Orientation.Horizontal)
    main.addWidget(column)
    main.addWidget(side)
    main.setStretchFactor(0, 1)
    main.setStretchFactor(1, 0)
    main.setSizes([STAGE_WIDTH, SIDE_WIDTH])
    main.setChildrenCollapsible(False)
    return main


def central(rows: Sequence[QWidget], main: QWidget) -> QWidget:
    """The window's rows (the show bar, the viewer link, the messages) over its body, which
    takes the height left."""
    widget = QWidget()
    widget.setObjectName("central")
    layout = QVBoxLayout(widget)
    layout.setContentsMargins(10, 8, 10, 6)
    layout.setSpacing(6)
    for row in rows:
        layout.addWidget(row)
    layout.addWidget(main, 1)
    return widget
