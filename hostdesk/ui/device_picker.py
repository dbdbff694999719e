"""Picking a camera or microphone in a dialog, with the built-in stand-in always offered."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtWidgets import QComboBox, QWidget

from hostdesk.ui.media.devices import Device


class DevicePicker(QComboBox):
    """A camera or microphone: the built-in stand-in first, then the connected devices.

    `selected` "" (or a device not connected, unless `keep_missing`) picks the first connected
    device, or the stand-in when there is none. With `keep_missing`, a stored device that is
    unplugged right now stays listed, so opening Settings does not silently replace it.
    """

    def __init__(
        self,
        builtin: Device,
        devices: Sequence[Device],
        selected: str,
        *,
        keep_missing: bool = False,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        # a long device name must not stretch the whole dialog
        self.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.setMinimumContentsLength(24)
        for device in (builtin, *devices):
            self.addItem(device.description, device.id)
        index = self.findData(selected) if selected else -1
        if index < 0 and selected and keep_missing:
            self.addItem(f"{selected} (not connected)", selected)
            index = self.count() - 1
        if index < 0:
            index = 1 if devices else 0
        self.setCurrentIndex(index)

    def device_id(self) -> str:
        return str(self.currentData())
