"""The Settings dialog's stage: how many guests at once, and how long each may stay on stage.
It lays out; the ranges are the show's rules (hostdesk.show.rules)."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QGroupBox,
    QLabel,
    QSizePolicy,
    QSpinBox,
    QWidget,
)

from hostdesk.show import rules

#: Short, on one line: a wrapped label would make the dialog's layout squeeze its other rows.
STAGE_NOTE = "Applies at once, live too"
NO_LIMIT = "no limit"
INVITE_TO = ("Backstage", "Stage")


class StageSettingsBox(QGroupBox):
    def __init__(
        self,
        stage_size: int,
        time_limit_s: int,
        to_backstage: bool = True,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__("Stage", parent)
        self.size_spin = QSpinBox()
        self.size_spin.setRange(rules.STAGE_SIZE_MIN, rules.STAGE_SIZE_MAX)
        self.size_spin.setValue(stage_size)
        self.size_spin.setSuffix(" at once")
        self.limit_spin = QSpinBox()
        self.limit_spin.setRange(0, rules.STAGE_TIME_LIMIT_MAX_S // 60)
        self.limit_spin.setSpecialValueText(NO_LIMIT)
        self.limit_spin.setSuffix(" min")
        self.limit_spin.setValue(round(time_limit_s / 60))
        self.limit_spin.setToolTip(
            f"At {rules.STAGE_WARNING_S} s left the guest's page warns; at the limit you are "
            "asked whether to send them back (never automatic)"
        )
        self.invite_to = QComboBox()
        self.invite_to.addItems(INVITE_TO)
        self.invite_to.setCurrentIndex(0 if to_backstage else 1)
        self.invite_to.setToolTip("Backstage: you see and hear them first, then Take live")
        for spin in (self.size_spin, self.limit_spin):
            spin.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
        note = QLabel(STAGE_NOTE)
        note.setObjectName("muted")
        self.form = QFormLayout(self)
        self.form.addRow("Guests:", self.size_spin)
        self.form.addRow("Time on stage:", self.limit_spin)
        self.form.addRow("Invitations go to:", self.invite_to)
        self.form.addRow("", note)

    def stage_size(self) -> int:
        return self.size_spin.value()

    def to_backstage(self) -> bool:
        return self.invite_to.currentIndex() == 0

    def time_limit_s(self) -> int:
        return self.limit_spin.value() * 60
