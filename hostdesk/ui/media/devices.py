"""The cameras and microphones of this computer: listing them, and picking the one asked for."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol, TypeVar

from PySide6.QtCore import QByteArray
from PySide6.QtMultimedia import QMediaDevices


@dataclass(frozen=True)
class Device:
    """A camera or microphone as the host picks it; `id` is what the capture classes take."""

    id: str
    description: str


def video_inputs() -> list[Device]:
    return [Device(_decode_id(d.id()), d.description()) for d in QMediaDevices.videoInputs()]


def audio_inputs() -> list[Device]:
    return [Device(_decode_id(d.id()), d.description()) for d in QMediaDevices.audioInputs()]


def _decode_id(raw: QByteArray) -> str:
    return bytes(raw.data()).decode("utf-8", errors="replace")


class _MediaDevice(Protocol):
    def id(self) -> QByteArray: ...
    def isNull(self) -> bool: ...


D = TypeVar("D", bound=_MediaDevice)


def pick(devices: Sequence[D], default: D, device_id: str | None) -> D | None:
    """The device with this id, or the system default for None; None when there is no such one."""
    if device_id is None:
        return None if default.isNull() else default
    return next((d for d in devices if _decode_id(d.id()) == device_id), None)


def missing(kind: str, device_id: str | None) -> str:
    """What to tell the host when `pick` found nothing."""
    if device_id is None:
        return f"No {kind} found on this computer"
    return f"The {kind} {device_id!r} is not connected"
