"""Names from outside, identities made from them, and the short reservations of the API."""

from __future__ import annotations

import re

import pytest

from hostdesk.show.errors import InvalidInput
from hostdesk.show.reservations import HOST_TOKEN_TTL, Reservations
from hostdesk.show.rules import NAME_MAX_LENGTH as MAX_NAME_LENGTH
from hostdesk.show.validation import check_name, new_identity

# -- check_name -------------------------------------------------------------------------------


@pytest.mark.parametrize("value", ["", " ", "\t \n"])
def test_an_empty_or_blank_name_is_refused(value: str) -> None:
    with pytest.raises(InvalidInput, match="^roomName must not be empty$"):
        check_name("roomName", value)


def test_a_name_over_128_characters_is_refused() -> None:
    with pytest.raises(InvalidInput, match="^participantName must be at most 128 characters$"):
        check_name("participantName", "x" * (MAX_NAME_LENGTH + 1))


def test_private_use_characters_are_accepted() -> None:
    assert check_name("participantName", "private\ue000use") == "private\ue000use"


def test_a_name_of_exactly_128_characters_is_accepted() -> None:
    assert MAX_NAME_LENGTH == 128
    assert check_name("participantName", "x" * 128) == "x" * 128


def test_the_limit_counts_characters_not_bytes() -> None:
    assert check_name("participantName", "é" * 128) == "é" * 128


@pytest.mark.parametrize(
    "value",
    ["John Doe", "Zoë 🎤", "日本語の名前", "Ολυμπία", "O'Brien-Smith", "a", "viewer-123"],
)
def test_ordinary_and_non_ascii_names_are_accepted_unchanged(value: str) -> None:
    assert check_name("participantName", value) == value


@pytest.mark.parametrize(
    "value",
    [
        pytest.param("bad\x00name", id="nul"),
        pytest.param("two\nlines", id="newline"),
        pytest.param("tab\tbed", id="tab"),
        pytest.param("bell\x07", id="bell"),
        pytest.param("del\x7f", id="del"),
        pytest.param("c1\x85", id="c1-next-line"),
        pytest.param("zero\u200bwidth", id="zero-width-space-Cf"),
        pytest.param("evil\u202etxt.exe", id="right-to-left-override-Cf"),
    ],
)
def test_a_name_with_control_or_format_characters_is_refused(value: str) -> None:
    with pytest.raises(InvalidInput, match="^participantName must not contain control characters$"):
        check_name("participantName", value)


@pytest.mark.parametrize(
    "value",
    [
        pytest.param("Ana \U0001f469\u200d\U0001f4bb", id="zwj-emoji-sequence-Cf"),
        pytest.param("\u0645\u06cc\u200c\u062e\u0648\u0627\u0647\u0645", id="persian-zwnj-Cf"),
        pytest.param("Moose \U0001face", id="emoji-newer-than-unicode-14-Cn"),
    ],
)
def test_names_with_joiners_or_newer_emoji_are_accepted(value: str) -> None:
    # Joiners (Cf) inside emoji sequences and Persian words, and characters newer than this
    # Python's Unicode tables (Cn), are part of real names: only controls and the invisible
    # reordering characters are refused.
    assert check_name("participantName", value) == value


# -- new_identity -----------------------------------------------------------------------------


def test_new_identities_for_the_same_display_name_are_distinct() -> None:
    made = {new_identity("viewer", "John Doe") for _ in range(200)}
    assert len(made) == 200


def test_a_new_identity_keeps_the_role_and_a_readable_slug() -> None:
    assert re.fullmatch(r"viewer-john-doe-[0-9a-f]{8}", new_identity("viewer", "John Doe"))


def test_a_new_identity_slugs_punctuation_and_non_ascii_away() -> None:
    assert re.fullmatch(r"host-zo-[0-9a-f]{8}", new_identity("host", "Zoë 🎤"))
    assert re.fullmatch(
        r"viewer-o-brien-smith-[0-9a-f]{8}", new_identity("viewer", "O'Brien--Smith!")
    )


def test_a_name_without_any_ascii_letter_still_gives_an_identity() -> None:
    assert re.fullmatch(r"viewer-[0-9a-f]{8}", new_identity("viewer", "日本語"))


def test_a_new_identity_from_the_longest_name_stays_short_and_valid() -> None:
    identity = new_identity("viewer", "a" * MAX_NAME_LENGTH)
    assert len(identity) <= 64
    assert check_name("identity", identity) == identity


# -- reservations -----------------------------------------------------------------------------


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_a_reserved_host_is_held_until_its_ttl_passes() -> None:
    clock = FakeClock()
    reservations = Reservations(clock=clock)
    reservations.reserve_host("show", "host-1", ttl=10)
    assert reservations.host("show") == "host-1"
    clock.now += 9.999
    assert reservations.host("show") == "host-1"
    clock.now += 0.001
    assert reservations.host("show") is None


def test_the_default_host_reservation_lasts_twenty_seconds() -> None:
    clock = FakeClock()
    reservations = Reservations(clock=clock)
    reservations.reserve_host("show", "host-1")
    assert HOST_TOKEN_TTL == 20.0
    clock.now += 19.5
    assert reservations.host("show") == "host-1"
    clock.now += 0.5
    assert reservations.host("show") is None


def test_an_expired_reservation_stays_expired() -> None:
    clock = FakeClock()
    reservations = Reservations(clock=clock)
    reservations.reserve_host("show", "host-1", ttl=1)
    clock.now += 5
    assert reservations.host("show") is None
    clock.now -= 5  # even a clock that goes back does not revive it
    assert reservations.host("show") is None


def test_a_released_reservation_is_gone_at_once() -> None:
    reservations = Reservations(clock=FakeClock())
    reservations.reserve_host("show", "host-1")
    reservations.release_host("show")
    assert reservations.host("show") is None
    reservations.release_host("never-reserved")  # harmless


def test_reservations_are_per_room() -> None:
    reservations = Reservations(clock=FakeClock())
    reservations.reserve_host("show-a", "host-a")
    assert reservations.host("show-a") == "host-a"
    assert reservations.host("show-b") is None
