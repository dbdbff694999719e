"""Guests' screen shares on the stage: each share its own tile ("<name>'s screen"), large with
the cameras beside it (hostdesk.ui.stage_panel), gone when the share ends; the tile's Stop share
asks the controller to stop it.

The host's LiveKit session delivers a share's frames apart from the camera's
(`share_frame`/`share_ended`, hostdesk.livekit.session). A share the host stops is muted, not
unpublished: the session ends it at the mute (LiveKit's word that it is stopped) and passes on
no frame of a muted share, so the tile goes then, by the one path every end takes.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any, Protocol

from hostdesk.show.connection import ConnectionState
from hostdesk.show.events import Event
from hostdesk.show.mirror import Member, ShowMirror
from hostdesk.show.roles import Role
from hostdesk.ui.bridge import Bridge
from hostdesk.ui.stage_panel import StagePanel
from hostdesk.ui.stage_tile import ShareTile
from hostdesk.ui.video_view import BGRA


class ShareFeed(Protocol):
    """Remote members' shares as the host's LiveKit session delivers them."""

    share_frame: Event[[str, int, int, memoryview]]
    share_ended: Event[[str]]
    state_changed: Event[[ConnectionState, str]]


def share_title(name: str) -> str:
    return f"{name}'s screen"


class GuestShares:
    def __init__(
        self,
        panel: StagePanel,
        mirror: ShowMirror,
        feed: ShareFeed,
        stop: Callable[[str], Coroutine[Any, Any, None]],
        bridge: Bridge,
    ) -> None:
        self._panel, self._mirror, self._feed = panel, mirror, feed
        self._stop, self._bridge = stop, bridge
        self.tiles: dict[str, ShareTile] = {}
        feed.share_frame.connect(self._on_frame)
        feed.share_ended.connect(self._drop)
        feed.state_changed.connect(self._on_state)
        mirror.stage_changed.connect(self._on_stage_changed)
        mirror.member_changed.connect(self._on_member_changed)
        panel.stop_share_clicked.connect(self._stop_clicked)

    def close(self) -> None:
        """Stops listening (the mirror and the session outlive the window)."""
        self._feed.share_frame.disconnect(self._on_frame)
        self._feed.share_ended.disconnect(self._drop)
        self._feed.state_changed.disconnect(self._on_state)
        self._mirror.stage_changed.disconnect(self._on_stage_changed)
        self._mirror.member_changed.disconnect(self._on_member_changed)
        for identity in list(self.tiles):
            self._drop(identity)

    def _on_frame(self, identity: str, width: int, height: int, bgra: memoryview) -> None:
        tile = self.tiles.get(identity)
        if tile is None:
            # Only a guest on stage shares (the roles' sources); anyone else's frames are late
            # ones of someone who just left the stage.
            if self._mirror.role_of(identity) is not Role.GUEST:
                return
            member = self._mirror.get(identity)
            title = share_title(member.name if member else identity)
            tile = self.tiles[identity] = self._panel.add_share_tile(identity, title)
        tile.view.set_frame(width, height, bgra, BGRA)

    def _drop(self, identity: str) -> None:
        tile = self.tiles.pop(identity, None)
        if tile is not None:
            self._panel.remove_share_tile(tile)

    def _stop_clicked(self, identity: str) -> None:
        if identity:  # "" is the host's own share (hostdesk.ui.screen_share)
            # The tile goes when LiveKit reports the share muted (`share_ended`).
            self._bridge.run("Stop share", self._stop(identity), identity)

    def _on_state(self, state: ConnectionState, _reason: str) -> None:
        # No frozen last frame while the connection is away; a share still on comes back with
        # its next frame.
        if state is not ConnectionState.LIVE:
            for identity in list(self.tiles):
                self._drop(identity)

    def _on_stage_changed(self) -> None:
        for identity in [i for i in self.tiles if self._mirror.role_of(i) is not Role.GUEST]:
            self._drop(identity)

    def _on_member_changed(self, _index: int, member: Member) -> None:
        tile = self.tiles.get(member.identity)
        if tile is not None:
            tile.setTitle(share_title(member.name))
