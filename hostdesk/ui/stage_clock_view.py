"""Each guest's time on stage on their tile, and the host asked at the show's limit.

The time counts from the server-written `onStageSince` (the mirror's `Member.on_stage_since`)
and the limit is the room's (`mirror.stage_settings`); both are read through the one rule,
`hostdesk.show.stage_clock.clock`. The tiles are refreshed once a second and whenever the
stage or the limit changes. At the limit the host is asked once per stay on stage (and again
only if the limit changes): never an automatic removal.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, QTimer

from hostdesk.service import now_ms
from hostdesk.show.mirror import Member, ShowMirror
from hostdesk.show.stage_clock import OVER, StageClock, clock
from hostdesk.ui.stage_panel import StagePanel
from hostdesk.ui.time_up import TimeUpPrompts

REFRESH_MS = 1000


def duration(seconds: int) -> str:
    """m:ss, or h:mm:ss from an hour on."""
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def clock_text(state: StageClock, limit_s: int) -> str:
    """What a guest's tile says: the time on stage, and the limit when the show has one."""
    shown = duration(state.elapsed_s)
    return f"{shown} / {duration(limit_s)}" if limit_s > 0 else shown


class StageClockView(QObject):
    def __init__(
        self,
        panel: StagePanel,
        mirror: ShowMirror,
        prompts: TimeUpPrompts,
        clock_ms: Callable[[], int] = now_ms,
    ) -> None:
        super().__init__(panel)
        self._panel = panel
        self._mirror = mirror
        self._prompts = prompts
        self.clock_ms = clock_ms  #: the server's clock (a test may put its own)
        #: (guest, on stage since, limit) the host was asked about
        self._asked: set[tuple[str, int, int]] = set()
        self._timer = QTimer(self)
        self._timer.setInterval(REFRESH_MS)
        self._timer.timeout.connect(self.refresh)
        self._timer.start()
        mirror.stage_changed.connect(self.refresh)
        mirror.stage_settings_changed.connect(self._on_settings)

    def close(self) -> None:
        self._timer.stop()
        self._mirror.stage_changed.disconnect(self.refresh)
        self._mirror.stage_settings_changed.disconnect(self._on_settings)

    def _on_settings(self, _settings: object) -> None:
        self.refresh()

    def refresh(self) -> None:
        limit = self._mirror.stage_settings.time_limit_s
        now = self.clock_ms()
        on_stage: set[str] = set()
        for tile in self._panel.guest_tiles:
            member = self._mirror.get(tile.identity) if tile.identity else None
            since = member.on_stage_since if member is not None else None
            if member is None or since is None:
                tile.view.set_clock("", "")
                continue
            on_stage.add(member.identity)
            state = clock(since, limit, now)
            tile.view.set_clock(clock_text(state, limit), state.phase)
            if state.phase == OVER:
                self._ask(member, since, limit)
        for identity in list(self._prompts.bars):
            if identity not in on_stage:
                self._prompts.withdraw(identity)
        self._asked = {asked for asked in self._asked if asked[0] in on_stage}

    def _ask(self, member: Member, since: int, limit: int) -> None:
        key = (member.identity, since, limit)
        if key not in self._asked:
            self._asked.add(key)
            self._prompts.ask(member.identity, member.name)
