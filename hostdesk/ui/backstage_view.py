"""The host's backstage in the window: a tile per guest the mirror says is backstage (the
server-written attribute), their picture and sound from the host's second LiveKit connection,
and that connection open (with the host's microphone as talkback) only while someone is there.
Out of `MainWindow` like the stage's routing; Take live and Send back go to the controller.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Protocol

from hostdesk.host import HostControl
from hostdesk.show.connection import ConnectionState
from hostdesk.show.events import Event
from hostdesk.show.mirror import Member
from hostdesk.tasks import TaskSet
from hostdesk.ui.backstage_panel import BACKSTAGE_NOTE, BackstagePanel
from hostdesk.ui.bridge import Bridge
from hostdesk.ui.media.audio import AudioPlayer
from hostdesk.ui.tile_meters import TileMeters
from hostdesk.ui.video_view import BGRA

log = logging.getLogger("hostdesk.ui")


class BackstageFeed(Protocol):
    """The host's connection to the backstage room (hostdesk.livekit.backstage_session)."""

    guest_frame: Event[[str, int, int, memoryview]]
    guest_audio: Event[[str, bytes]]
    guest_gone: Event[[str]]
    guest_microphone: Event[[str, bool]]
    state_changed: Event[[ConnectionState, str]]

    @property
    def connected(self) -> bool: ...
    async def connect(
        self, url: str, token: str, renew: Callable[[], str] | None = None
    ) -> None: ...
    async def close(self) -> None: ...
    def push_talkback(self, pcm: bytes) -> None: ...
    def set_talkback(self, on: bool) -> None: ...


#: The backstage's note while its connection comes back by itself, and once it will not.
RECONNECTING_NOTE = "Backstage: the connection dropped, reconnecting…"
DISCONNECTED_NOTE = "Backstage: disconnected"


def connection_note(state: ConnectionState, reason: str) -> str:
    """The line above the backstage tiles for the backstage connection's state."""
    if state is ConnectionState.RECONNECTING:
        return RECONNECTING_NOTE
    if state is ConnectionState.DISCONNECTED:
        return f"{DISCONNECTED_NOTE} ({reason})" if reason else DISCONNECTED_NOTE
    return BACKSTAGE_NOTE


class BackstageView:
    def __init__(
        self,
        panel: BackstagePanel,
        control: HostControl,
        feed: BackstageFeed | None,
        bridge: Bridge,
        on_problem: Callable[[str], None],
    ) -> None:
        self.panel, self.control, self.feed = panel, control, feed
        self._on_problem = on_problem
        self._players: dict[str, AudioPlayer] = {}
        self.meters = TileMeters(panel, panel.tiles.get)
        self._tasks = TaskSet(log)
        self._wanted = False  # whether the backstage connection should be open
        self._microphone = True  # the host's microphone: off, the talkback is too
        panel.take_live_clicked.connect(lambda i: bridge.run("Take live", control.take_live(i), i))
        panel.send_back_clicked.connect(lambda i: bridge.run("Send back", control.send_back(i), i))
        control.mirror.member_changed.connect(self._changed)
        control.mirror.member_added.connect(self._changed)
        control.mirror.member_removed.connect(self._changed)
        if feed is not None:
            feed.guest_frame.connect(self._on_frame)
            feed.guest_audio.connect(self._on_audio)
            feed.guest_gone.connect(self._on_gone)
            feed.guest_microphone.connect(self._on_microphone)
            feed.state_changed.connect(self._on_state)

    def talkback(self, pcm: bytes) -> None:
        if self.feed is not None and self._wanted and self._microphone:
            self.feed.push_talkback(pcm)

    def set_microphone(self, on: bool) -> None:
        """The host turned their microphone on or off: the backstage hears them as the
        audience does (off, the talkback is muted and nothing more is sent)."""
        self._microphone = on
        if self.feed is not None:
            self.feed.set_talkback(on)

    def _changed(self, _index: int, _member: Member) -> None:
        backstage = {m.identity: m for m in self.control.mirror.backstage}
        for identity in [i for i in self.panel.tiles if i not in backstage]:
            self.panel.remove_tile(identity)
            self.meters.forget(identity)
            player = self._players.pop(identity, None)
            if player is not None:
                player.stop()
        for identity, member in backstage.items():
            if identity not in self.panel.tiles:
                tile = self.panel.add_tile(identity, member.name)
                # The picture's overlay (the meter, "MIC OFF") until their microphone arrives.
                tile.view.set_caption(member.name, False, "")
                self.meters.track(identity)
                player = AudioPlayer(self._on_problem)
                player.start()
                self._players[identity] = player
        self._want(bool(backstage) and bool(self.control.room))

    def _want(self, wanted: bool) -> None:
        if wanted == self._wanted or self.feed is None:
            return
        self._wanted = wanted
        self._tasks.spawn(self._open() if wanted else self.feed.close(), name="backstage")

    async def _open(self) -> None:
        assert self.feed is not None
        c = self.control

        def renew() -> str:  # a fresh token for each attempt to come back after a drop
            return c.service.backstage.host_token(c.room, c.identity, c.name).token

        try:
            given = c.service.backstage.host_token(c.room, c.identity, c.name)
            await self.feed.connect(given.ws_url, given.token, renew)
        except Exception as exc:  # a LiveKit or token problem: the show goes on
            self._wanted = False
            self._on_problem(f"Could not open the backstage: {exc}")
            return
        if not self._wanted:  # everyone left while it opened
            await self.feed.close()

    def _on_frame(self, identity: str, width: int, height: int, bgra: memoryview) -> None:
        tile = self.panel.tiles.get(identity)
        if tile is not None:
            tile.view.set_frame(width, height, bgra, BGRA)

    def _on_audio(self, identity: str, pcm: bytes) -> None:
        self.meters.feed(identity, pcm)
        player = self._players.get(identity)
        if player is not None:
            player.write(pcm)

    def _on_microphone(self, identity: str, on: bool) -> None:
        tile = self.panel.tiles.get(identity)
        if tile is not None:
            tile.view.set_caption(tile.title(), on, "")

    def _on_state(self, state: ConnectionState, reason: str) -> None:
        self.panel.set_note(connection_note(state, reason))

    def _on_gone(self, identity: str) -> None:
        tile = self.panel.tiles.get(identity)
        if tile is not None:
            tile.view.clear()

    def detach(self) -> None:
        """The mirror outlives the window."""
        mirror = self.control.mirror
        mirror.member_changed.disconnect(self._changed)
        mirror.member_added.disconnect(self._changed)
        mirror.member_removed.disconnect(self._changed)
        self.meters.stop()
        for player in self._players.values():
            player.stop()
        self._players.clear()

    async def aclose(self) -> None:
        """Closes the backstage connection (after `detach`, when the window closes)."""
        await self._tasks.aclose()
        if self.feed is not None:
            await self.feed.close()
