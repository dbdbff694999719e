"""The stage clock's shared rule: the server-written time a guest went on stage, the show's limit
in the room's metadata, and the clock every reader computes from them."""

from __future__ import annotations

import json

import pytest

from hostdesk.show.chat import ChatSettings
from hostdesk.show.rules import STAGE_TIME_LIMIT_MAX_S, STAGE_WARNING_S
from hostdesk.show.stage_clock import (
    ON_STAGE_ATTRIBUTE,
    StageClock,
    StageSettings,
    clock,
    on_stage_attributes,
    on_stage_since,
)

T0 = 1_704_067_200_000


# -- when a guest went on stage ---------------------------------------------------------------


def test_the_attribute_is_the_servers_milliseconds_as_text_and_empty_deletes_it() -> None:
    assert ON_STAGE_ATTRIBUTE == "onStageSince"
    assert on_stage_attributes(T0) == {"onStageSince": "1704067200000"}
    assert on_stage_attributes(None) == {"onStageSince": ""}
    assert on_stage_since(on_stage_attributes(T0)) == T0


@pytest.mark.parametrize(
    "attributes",
    [
        {},
        {"onStageSince": ""},
        {"onStageSince": "0"},
        {"onStageSince": "-5"},
        {"onStageSince": "12.5"},
        {"onStageSince": " 12"},
        {"onStageSince": "soon"},
        {"onStageSince": "١٢٣"},  # digits, but not ASCII ones
        {"handRaisedAt": "1704067200000"},
    ],
)
def test_anything_but_a_positive_whole_number_is_not_on_stage(attributes: dict[str, str]) -> None:
    assert on_stage_since(attributes) is None


# -- the show's limit in the room's metadata --------------------------------------------------


def test_the_limit_survives_the_trip_through_the_room_metadata() -> None:
    metadata = StageSettings(300).to_room_metadata()
    assert json.loads(metadata) == {"stage": {"timeLimitSeconds": 300}}
    assert StageSettings.from_room_metadata(metadata) == StageSettings(300)
    assert StageSettings(300).with_time_limit(0) == StageSettings()


def test_writing_the_limit_keeps_the_chat_settings_and_every_other_key() -> None:
    existing = ChatSettings(30, ("viewer-1:5",)).to_room_metadata(json.dumps({"title": "Zoë 🎤"}))
    written = StageSettings(600).to_room_metadata(existing)
    assert json.loads(written) == {
        "title": "Zoë 🎤",
        "chat": {"slowModeSeconds": 30, "hidden": ["viewer-1:5"]},
        "stage": {"timeLimitSeconds": 600},
    }
    assert ChatSettings.from_room_metadata(written) == ChatSettings(30, ("viewer-1:5",))
    # and the chat's writer keeps the stage's key in turn
    assert StageSettings.from_room_metadata(ChatSettings(5).to_room_metadata(written)) == (
        StageSettings(600)
    )


@pytest.mark.parametrize(
    "metadata",
    [
        "",
        "not json",
        "[1]",
        '{"stage": 5}',
        '{"stage": {"timeLimitSeconds": "300"}}',
        '{"stage": {"timeLimitSeconds": true}}',
        '{"stage": {"timeLimitSeconds": 1.5}}',
        '{"stage": {"timeLimitSeconds": -60}}',
        f'{{"stage": {{"timeLimitSeconds": {STAGE_TIME_LIMIT_MAX_S + 1}}}}}',
        '{"chat": {"slowModeSeconds": 30}}',
    ],
)
def test_metadata_of_another_shape_reads_as_no_limit(metadata: str) -> None:
    assert StageSettings.from_room_metadata(metadata) == StageSettings()


def test_the_longest_limit_is_read() -> None:
    metadata = StageSettings(STAGE_TIME_LIMIT_MAX_S).to_room_metadata()
    assert StageSettings.from_room_metadata(metadata).time_limit_s == 4 * 60 * 60


# -- the clock --------------------------------------------------------------------------------


def test_without_a_limit_the_clock_only_counts_up() -> None:
    assert clock(T0, 0, T0) == StageClock(0, None, "on")
    assert clock(T0, 0, T0 + 3_599_999) == StageClock(3599, None, "on")
    assert clock(T0, 0, T0 + 10 * 3_600_000) == StageClock(36_000, None, "on")


@pytest.mark.parametrize(
    ("after_ms", "expected"),
    [
        (0, StageClock(0, 300, "on")),
        (239_999, StageClock(239, 61, "on")),
        (240_000, StageClock(240, 60, "warning")),
        (299_999, StageClock(299, 1, "warning")),
        (300_000, StageClock(300, 0, "over")),
        (900_000, StageClock(900, 0, "over")),
    ],
)
def test_the_clock_warns_in_the_last_minute_and_is_over_at_the_limit(
    after_ms: int, expected: StageClock
) -> None:
    assert STAGE_WARNING_S == 60
    assert clock(T0, 300, T0 + after_ms) == expected


def test_a_limit_shorter_than_the_warning_warns_from_the_start() -> None:
    assert clock(T0, 30, T0) == StageClock(0, 30, "warning")
    assert clock(T0, 60, T0) == StageClock(0, 60, "warning")
    assert clock(T0, 61, T0) == StageClock(0, 61, "on")


def test_a_reader_whose_clock_is_behind_the_servers_reads_no_time_yet() -> None:
    assert clock(T0, 120, T0 - 5_000) == StageClock(0, 120, "on")
