"""The studio's dark theme for the whole application: the Fusion style, a dark palette (which
dialogs, menus, combo boxes and check boxes draw with) and resources/studio.qss, all in the
viewer page's colours (resources/viewer/viewer.css), so that the window and the page read as one
studio.
"""

from __future__ import annotations

import logging
from string import Template

from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication, QWidget

from hostdesk.resources import resource_path

#: The page's CSS variables of the same names (`--panel-2` is `panel_2`); a test keeps them equal.
COLOURS = {
    "bg": "#14161b",
    "panel": "#1d2027",
    "panel_2": "#262a33",
    "line": "#343945",
    "text": "#eceef2",
    "muted": "#a3a9b6",
    "accent": "#4f8cff",
    "live": "#d93a2b",
    "warn": "#c98a1b",
    "ok": "#2e9d5b",
    "speaking": "#3ddc84",
}
_INSTALLED = "hostdesk-theme"
log = logging.getLogger("hostdesk.ui")


def colour(name: str) -> QColor:
    return QColor(COLOURS[name])


def style_sheet() -> str:
    text = resource_path("studio.qss").read_text(encoding="utf-8")
    return Template(text).substitute(COLOURS)


def palette() -> QPalette:
    p = QPalette()
    roles = QPalette.ColorRole
    for role, name in (
        (roles.Window, "bg"),
        (roles.WindowText, "text"),
        (roles.Base, "bg"),
        (roles.AlternateBase, "panel"),
        (roles.ToolTipBase, "panel_2"),
        (roles.ToolTipText, "text"),
        (roles.PlaceholderText, "muted"),
        (roles.Text, "text"),
        (roles.Button, "panel_2"),
        (roles.ButtonText, "text"),
        (roles.Highlight, "accent"),
        (roles.Link, "accent"),
        (roles.Mid, "line"),
        (roles.Dark, "bg"),
        (roles.Light, "line"),
        (roles.Midlight, "panel_2"),
        (roles.Shadow, "bg"),
    ):
        p.setColor(role, colour(name))
    p.setColor(roles.HighlightedText, QColor("#ffffff"))
    p.setColor(roles.BrightText, QColor("#ffffff"))
    disabled = QPalette.ColorGroup.Disabled
    for role in (roles.WindowText, roles.Text, roles.ButtonText):
        p.setColor(disabled, role, QColor("#6b7180"))
    return p


def install(app: QApplication) -> None:
    """Puts the theme on the whole application once (every window and dialog after it)."""
    if app.property(_INSTALLED):
        return
    app.setStyle("Fusion")
    app.setPalette(palette())
    try:
        app.setStyleSheet(style_sheet())
    except OSError as exc:  # a broken install: the dark palette alone still reads
        log.error("the window's style sheet is missing: %s", exc)
    app.setProperty(_INSTALLED, True)


def set_style_property(widget: QWidget, name: str, value: object) -> None:
    """Sets a dynamic property the style sheet selects on, and redraws the widget by it."""
    if widget.property(name) == value:
        return
    widget.setProperty(name, value)
    style = widget.style()
    style.unpolish(widget)
    style.polish(widget)
    widget.update()
