"""Level meters for a set of tiles named by identity: each one's audio is fed as it arrives and
only measured there (hostdesk.ui.levels.LevelMeter), and a timer reads the meters 30 times a
second and hands each tile its level, so painting never waits for audio and audio never paints.
The backstage's tiles use it as it is; the stage's (hostdesk.ui.stage_levels) add the host's
microphone, LiveKit's active speakers and the speaker focus on top.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from PySide6.QtCore import QObject, QTimer

from hostdesk.ui.levels import LevelMeter
from hostdesk.ui.stage_tile import StageTile

#: How often the tiles' meters are redrawn (ms).
READ_INTERVAL_MS = 33


class TileMeters(QObject):
    """`tile_of(identity)`: the tile that shows that identity's level now (None: not shown)."""

    def __init__(
        self,
        parent: QObject,
        tile_of: Callable[[str], StageTile | None],
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        super().__init__(parent)
        self._tile_of = tile_of
        self.clock = clock  #: seconds, monotonic (a test may put its own)
        self._meters: dict[str, LevelMeter] = {}
        self._timer = QTimer(self)
        self._timer.setInterval(READ_INTERVAL_MS)
        self._timer.timeout.connect(self.read)
        self._timer.start()

    def level(self, identity: str) -> float:
        """Their meter as last read (0 for someone not metered)."""
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

    def stop(self) -> None:
        self._timer.stop()

    def speaking(self, identity: str, meter: LevelMeter, now: float) -> bool:
        """Whether they speak now: by their level (the stage adds LiveKit's word)."""
        return meter.speaking(now)

    def read(self) -> dict[str, tuple[float, bool]]:
        """Reads every meter into its tile; returns each identity's (level, speaking)."""
        now = self.clock()
        levels: dict[str, tuple[float, bool]] = {}
        for identity, meter in self._meters.items():
            level = meter.read(now)
            speaking = self.speaking(identity, meter, now)
            levels[identity] = (level, speaking)
            tile = self._tile_of(identity)
            if tile is not None:
                tile.view.set_level(level, speaking)
        return levels
