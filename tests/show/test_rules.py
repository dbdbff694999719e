"""The one definition of the show's limits, as the server enforces it and the page reads it."""

from __future__ import annotations

import re
import unicodedata

import pytest

from hostdesk.show import rules


def _refused_by_unicode(ch: str) -> bool:
    return ch in rules.INVISIBLE or unicodedata.category(ch) in ("Cc", "Cs")


def test_the_forbidden_class_is_exactly_the_control_rule_over_all_of_unicode() -> None:
    forbidden = re.compile(rules.NAME_FORBIDDEN_CLASS)
    wrong = [
        hex(code)
        for code in range(0x110000)
        if bool(forbidden.match(chr(code))) != _refused_by_unicode(chr(code))
    ]
    assert wrong == []


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        ("Ana", None),
        ("Ana\u200dMaria", None),  # a joiner stays allowed
        ("   ", "name must not be empty"),
        ("", "name must not be empty"),
        ("x" * 129, "name must be at most 128 characters"),
        ("a\nb", "name must not contain control characters"),
        ("a\u202eb", "name must not contain control characters"),
    ],
)
def test_name_problem_and_the_pattern_agree(value: str, problem: str | None) -> None:
    assert rules.name_problem("name", value) == problem
    pattern_ok = bool(re.match(rules.NAME_PATTERN, value)) and len(value) <= rules.NAME_MAX_LENGTH
    assert pattern_ok == (problem is None)


def test_what_clients_are_told_is_what_the_server_enforces() -> None:
    told = rules.for_clients(stage_size=3)
    assert told["nameMaxLength"] == rules.NAME_MAX_LENGTH == 128
    assert told["chatMaxLength"] == rules.CHAT_MAX_LENGTH == 1000
    assert told["inviteTimeoutMs"] == 60_000
    assert told["stageSize"] == 3
    assert told["rateLimits"] == {
        "windowSeconds": 60,
        "join": 10,
        "invite": 5,
        "hand_raise": 10,
        "other": 100,
    }
    assert re.compile(told["nameForbidden"]).search("a\x00") is not None


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("How do I get on stage?", None),
        ("", None),  # empty means no question
        ("   ", None),
        ("Ça va? 👋🏽 ok", None),
        ("x" * 200, None),
        ("x" * 201, "question must be at most 200 characters"),
        ("two\nlines", "question must not contain control characters"),
        ("tab\there", "question must not contain control characters"),
        ("swap\u202eme", "question must not contain control characters"),
        ("zero\u200bwidth", "question must not contain control characters"),
    ],
)
def test_question_problem_takes_the_name_rule_and_its_own_length(
    text: str, problem: str | None
) -> None:
    assert rules.question_problem(text) == problem


@pytest.mark.parametrize(
    ("value", "problem"),
    [(1, None), (6, None), (3, None)]
    + [(bad, "--stage-size must be from 1 to 6") for bad in (0, 7, -1, True, "2", 2.0, None)],
)
def test_a_stage_holds_one_to_six_guests(value: object, problem: str | None) -> None:
    assert (rules.STAGE_SIZE_MIN, rules.STAGE_SIZE_MAX) == (1, 6)
    assert rules.stage_size_problem("--stage-size", value) == problem


def test_the_page_is_told_when_the_stage_clock_warns() -> None:
    assert rules.for_clients(stage_size=2)["stageWarningSeconds"] == rules.STAGE_WARNING_S == 60


def test_the_page_is_told_the_question_limit() -> None:
    told = rules.for_clients(stage_size=1)
    assert told["questionMaxLength"] == rules.QUESTION_MAX_LENGTH == 200
