"""Preferences the settings and dialog tests share: a host's remote set-up with its secret and
its stream destinations with their keys."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSettings

from hostdesk.ui.settings import CUSTOM, SERVICES, TONE, YOUTUBE, DesktopPrefs, StreamDestination

SECRET = "s3cr3t-Zq8-do-not-show"
STREAM_KEY = "abcd-efgh-ijkl-mnop-Qr5t"
CUSTOM_KEY = "custom-K3y-never-shown"
YOUTUBE_CHANNEL = StreamDestination(YOUTUBE, "My channel", SERVICES[YOUTUBE][1], STREAM_KEY)
OWN_SERVER = StreamDestination(
    CUSTOM, "Own server", "rtmps://live.example.org:4443/app", CUSTOM_KEY
)
REMOTE = DesktopPrefs(
    livekit_url="wss://shows.example.com",
    livekit_api_key="APIkey123",
    livekit_api_secret=SECRET,
    api_host="0.0.0.0",
    api_port=4100,
    auth=False,
    camera="cam-2",
    microphone=TONE,
    room="Friday, Night Live",
    host_name="Ada Lovelace ✨",
    stage_size=3,
    stage_time_limit_s=600,
    program_size="1080p",
    recordings_folder="/srv/shows/recordings",
    destinations=(YOUTUBE_CHANNEL, OWN_SERVER),
)


def ini(tmp_path: Path, text: str | None = None) -> QSettings:
    """A QSettings on its own INI file; `text` is written first, as a hand-edited file would be."""
    path = tmp_path / "hostdesk.ini"
    if text is not None:
        path.write_text(text, encoding="utf-8")
    return QSettings(str(path), QSettings.Format.IniFormat)
