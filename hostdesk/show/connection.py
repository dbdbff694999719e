"""The host's connection to LiveKit, as the window shows it."""

from enum import StrEnum


class ConnectionState(StrEnum):
    OFFLINE = "offline"  # not live: before Go Live and after End Show
    CONNECTING = "connecting"
    LIVE = "live"
    RECONNECTING = "reconnecting"
    DISCONNECTED = "disconnected"  # dropped and not coming back by itself; the reason says why
