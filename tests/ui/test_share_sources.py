"""What the host can share (hostdesk/ui/share_sources.py): the screens, then the windows, in a
menu under Share screen; with nothing to share the window says so and the button comes back."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from pathlib import Path

import pytest
from PySide6.QtCore import QSize
from pytestqt.qtbot import QtBot

from hostdesk.ui import screen_share
from hostdesk.ui.screen_share import NOTHING_TO_SHARE
from hostdesk.ui.share_sources import UNTITLED, ShareChoice, ShareMenu, share_choices
from tests.support.desk_fixtures import idle_window

#: What offscreen Qt says when a menu pops up: it has no window system to raise it in.
OFFSCREEN_POPUP = pytest.mark.qt_log_ignore(
    "This plugin does not support (raise|grabbing the keyboard)", extend=True
)


@dataclass
class Screen:
    label: str
    width: int
    height: int

    def name(self) -> str:
        return self.label

    def size(self) -> QSize:
        return QSize(self.width, self.height)


@dataclass
class Window:
    title: str
    valid: bool = True

    def description(self) -> str:
        return self.title

    def isValid(self) -> bool:  # noqa: N802 (Qt's name)
        return self.valid


def test_the_screens_come_first_numbered_with_their_size_then_the_windows_by_title() -> None:
    screens = [Screen("DP-1", 2560, 1440), Screen("", 1920, 1080)]
    windows = [Window("Slides — Quarterly"), Window("  "), Window("Gone", valid=False)]
    choices = share_choices(screens, windows)
    assert [c.label for c in choices] == [
        "Screen 1 DP-1 (2560×1440)",
        "Screen 2 (1920×1080)",
        "Window: Slides — Quarterly",
        f"Window: {UNTITLED}",
    ]
    assert [c.screen for c in choices[:2]] == screens
    assert [c.window for c in choices[2:]] == windows[:2]
    assert all(c.window is None for c in choices[:2]) and all(c.screen is None for c in choices[2:])


def test_nothing_to_share_is_an_empty_list() -> None:
    assert share_choices([], [Window("Gone", valid=False)]) == []


def _menu(qtbot: QtBot) -> tuple[ShareMenu, list[ShareChoice], list[str]]:
    choices = share_choices([Screen("DP-1", 1920, 1080)], [Window("Slides")])
    events: list[str] = []
    menu = ShareMenu(choices, lambda c: events.append(c.label), lambda: events.append("none"))
    qtbot.addWidget(menu)
    return menu, choices, events


@OFFSCREEN_POPUP
def test_the_menu_offers_each_choice_and_reports_the_one_picked(qtbot: QtBot) -> None:
    menu, choices, events = _menu(qtbot)
    assert [a.text() for a in menu.actions()] == [c.label for c in choices]
    menu.popup(menu.pos())
    menu.actions()[1].trigger()
    menu.hide()
    qtbot.wait(20)
    assert events == ["Window: Slides"]


@OFFSCREEN_POPUP
def test_a_menu_closed_without_a_pick_says_so(qtbot: QtBot) -> None:
    menu, _, events = _menu(qtbot)
    menu.popup(menu.pos())
    menu.hide()
    qtbot.waitUntil(lambda: events == ["none"], timeout=1000)


@OFFSCREEN_POPUP
async def test_share_screen_offers_a_menu_or_says_there_is_nothing_to_share(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with idle_window(tmp_path) as desk:
        view, button = desk.window.screen_share, desk.window.stage.share_button
        offered = share_choices([Screen("DP-1", 1920, 1080)], [Window("Slides")])
        monkeypatch.setattr(screen_share, "available_choices", lambda: offered)
        button.click()
        assert view.menu is not None and view.menu.isVisible()
        assert [a.text() for a in view.menu.actions()] == [c.label for c in offered]
        view.menu.hide()
        for _ in range(5):
            await asyncio.sleep(0.01)
        assert view.menu is None and not button.isChecked() and not view.sharing

        monkeypatch.setattr(screen_share, "available_choices", lambda: [])
        button.click()
        assert not button.isChecked() and view.menu is None
        assert desk.window.statusBar().currentMessage() == NOTHING_TO_SHARE
