"""The stage's audio levels on the tiles, the speaking ring, and the speaker layout's focus.

Chunks are fed as they arrive (the host's own microphone from the capture, each guest's
received audio from the session) and only measured there (hostdesk.ui.levels); a timer reads
the meters 30 times a second and hands each tile its level, so painting never waits for audio
and audio never paints. Someone speaks when their level says so or when LiveKit names them among
its active speakers (`active_speakers_changed`, computed by the server from everyone's levels).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable

from PySide6.QtCore import QObject, QTimer

from hostdesk.ui.levels import LevelMeter, SpeakerFocus
from hostdesk.ui.stage_panel import StagePanel
from hostdesk.ui.stage_tile import StageTile

#: How often the tiles' meters are redrawn (ms).
READ_INTERVAL_MS = 33
#: The host's own meter, whatever identity LiveKit gives them.
HOST = ""


class StageLevels(QObject):
    def __init__(
        self,
        panel: StagePanel,
        local_identity: Callable[[], str],
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        super().__init__(panel)
        self._panel = panel
        self._local_identity = local_identity
        self.clock = clock  #: seconds, monotonic (a test may put its own)
        self._meters: dict[str, LevelMeter] = {HOST: LevelMeter()}
        self._speakers: frozenset[str] = frozenset()
        self._host_microphone = True
        self.focus = SpeakerFocus()
        self._timer = QTimer(self)
        self._timer.setInterval(READ_INTERVAL_MS)
        self._timer.timeout.connect(self.read)
        self._timer.start()

    def level(self, identity: str) -> float:
        """The meter of a guest (or the host's, for HOST) as last read."""
        meter = self._meters.get(identity)
        return meter.shown if meter else 0.0

    def track(self, identity: str) -> None:
        self._meters.setdefault(identity, LevelMeter())

    def forget(self, identity: str) -> None:
        self._meters.pop(identity, None)

    def feed(self, identity: str, pcm: bytes) -> None:
        meter = self._meters.get(identity)
        if meter is not None:
            meter.feed(pcm)

    def feed_host(self, pcm: bytes) -> None:
        if self._host_microphone:
            self._meters[HOST].feed(pcm)

    def set_host_microphone(self, on: bool) -> None:
        self._host_microphone = on
        if not on:
            self._meters[HOST].silence()

    def set_speakers(self, identities: Iterable[str]) -> None:
        self._speakers = frozenset(identities)

    def stop(self) -> None:
        self._timer.stop()

    def read(self) -> None:
        now = self.clock()
        local = self._local_identity()
        levels: dict[str, tuple[float, bool]] = {}
        for key, meter in self._meters.items():
            tile: StageTile | None
            if key == HOST:
                tile = self._panel.host_tile
                named = bool(local) and local in self._speakers and self._host_microphone
            else:
                tile = self._panel.tile_of(key)
                named = key in self._speakers
            level = meter.read(now)
            speaking = meter.speaking(now) or named
            levels[key] = (level, speaking)
            if tile is not None:
                tile.view.set_level(level, speaking)
        on_stage = [HOST, *(t.identity for t in self._panel.guest_tiles if t.identity)]
        focused = self.focus.update(now, on_stage, levels)
        self._panel.set_focus_tile(
            self._panel.host_tile if focused == HOST else self._panel.tile_of(focused)
        )
