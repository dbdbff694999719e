"""The stage's tiles (hostdesk/ui/panels.py): one per guest, never a row of empty ones, and each
tile's buttons act on its own guest."""

from __future__ import annotations

from pytestqt.qtbot import QtBot

from hostdesk.ui.stage_panel import StagePanel


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
