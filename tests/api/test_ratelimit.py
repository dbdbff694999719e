"""Rate limits per client address per minute, as the contract's table says."""

from __future__ import annotations

import pytest

from hostdesk.api.ratelimit import RateLimiter
from hostdesk.show.errors import RateLimited
from hostdesk.show.rules import RATE_LIMITS as LIMITS
from hostdesk.show.rules import RATE_WINDOW_S as WINDOW


class FakeClock:
    def __init__(self) -> None:
        self.now = 500.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def limiter(clock: FakeClock) -> RateLimiter:
    return RateLimiter(clock=clock)


def hit_n(limiter: RateLimiter, group: str, client: str, n: int) -> None:
    for _ in range(n):
        limiter.hit(group, client)


def test_the_limits_are_the_contracts_table() -> None:
    assert LIMITS == {"join": 10, "invite": 5, "hand_raise": 10, "other": 100}
    assert WINDOW == 60.0


def test_the_eleventh_join_in_a_minute_is_rate_limited(limiter: RateLimiter) -> None:
    hit_n(limiter, "join", "10.0.0.1", 10)
    with pytest.raises(RateLimited) as caught:
        limiter.hit("join", "10.0.0.1")
    assert 1 <= caught.value.retry_after <= 60
    assert caught.value.message == "Too many requests"


def test_retry_after_counts_down_to_the_end_of_the_window(
    limiter: RateLimiter, clock: FakeClock
) -> None:
    hit_n(limiter, "join", "c", 10)
    with pytest.raises(RateLimited) as at_once:
        limiter.hit("join", "c")
    assert at_once.value.retry_after == 60
    clock.now += 45.2
    with pytest.raises(RateLimited) as later:
        limiter.hit("join", "c")
    assert later.value.retry_after == 15
    clock.now += 14.7
    with pytest.raises(RateLimited) as last_moment:
        limiter.hit("join", "c")
    assert last_moment.value.retry_after == 1


def test_another_client_is_not_affected(limiter: RateLimiter) -> None:
    hit_n(limiter, "join", "10.0.0.1", 10)
    with pytest.raises(RateLimited):
        limiter.hit("join", "10.0.0.1")
    hit_n(limiter, "join", "10.0.0.2", 10)


def test_another_group_is_not_affected(limiter: RateLimiter) -> None:
    hit_n(limiter, "join", "c", 10)
    hit_n(limiter, "hand_raise", "c", 10)
    hit_n(limiter, "invite", "c", 5)


def test_the_window_resets_after_a_minute(limiter: RateLimiter, clock: FakeClock) -> None:
    hit_n(limiter, "join", "c", 10)
    clock.now += 59.9
    with pytest.raises(RateLimited):
        limiter.hit("join", "c")
    clock.now += 0.1
    hit_n(limiter, "join", "c", 10)
    with pytest.raises(RateLimited):
        limiter.hit("join", "c")


def test_refused_requests_do_not_extend_the_wait(limiter: RateLimiter, clock: FakeClock) -> None:
    hit_n(limiter, "join", "c", 10)
    for _ in range(30):
        clock.now += 1
        with pytest.raises(RateLimited):
            limiter.hit("join", "c")
    clock.now += 30
    limiter.hit("join", "c")


def test_the_invite_limit_is_five(limiter: RateLimiter) -> None:
    hit_n(limiter, "invite", "c", 5)
    with pytest.raises(RateLimited):
        limiter.hit("invite", "c")


def test_the_hand_raise_limit_is_ten(limiter: RateLimiter) -> None:
    hit_n(limiter, "hand_raise", "c", 10)
    with pytest.raises(RateLimited):
        limiter.hit("hand_raise", "c")


@pytest.mark.parametrize("group", ["other", "rooms", "participants", "never-heard-of"])
def test_unknown_groups_use_the_other_limit_of_100(limiter: RateLimiter, group: str) -> None:
    hit_n(limiter, group, "c", 100)
    with pytest.raises(RateLimited):
        limiter.hit(group, "c")


def test_many_clients_are_pruned_without_forgetting_live_windows(clock: FakeClock) -> None:
    limiter = RateLimiter(clock=clock)
    hit_n(limiter, "invite", "busy", 5)
    for n in range(10_001):
        limiter.hit("other", f"client-{n}")
    with pytest.raises(RateLimited):
        limiter.hit("invite", "busy")
    clock.now += WINDOW
    limiter.hit("other", "one-more")  # prunes the expired windows
    assert len(limiter._counts) == 1
