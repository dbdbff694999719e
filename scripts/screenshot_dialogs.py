"""Saves screenshots of the Settings and Go Live dialogs to docs/screenshots/.

Run from the repository root: `.venv/bin/python scripts/screenshot_dialogs.py`. It renders
offscreen unless QT_QPA_PLATFORM says otherwise, with made-up devices so the pickers show what a
host would see.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtWidgets import QApplication, QDialog  # noqa: E402

from hostdesk.ui.dialogs import GoLiveDialog, SettingsDialog  # noqa: E402
from hostdesk.ui.media.devices import Device  # noqa: E402
from hostdesk.ui.settings import DesktopPrefs  # noqa: E402

OUT = Path("docs/screenshots")
CAMERAS = [Device("usb-cam-1", "HD Pro Webcam C920")]
MICROPHONES = [Device("alsa-mic-1", "Blue Yeti Stereo Microphone")]
PREFS = DesktopPrefs(
    livekit_url="wss://shows.example.com",
    livekit_api_key="APIf3kq9Zx",
    livekit_api_secret="not-a-real-secret",
    camera="usb-cam-1",
    microphone="alsa-mic-1",
    room="Friday Night Live",
    host_name="Ada",
)


def save(dialog: QDialog, name: str) -> Path:
    dialog.show()  # lays the dialog out at its real size before the grab
    QApplication.processEvents()
    path = OUT / name
    if not dialog.grab().save(str(path)):
        raise OSError(f"could not write {path}")
    dialog.close()
    return path


def main() -> int:
    app = QApplication.instance() or QApplication(sys.argv)
    OUT.mkdir(parents=True, exist_ok=True)
    for dialog, name in (
        (SettingsDialog(PREFS, cameras=CAMERAS, microphones=MICROPHONES), "settings-dialog.png"),
        (GoLiveDialog(PREFS, cameras=CAMERAS, microphones=MICROPHONES), "go-live-dialog.png"),
    ):
        print(save(dialog, name))
    del app
    return 0


if __name__ == "__main__":
    sys.exit(main())
