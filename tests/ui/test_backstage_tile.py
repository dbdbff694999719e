"""A backstage tile (hostdesk/ui/backstage_panel.py) is small, 256x180 with Take live and Send
back in its 36 px bar: a long name is elided (the whole name in its tooltip) and never pushes
the buttons out of the tile or squeezes their texts."""

from __future__ import annotations

from PySide6.QtCore import QPoint, QRect
from PySide6.QtWidgets import QApplication, QPushButton
from pytestqt.qtbot import QtBot

from hostdesk.ui import theme
from hostdesk.ui.backstage_panel import TILE_SIZE, BackstagePanel, BackstageTile
from hostdesk.ui.video_view import BGRA
from tests.support.desk_fixtures import save_widget

LONG_NAME = "Maximiliana Alexandra Bartholomew-Featherstonehaugh of Kents"  # 60 characters


def _inside(tile: BackstageTile, button: QPushButton) -> bool:
    box = QRect(button.mapTo(tile, QPoint(0, 0)), button.size())
    return tile.rect().contains(box)


def test_a_sixty_character_name_is_elided_and_the_buttons_stay_whole(qtbot: QtBot) -> None:
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    theme.install(app)  # the window's style: its buttons' padding decides what fits
    assert len(LONG_NAME) == 60
    panel = BackstagePanel()
    qtbot.addWidget(panel)
    tile = panel.add_tile("viewer-max", LONG_NAME)
    panel.add_tile("viewer-bo", "Bo")
    panel.resize(560, 210)
    panel.show()
    qtbot.waitExposed(panel)
    QApplication.processEvents()

    assert (tile.width(), tile.height()) == TILE_SIZE
    shown = tile.name_label.text()
    assert shown != LONG_NAME and shown.endswith("…") and len(shown) > 1, shown
    assert tile.name_label.toolTip() == LONG_NAME
    assert tile.title() == LONG_NAME
    metrics = tile.name_label.fontMetrics()
    assert metrics.horizontalAdvance(shown) <= tile.name_label.width()
    for button in (tile.take_live_button, tile.send_back_button):
        assert button.isVisible() and _inside(tile, button), button.text()
        # Never squeezed below what its text needs.
        assert button.width() >= button.minimumSizeHint().width(), button.text()
    label_right = tile.name_label.mapTo(tile, QPoint(tile.name_label.width(), 0)).x()
    assert label_right <= tile.take_live_button.mapTo(tile, QPoint(0, 0)).x()
    assert tile.take_live_button.text() == "Take live"

    # As the host sees it: a picture (teal, BGRA) and the meter up while they speak.
    picture = bytes([150, 160, 20, 255]) * (160 * 90)
    tile.view.set_frame(160, 90, picture, BGRA)
    tile.view.set_caption(LONG_NAME, True, "")
    tile.view.set_level(0.55, True)
    save_widget(panel, "host-backstage-long-name.png")
