"""The host's hand on other people's screen shares, a part of `HostControl` (hostdesk.host).

Kept apart so the controller stays one readable module; like it, no toolkit here.
"""

from __future__ import annotations

from hostdesk import screen_share
from hostdesk.service import ShowService


class HostShares:
    """Mixed into `HostControl`, whose service and room it uses."""

    service: ShowService
    room: str

    async def stop_share(self, identity: str) -> None:
        """Stops a guest's screen share, as `POST .../participants/:id/stop-share` does: the
        share is muted through LiveKit's room service and the guest's page stops capturing."""
        await screen_share.stop_share(self.service.rooms, self.room, identity)
