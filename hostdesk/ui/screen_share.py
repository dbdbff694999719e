"""Screen shares in the window. The host's own: Share screen offers the screens and windows to
share (hostdesk.ui.share_sources), publishes the chosen one as a second video track
(`SCREEN_SHARE`, hostdesk.livekit.session) and shows it as a stage tile ("Your screen"), large
with the cameras beside it; Stop sharing (the button or the tile's) ends it. Where there is no
screen to capture (offscreen Qt, the tests), `test_picture` stands in for it. The guests'
shares are tiles too (hostdesk.ui.share_view).
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any, Protocol

from PySide6.QtGui import QImage

from hostdesk.show.connection import ConnectionState
from hostdesk.show.mirror import ShowMirror
from hostdesk.ui.bridge import Bridge
from hostdesk.ui.media.frames import FrameSink
from hostdesk.ui.share_sources import (
    CaptureSource,
    PictureSource,
    ShareChoice,
    ShareMenu,
    available_choices,
)
from hostdesk.ui.share_view import GuestShares, ShareFeed
from hostdesk.ui.stage_panel import StagePanel
from hostdesk.ui.stage_tile import ShareTile
from hostdesk.ui.video_view import RGBA, VideoView

#: The size a share is published at.
SHARE_SIZE = (1280, 720)
OWN_TITLE = "Your screen"
NOTHING_TO_SHARE = "Screen share: this computer offers no screen or window to share"


class ShareSession(ShareFeed, Protocol):
    async def share_screen(self, width: int, height: int) -> FrameSink: ...
    async def stop_share(self) -> None: ...


class ShareControl(Protocol):
    """What the window's controller does for shares (hostdesk.host.HostControl)."""

    mirror: ShowMirror

    def stop_share(self, identity: str) -> Coroutine[Any, Any, None]: ...


class ScreenShareView:
    def __init__(
        self,
        panel: StagePanel,
        session: ShareSession,
        control: ShareControl,
        bridge: Bridge,
        on_problem: Callable[[str], None],
    ) -> None:
        self._panel, self._session, self._bridge = panel, session, bridge
        self._on_problem = on_problem
        self.test_picture: QImage | None = None
        self.tile: ShareTile | None = None
        self.menu: ShareMenu | None = None
        self._source: CaptureSource | PictureSource | None = None
        self.guests = GuestShares(panel, control.mirror, session, control.stop_share, bridge)
        panel.share_toggled.connect(self._toggled)
        panel.stop_share_clicked.connect(self._stop_clicked)
        session.state_changed.connect(self._on_state)

    @property
    def sharing(self) -> bool:
        return self._source is not None

    @property
    def view(self) -> VideoView | None:
        """The host's own share's picture, while sharing."""
        return self.tile.view if self.tile is not None else None

    def _toggled(self, on: bool) -> None:
        if not on:
            self._bridge.run("Screen share", self._stop())
        elif self.test_picture is not None:
            self._bridge.run("Screen share", self._start(self.test_picture))
        else:
            self._offer(available_choices())

    def _offer(self, choices: list[ShareChoice]) -> None:
        """One thing to share starts at once; several are offered in a menu under the button."""
        if not choices:
            self._on_problem(NOTHING_TO_SHARE)
            self._cancel()
        elif len(choices) == 1:
            self._chosen(choices[0])
        else:
            button = self._panel.share_button
            self.menu = ShareMenu(choices, self._chosen, self._cancel, button)
            self.menu.popup(button.mapToGlobal(button.rect().bottomLeft()))

    def _chosen(self, choice: ShareChoice) -> None:
        self._forget_menu()
        self._bridge.run("Screen share", self._start(choice))

    def _cancel(self) -> None:
        self._forget_menu()
        self._panel.share_button.setChecked(False)

    def _forget_menu(self) -> None:
        if self.menu is not None:
            self.menu.deleteLater()
            self.menu = None

    def _stop_clicked(self, identity: str) -> None:
        if not identity:  # the host's own tile
            self._panel.share_button.setChecked(False)

    async def _start(self, what: ShareChoice | QImage) -> None:
        """Shares a screen or window, or sends a picture in its place."""
        try:
            push = await self._session.share_screen(*SHARE_SIZE)
        except Exception:
            self._panel.share_button.setChecked(False)
            raise
        self._stop_source()
        tile = self.tile = self._panel.add_share_tile("", OWN_TITLE)
        view = tile.view

        def sink(width: int, height: int, rgba: bytes) -> None:
            push(width, height, rgba)
            view.set_frame(width, height, rgba, RGBA)

        if isinstance(what, QImage):
            self._source = PictureSource(what, sink)
        else:
            self._source = CaptureSource(what, sink, self._on_problem)
        self._source.start()

    async def _stop(self) -> None:
        self._stop_source()
        await self._session.stop_share()

    def _stop_source(self) -> None:
        if self._source is not None:
            self._source.stop()
            self._source = None
        if self.tile is not None:
            self._panel.remove_share_tile(self.tile)
            self.tile = None

    def _on_state(self, state: ConnectionState, _reason: str) -> None:
        # The session has ended its share track with the connection: the button says so too.
        if state in (ConnectionState.OFFLINE, ConnectionState.DISCONNECTED) and self.sharing:
            self._panel.share_button.setChecked(False)

    def close(self) -> None:
        """Stops capturing and listening (the window closes; the session ends the track as it
        closes)."""
        self._session.state_changed.disconnect(self._on_state)
        self._stop_source()
        self.guests.close()
