"""How to reach a LiveKit server: the one ``--dev`` starts, or any other."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class LiveKitCredentials:
    """How to reach a LiveKit server: its WebSocket URL and an API key pair."""

    url: str  # ws://ip:port
    api_key: str
    api_secret: str

    @property
    def http_url(self) -> str:
        """The same server as ``http://ip:port`` (room service, health check)."""
        if self.url.startswith("wss://"):
            return "https://" + self.url.removeprefix("wss://")
        if self.url.startswith("ws://"):
            return "http://" + self.url.removeprefix("ws://")
        return self.url
