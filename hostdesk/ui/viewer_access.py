"""How viewers get in: the show's link, a Copy button, a QR code for phones in the room, and a
line of details (certificate fingerprint, firewall ports). It lays out and forwards; the window
decides what the link and the details say."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from hostdesk.ui.qr import QrCode

NO_LINK_TEXT = "The viewer link appears here when you go live"


class ViewerAccessPanel(QWidget):
    """The link with Copy link and a QR code toggle, and one line of details under it."""

    copied = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.link = QLineEdit()
        self.link.setObjectName("viewer-link")
        self.link.setReadOnly(True)
        self.link.setPlaceholderText(NO_LINK_TEXT)
        self.link.setAccessibleName("Viewer link")
        self.copy_button = QPushButton("Copy link")
        self.qr_button = QPushButton("QR code")
        self.qr_button.setCheckable(True)
        self.qr_button.setToolTip("Show a QR code that phones in the room can scan")
        self.qr = QrCode()
        # Shown beside the link rather than in a popup: it stays up while phones scan it.
        self.qr.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
        self.qr.hide()
        self.details = QLabel()
        self.details.setObjectName("viewer-access-details")
        self.details.setTextFormat(Qt.TextFormat.PlainText)
        self.details.setWordWrap(True)
        self.details.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.details.hide()

        caption = QLabel("Viewers join at")
        caption.setBuddy(self.link)
        row = QHBoxLayout()
        row.addWidget(caption)
        row.addWidget(self.link, 1)
        row.addWidget(self.copy_button)
        row.addWidget(self.qr_button)
        text = QVBoxLayout()
        text.addLayout(row)
        text.addWidget(self.details)
        text.addStretch(1)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(text, 1)
        layout.addWidget(self.qr, 0, Qt.AlignmentFlag.AlignTop)

        self.copy_button.clicked.connect(self._copy)
        self.qr_button.toggled.connect(self.qr.setVisible)
        self.clear()

    def show_access(self, link: str, details: str) -> None:
        self.link.setText(link)
        self.link.setCursorPosition(0)  # the start of a long link says the most
        self.copy_button.setEnabled(bool(link))
        self.qr.set_text(link)
        self.details.setText(details)
        self.details.setVisible(bool(details))

    def clear(self) -> None:
        self.show_access("", "")

    def _copy(self) -> None:
        link = self.link.text()
        if link:
            QGuiApplication.clipboard().setText(link)
            self.copied.emit()
