"""The stage's tiles (hostdesk/ui/stage_panel.py): one per guest, never a row of empty ones, each
tile's buttons act on its own guest, and a screen share is a tile of its own, large whatever the
layout, the newest share largest."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QWidget
from pytestqt.qtbot import QtBot

from hostdesk.ui.stage_panel import SPEAKER, StagePanel


def test_an_empty_stage_shows_one_tile_whose_buttons_do_nothing(qtbot: QtBot) -> None:
    panel = StagePanel()
    qtbot.addWidget(panel)
    clicked: list[str] = []
    panel.demote_clicked.connect(clicked.append)

    [tile] = panel.guest_tiles
    assert tile.identity == "" and not tile.demote_button.isEnabled()
    tile.demote_button.click()
    assert clicked == []


def test_each_tile_acts_on_its_own_guest(qtbot: QtBot) -> None:
    panel = StagePanel()
    qtbot.addWidget(panel)
    demoted: list[str] = []
    muted: list[str] = []
    removed: list[str] = []
    panel.demote_clicked.connect(demoted.append)
    panel.mute_guest_clicked.connect(muted.append)
    panel.remove_guest_clicked.connect(removed.append)
    panel.guest_tiles[0].set_identity("guest-ann")
    panel.add_guest_tile().set_identity("guest-bob")

    panel.guest_tiles[1].demote_button.click()
    panel.guest_tiles[0].mute_button.click()
    panel.guest_tiles[1].remove_button.click()
    assert (demoted, muted, removed) == (["guest-bob"], ["guest-ann"], ["guest-bob"])


def test_empty_tiles_are_dropped_but_one_always_stays(qtbot: QtBot) -> None:
    panel = StagePanel()
    qtbot.addWidget(panel)
    panel.add_guest_tile().set_identity("guest-bob")
    panel.add_guest_tile()
    assert len(panel.guest_tiles) == 3

    panel.drop_empty_tiles()
    assert [tile.identity for tile in panel.guest_tiles] == ["guest-bob"]
    assert panel.guest_view is panel.guest_tiles[0].view

    panel.guest_tiles[0].set_identity("")
    panel.drop_empty_tiles()
    assert len(panel.guest_tiles) == 1


def _panel(qtbot: QtBot) -> StagePanel:
    panel = StagePanel()
    qtbot.addWidget(panel)
    panel.resize(1200, 720)
    panel.show()
    panel.guest_tiles[0].set_identity("guest-ann")
    return panel


def _size(tile: QWidget) -> tuple[int, int]:
    return tile.width(), tile.height()


def _inside(tile: QWidget, area: QWidget) -> bool:
    return area.rect().contains(tile.geometry()) and tile.parent() is area


@pytest.mark.parametrize("mode", ["grid", SPEAKER])
def test_a_share_is_a_tile_in_the_stage_larger_than_the_cameras_until_it_ends(
    qtbot: QtBot, mode: str
) -> None:
    panel = _panel(qtbot)
    panel.set_layout(mode)
    panel.set_focus_tile(panel.guest_tiles[0])
    before = {tile: tile.geometry() for tile in panel.area.tiles}

    share = panel.add_share_tile("guest-ann", "Ann's screen")
    assert panel.share_tiles == [share] and _inside(share, panel.area)
    assert share.isVisible() and share.title() == "Ann's screen"
    for camera in (panel.host_tile, panel.guest_tiles[0]):
        assert share.width() > 2 * camera.width() and share.height() > 2 * camera.height()
    assert panel.layout_mode == mode  # the host's choice stays, for when the share ends

    panel.remove_share_tile(share)
    assert panel.share_tiles == [] and panel.area.tiles == [panel.host_tile, *panel.guest_tiles]
    assert {tile: tile.geometry() for tile in panel.area.tiles} == before


def test_the_newest_of_several_shares_is_large_and_a_new_guest_joins_the_strip(
    qtbot: QtBot,
) -> None:
    panel = _panel(qtbot)
    older = panel.add_share_tile("guest-ann", "Ann's screen")
    newer = panel.add_share_tile("", "Your screen")
    guest = panel.add_guest_tile()
    assert panel.area.tiles == [panel.host_tile, panel.guest_tiles[0], guest, older, newer]
    assert all(newer.width() > 2 * t.width() for t in panel.area.tiles if t is not newer)
    assert _size(older) == _size(guest) == _size(panel.host_tile)

    panel.remove_share_tile(newer)
    assert all(older.width() > 2 * t.width() for t in panel.area.tiles if t is not older)


def test_a_share_tiles_stop_button_names_its_sharer(qtbot: QtBot) -> None:
    panel = _panel(qtbot)
    stopped: list[str] = []
    panel.stop_share_clicked.connect(stopped.append)
    guests = panel.add_share_tile("guest-ann", "Ann's screen")
    own = panel.add_share_tile("", "Your screen")
    assert (guests.stop_button.text(), own.stop_button.text()) == ("Stop share", "Stop sharing")

    guests.stop_button.click()
    own.stop_button.click()
    assert stopped == ["guest-ann", ""]
