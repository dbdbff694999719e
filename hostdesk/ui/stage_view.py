"""Who is on which tile of the stage: each guest's frames, sound, level and caption go to their
own.

A guest keeps their tile while on stage (another guest leaving does not move them), a new guest
takes the first free tile or a new one, and empty tiles beyond the first are dropped. Each guest
is played on an audio output of their own, so two guests' sound is mixed by the system rather
than interleaved into one stream; their audio also feeds their tile's level meter
(hostdesk.ui.stage_levels).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

from hostdesk.show.events import Event
from hostdesk.show.mirror import Member, ShowMirror
from hostdesk.ui.media.audio import AudioPlayer
from hostdesk.ui.stage_levels import StageLevels
from hostdesk.ui.stage_panel import StagePanel
from hostdesk.ui.stage_tile import GuestTile
from hostdesk.ui.video_view import BGRA


class StageFeed(Protocol):
    """The guests' media as the host's LiveKit session delivers it (hostdesk.livekit.session)."""

    guest_frame: Event[[str, int, int, memoryview]]
    guest_audio: Event[[str, bytes]]
    guest_left_stage: Event[[str]]
    speakers_changed: Event[[list[str]]]


class StageView:
    def __init__(
        self,
        panel: StagePanel,
        mirror: ShowMirror,
        feed: StageFeed,
        on_audio_problem: Callable[[str], None],
    ) -> None:
        self._panel = panel
        self._mirror = mirror
        self._feed = feed
        self._on_audio_problem = on_audio_problem
        self._tiles: dict[str, GuestTile] = {}
        self._players: dict[str, AudioPlayer] = {}
        self._closed = False
        self.levels = StageLevels(panel, lambda: mirror.local_identity)
        feed.guest_frame.connect(self._on_frame)
        feed.guest_audio.connect(self._on_audio)
        feed.guest_left_stage.connect(self._on_left)
        feed.speakers_changed.connect(self.levels.set_speakers)
        mirror.stage_changed.connect(self._on_stage_changed)
        mirror.member_changed.connect(self._on_member_changed)

    @property
    def guests(self) -> list[str]:
        """The identities on stage, in the order of their tiles."""
        return [tile.identity for tile in self._panel.guest_tiles if tile.identity]

    def close(self) -> None:
        """Stops listening (the mirror and the session outlive the window) and playing."""
        if self._closed:
            return
        self._closed = True
        self.levels.stop()
        self._feed.guest_frame.disconnect(self._on_frame)
        self._feed.guest_audio.disconnect(self._on_audio)
        self._feed.guest_left_stage.disconnect(self._on_left)
        self._feed.speakers_changed.disconnect(self.levels.set_speakers)
        self._mirror.stage_changed.disconnect(self._on_stage_changed)
        self._mirror.member_changed.disconnect(self._on_member_changed)
        for identity in list(self._tiles):
            self._release(identity)

    def _on_stage_changed(self) -> None:
        on_stage = {member.identity: member for member in self._mirror.guests}
        for identity in [i for i in self._tiles if i not in on_stage]:
            self._release(identity)
        for identity, member in on_stage.items():
            if identity not in self._tiles:
                self._assign(member)
            self._caption(member)
        self._panel.drop_empty_tiles()

    def _assign(self, member: Member) -> None:
        tile = next((t for t in self._panel.guest_tiles if not t.identity), None)
        tile = tile or self._panel.add_guest_tile()
        tile.view.clear()
        tile.set_identity(member.identity)
        self._tiles[member.identity] = tile
        self.levels.track(member.identity)
        player = AudioPlayer(self._on_audio_problem)
        player.start()
        self._players[member.identity] = player

    def _release(self, identity: str) -> None:
        tile = self._tiles.pop(identity)
        tile.set_identity("")
        tile.view.clear()
        tile.view.set_caption("", False, "")
        tile.view.set_level(0.0, False)
        self.levels.forget(identity)
        self._players.pop(identity).stop()

    def _on_member_changed(self, _index: int, member: Member) -> None:
        if member.identity in self._tiles:
            self._caption(member)

    def _caption(self, guest: Member) -> None:
        tile = self._tiles[guest.identity]
        tile.setTitle(guest.name)
        tile.view.set_caption(guest.name, not guest.mic_muted, guest.quality)

    def _on_frame(self, identity: str, width: int, height: int, bgra: memoryview) -> None:
        tile = self._tiles.get(identity)
        if tile is not None:
            tile.view.set_frame(width, height, bgra, BGRA)

    def _on_audio(self, identity: str, pcm: bytes) -> None:
        player = self._players.get(identity)
        if player is not None:
            player.write(pcm)
            self.levels.feed(identity, pcm)

    def _on_left(self, identity: str) -> None:
        # Their tracks are gone: no last frame frozen on the tile while the mirror catches up.
        tile = self._tiles.get(identity)
        if tile is not None:
            tile.view.clear()
