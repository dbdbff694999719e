"""What the window waits for before it can go live, and how long (hostdesk/ui/going_live.py)."""

from __future__ import annotations

from PySide6.QtWidgets import QApplication

from hostdesk.config import ConfigError
from hostdesk.show.errors import Conflict, InvalidInput, Unavailable
from hostdesk.show.stage import ROOM_HAS_HOST
from hostdesk.ui.bridge import Bridge
from hostdesk.ui.going_live import (
    HOST_ELSEWHERE,
    GoLiveAttempts,
    retry_delay,
    waiting_text,
    why_waiting,
)
from tests.support.desk_fixtures import eventually


def test_retries_back_off_one_two_four_seconds_then_every_five() -> None:
    assert [retry_delay(n) for n in range(1, 8)] == [1, 2, 4, 5, 5, 5, 5]


def test_a_host_elsewhere_and_an_unreachable_livekit_are_waited_for() -> None:
    assert why_waiting(Conflict(ROOM_HAS_HOST)) == HOST_ELSEWHERE
    assert why_waiting(Unavailable("LiveKit server unavailable")) == (
        "cannot reach LiveKit (LiveKit server unavailable)"
    )
    assert why_waiting(ConnectionRefusedError("refused")) == "cannot reach LiveKit (refused)"
    assert why_waiting(TimeoutError()) == "cannot reach LiveKit (TimeoutError)"


def test_wrong_input_and_unworkable_settings_are_not_retried() -> None:
    assert why_waiting(InvalidInput("roomName must not be empty")) is None
    assert why_waiting(ConfigError("LIVEKIT_URL is not a URL")) is None


def test_the_waiting_text_names_the_show_the_reason_and_the_next_try() -> None:
    assert waiting_text("Friday Live", HOST_ELSEWHERE, 4) == (
        "Waiting to go live in Friday Live: the show already has a host (another computer?)"
        " — trying again in 4 s"
    )
    assert waiting_text("Friday Live", HOST_ELSEWHERE, 0).endswith("— trying again now…")


class Steps:
    """A go-live whose attempts fail with the given errors, then succeed; it records the order."""

    def __init__(self, name: str, log: list[str], *failures: Exception) -> None:
        self.name, self.log, self.failures = name, log, list(failures)

    async def prepare(self) -> None:
        self.log.append(f"prepare {self.name}")

    async def attempt(self) -> None:
        self.log.append(f"attempt {self.name}")
        if self.failures:
            raise self.failures.pop(0)

    async def abandon(self) -> None:
        self.log.append(f"abandon {self.name}")


def _start(attempts: GoLiveAttempts, steps: Steps) -> None:
    attempts.start("Friday Live", steps.prepare, steps.attempt, steps.abandon)


async def test_attempts_wait_say_so_and_stop_once_live(qapp: QApplication) -> None:
    attempts = GoLiveAttempts(Bridge())
    shown: list[str] = []
    stopped: list[bool] = []
    attempts.waiting.connect(shown.append)
    attempts.stopped.connect(lambda: stopped.append(attempts.active))
    log: list[str] = []
    _start(attempts, Steps("a", log, Conflict(ROOM_HAS_HOST)))
    await eventually(lambda: stopped, 5, "the attempts to stop")

    assert log == ["prepare a", "attempt a", "attempt a"]
    assert shown == [
        waiting_text("Friday Live", HOST_ELSEWHERE, 1),
        waiting_text("Friday Live", HOST_ELSEWHERE, 0),
    ]
    assert stopped == [False] and attempts.failures == 1


async def test_wrong_input_is_raised_to_the_bridge_once_and_undone(qapp: QApplication) -> None:
    bridge = Bridge()
    errors: list[str] = []
    bridge.error.connect(errors.append)
    attempts = GoLiveAttempts(bridge)
    log: list[str] = []
    _start(attempts, Steps("a", log, InvalidInput("roomName must not be empty")))
    await eventually(lambda: errors, 5, "the error")

    assert errors == ["Go live: roomName must not be empty"]
    assert log == ["prepare a", "attempt a", "abandon a"]
    assert not attempts.active and attempts.failures == 0


async def test_a_new_start_abandons_the_waiting_one_before_preparing(qapp: QApplication) -> None:
    attempts = GoLiveAttempts(Bridge())
    shown: list[str] = []
    attempts.waiting.connect(shown.append)
    log: list[str] = []
    _start(attempts, Steps("a", log, Unavailable("LiveKit server unavailable")))
    await eventually(lambda: shown, 5, "the first waiting text")
    _start(attempts, Steps("b", log))
    await eventually(lambda: "attempt b" in log and not attempts.active, 5, "the second run")

    assert log == ["prepare a", "attempt a", "abandon a", "prepare b", "attempt b"]


async def test_cancel_undoes_what_was_prepared(qapp: QApplication) -> None:
    attempts = GoLiveAttempts(Bridge())
    log: list[str] = []
    _start(attempts, Steps("a", log, Conflict(ROOM_HAS_HOST)))
    await eventually(lambda: attempts.failures == 1, 5, "a failed attempt")
    attempts.cancel()
    await eventually(lambda: not attempts.active, 5, "the attempts to stop")

    assert log == ["prepare a", "attempt a", "abandon a"]
