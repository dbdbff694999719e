"""The stage's audio levels on the tiles, the speaking ring, and the speaker layout's focus.

The meters and their pace are `TileMeters`' (hostdesk.ui.tile_meters): the host's own
microphone (from the capture) and each guest's received audio are fed as they arrive and read 30
times a second. On top of that, someone speaks when their level says so or when LiveKit names
them among its active speakers (`active_speakers_changed`, computed by the server from
everyone's levels), and the speaker layout follows whoever speaks.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable

from hostdesk.ui.levels import LevelMeter, SpeakerFocus
from hostdesk.ui.stage_panel import StagePanel
from hostdesk.ui.stage_tile import StageTile
from hostdesk.ui.tile_meters import TileMeters

#: The host's own meter, whatever identity LiveKit gives them.
HOST = ""


class StageLevels(TileMeters):
    def __init__(
        self,
        panel: StagePanel,
        local_identity: Callable[[], str],
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        super().__init__(panel, self._tile, clock)
        self._panel = panel
        self._local_identity = local_identity
        self._speakers: frozenset[str] = frozenset()
        self._host_microphone = True
        self.focus = SpeakerFocus()
        self.track(HOST)

    def _tile(self, identity: str) -> StageTile | None:
        return self._panel.host_tile if identity == HOST else self._panel.tile_of(identity)

    def feed_host(self, pcm: bytes) -> None:
        if self._host_microphone:
            self.feed(HOST, pcm)

    def set_host_microphone(self, on: bool) -> None:
        self._host_microphone = on
        if not on:
            self._meters[HOST].silence()

    def set_speakers(self, identities: Iterable[str]) -> None:
        self._speakers = frozenset(identities)

    def speaking(self, identity: str, meter: LevelMeter, now: float) -> bool:
        if identity == HOST:
            local = self._local_identity()
            named = bool(local) and local in self._speakers and self._host_microphone
        else:
            named = identity in self._speakers
        return meter.speaking(now) or named

    def read(self) -> dict[str, tuple[float, bool]]:
        levels = super().read()
        on_stage = [HOST, *(t.identity for t in self._panel.guest_tiles if t.identity)]
        focused = self.focus.update(self.clock(), on_stage, levels)
        self._panel.set_focus_tile(self._tile(focused))
        return levels
