"""The viewer link as a QR code and the panel around it: what a phone decodes off the painted
pixels, how crisp those pixels are, and what Copy link and show_access do."""

from __future__ import annotations

import numpy as np
import pytest
import segno
import zxingcpp
from numpy.typing import NDArray
from PySide6.QtGui import QGuiApplication, QImage
from PySide6.QtWidgets import QLabel, QLineEdit
from pytestqt.qtbot import QtBot

from hostdesk.ui.qr import EMPTY_TEXT, QUIET_ZONE, TOO_LONG_TEXT, QrCode
from hostdesk.ui.viewer_access import ViewerAccessPanel

LINK = "https://192.168.1.20:3001/watch/my-show"
LONG_LINK = ("https://192.168.1.20:3001/watch/" + "a-very-long-show-name-" * 8)[:200]
DETAILS = "Certificate SHA-256 AB:CD:EF:01 · Firewall: allow TCP 3001, UDP 7882, TCP 7881"


def qr_code(qtbot: QtBot, text: str, width: int, height: int) -> QrCode:
    widget = QrCode()
    qtbot.addWidget(widget)
    widget.set_text(text)
    widget.resize(width, height)
    return widget


def pixels(widget: QrCode) -> NDArray[np.uint8]:
    """The widget as painted, in grayscale, one array row per pixel row."""
    image = widget.grab().toImage().convertToFormat(QImage.Format.Format_Grayscale8)
    rows = np.frombuffer(image.constBits(), dtype=np.uint8).reshape(-1, image.bytesPerLine())
    return rows[:, : image.width()].copy()


def decoded(widget: QrCode) -> list[str]:
    return [code.text for code in zxingcpp.read_barcodes(pixels(widget))]


@pytest.mark.parametrize(("width", "height"), [(160, 160), (300, 220), (137, 400)])
def test_a_phone_decodes_exactly_the_link_at_any_widget_size(
    qtbot: QtBot, width: int, height: int
) -> None:
    assert decoded(qr_code(qtbot, LINK, width, height)) == [LINK]


def test_a_200_character_link_still_decodes(qtbot: QtBot) -> None:
    assert len(LONG_LINK) == 200
    widget = qr_code(qtbot, LONG_LINK, 0, 0)
    widget.resize(widget.minimumSizeHint())
    assert decoded(widget) == [LONG_LINK]


def test_modules_are_whole_black_or_white_squares_centred_with_a_quiet_zone(qtbot: QtBot) -> None:
    widget = qr_code(qtbot, LINK, 300, 220)
    code = segno.make(LINK, error="m", micro=False, boost_error=False)
    modules = code.symbol_size(border=QUIET_ZONE)[0]
    assert widget.modules == modules
    image = pixels(widget)  # in device pixels, whatever the screen's scale
    height, width = image.shape
    module = min(height, width) // modules
    side = module * modules
    top, left = (height - side) // 2, (width - side) // 2

    square = image[top : top + side, left : left + side]

    expected = np.array(list(code.matrix_iter(border=QUIET_ZONE)), dtype=np.uint8)
    expected = np.where(expected == 1, 0, 255).astype(np.uint8)
    assert np.array_equal(square, np.kron(expected, np.ones((module, module), dtype=np.uint8)))


def test_error_correction_is_m_whatever_the_text_length(qtbot: QtBot) -> None:
    widget = qr_code(qtbot, LINK, 160, 160)
    (result,) = zxingcpp.read_barcodes(pixels(widget))
    assert result.format == zxingcpp.BarcodeFormat.QRCode
    assert result.ec_level == "M"


def test_empty_text_paints_no_code_and_says_no_link_yet(qtbot: QtBot) -> None:
    widget = qr_code(qtbot, "", 160, 160)
    image = pixels(widget)
    assert decoded(widget) == []
    assert widget.modules == 0
    assert widget.accessibleName() == EMPTY_TEXT
    assert widget.toolTip() == ""
    background = int(np.bincount(image.ravel()).argmax())
    assert np.count_nonzero(image == background) > 0.9 * image.size  # only the words on it


def test_clearing_the_text_removes_the_code(qtbot: QtBot) -> None:
    widget = qr_code(qtbot, LINK, 160, 160)
    widget.set_text("")
    assert decoded(widget) == []


def test_text_too_long_for_any_qr_code_says_so_instead_of_raising(qtbot: QtBot) -> None:
    widget = qr_code(qtbot, "x" * 3000, 160, 160)
    assert decoded(widget) == []
    assert widget.accessibleName() == widget.toolTip() == TOO_LONG_TEXT


def test_the_text_is_the_accessible_name_and_the_tooltip(qtbot: QtBot) -> None:
    widget = qr_code(qtbot, LINK, 160, 160)
    assert widget.accessibleName() == LINK
    assert widget.toolTip() == LINK


def test_the_code_is_encoded_once_per_text_not_per_paint(
    qtbot: QtBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[str] = []
    make = segno.make

    def counting_make(content: str, **kwargs: object) -> segno.QRCode:
        calls.append(content)
        return make(content, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(segno, "make", counting_make)
    widget = qr_code(qtbot, LINK, 160, 160)
    for size in (160, 200, 240):
        widget.resize(size, size)
        widget.grab()
    assert calls == [LINK]


def test_the_code_stays_square_and_big_enough_to_scan(qtbot: QtBot) -> None:
    widget = qr_code(qtbot, LINK, 160, 160)
    assert widget.hasHeightForWidth()
    assert widget.heightForWidth(210) == 210
    hint, minimum = widget.sizeHint(), widget.minimumSizeHint()
    assert hint.width() == hint.height() >= 160
    assert hint.width() % widget.modules == 0  # no pixel of the hint is wasted
    assert minimum.width() == minimum.height() >= 3 * widget.modules


def panel(qtbot: QtBot) -> ViewerAccessPanel:
    widget = ViewerAccessPanel()
    qtbot.addWidget(widget)
    return widget


def test_copy_link_puts_the_link_on_the_clipboard_and_emits_copied(qtbot: QtBot) -> None:
    widget = panel(qtbot)
    widget.show_access(LINK, DETAILS)
    QGuiApplication.clipboard().setText("something else")
    with qtbot.waitSignal(widget.copied, timeout=1000):
        widget.copy_button.click()
    assert QGuiApplication.clipboard().text() == LINK


def test_show_access_shows_the_link_the_code_and_the_details(qtbot: QtBot) -> None:
    widget = panel(qtbot)
    widget.show()
    widget.show_access(LINK, DETAILS)
    link = widget.findChild(QLineEdit, "viewer-link")
    details = widget.findChild(QLabel, "viewer-access-details")
    assert link is widget.link and link.text() == LINK and link.isReadOnly()
    assert details is widget.details and details.text() == DETAILS and details.isVisible()
    assert widget.qr.text == LINK


def test_the_qr_code_button_shows_and_hides_a_scannable_code(qtbot: QtBot) -> None:
    widget = panel(qtbot)
    widget.show()
    widget.show_access(LINK, DETAILS)
    assert not widget.qr.isVisible()
    widget.qr_button.click()
    assert widget.qr.isVisible()
    assert decoded(widget.qr) == [LINK]
    widget.qr_button.click()
    assert not widget.qr.isVisible()


def test_clear_empties_the_link_and_details_and_nothing_is_copied(qtbot: QtBot) -> None:
    widget = panel(qtbot)
    widget.show()
    widget.show_access(LINK, DETAILS)
    widget.clear()
    assert widget.link.text() == ""
    assert not widget.details.isVisible()
    assert widget.qr.text == ""
    assert not widget.copy_button.isEnabled()
