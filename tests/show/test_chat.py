"""Chat moderation's shared rule: the settings in the room's metadata, the muted attribute, and
the gate that decides which chat lines a client shows."""

from __future__ import annotations

import json

import pytest

from hostdesk.show.chat import (
    HIDDEN,
    MUTED,
    TOO_SOON,
    ChatGate,
    ChatSettings,
    chat_muted_attributes,
    is_chat_muted,
    message_id,
)
from hostdesk.show.roles import Role
from hostdesk.show.rules import HIDDEN_CHAT_KEEP, SLOW_MODE_SLACK_MS

T0 = 1_704_067_200_000


def test_settings_survive_the_trip_through_the_room_metadata() -> None:
    settings = ChatSettings(30, (message_id("viewer-sam-1", T0), "viewer-eve-2:5"))
    metadata = settings.to_room_metadata()
    assert json.loads(metadata) == {
        "chat": {"slowModeSeconds": 30, "hidden": ["viewer-sam-1:1704067200000", "viewer-eve-2:5"]}
    }
    assert ChatSettings.from_room_metadata(metadata) == settings


def test_writing_the_settings_keeps_the_other_keys_of_the_metadata() -> None:
    existing = json.dumps({"title": "Zoë's show 🎤", "chat": {"slowModeSeconds": 5}})
    written = json.loads(ChatSettings(0, ("a:1",)).to_room_metadata(existing))
    assert written == {"title": "Zoë's show 🎤", "chat": {"slowModeSeconds": 0, "hidden": ["a:1"]}}


@pytest.mark.parametrize(
    "metadata",
    [
        "",
        "not json",
        "[1, 2]",
        '"text"',
        '{"chat": 5}',
        '{"chat": {"slowModeSeconds": "30", "hidden": "a:1"}}',
        '{"chat": {"slowModeSeconds": true}}',
        '{"chat": {"slowModeSeconds": -4, "hidden": [1, null]}}',
        '{"title": "no chat here"}',
    ],
)
def test_metadata_of_another_shape_reads_as_no_moderation(metadata: str) -> None:
    assert ChatSettings.from_room_metadata(metadata) == ChatSettings()


def test_garbage_metadata_is_replaced_by_the_settings_when_written() -> None:
    assert json.loads(ChatSettings(10).to_room_metadata("{broken")) == {
        "chat": {"slowModeSeconds": 10, "hidden": []}
    }


def test_hiding_keeps_the_newest_hidden_messages_and_names_each_once() -> None:
    settings = ChatSettings()
    for n in range(HIDDEN_CHAT_KEEP + 5):
        settings = settings.hiding(message_id("viewer-1", n))
    assert len(settings.hidden) == HIDDEN_CHAT_KEEP
    assert settings.hidden[0] == "viewer-1:5"
    assert settings.hidden[-1] == f"viewer-1:{HIDDEN_CHAT_KEEP + 4}"
    assert settings.hiding("viewer-1:10") == settings


def test_a_chat_is_muted_only_by_the_servers_mark() -> None:
    assert is_chat_muted(chat_muted_attributes(True))
    assert chat_muted_attributes(False) == {"chatMuted": ""}  # LiveKit deletes an empty one
    assert not is_chat_muted({})
    assert not is_chat_muted({"chatMuted": "true"})


def _admit(
    gate: ChatGate,
    settings: ChatSettings,
    at_ms: int,
    sender: str = "viewer-1",
    role: Role | None = Role.VIEWER,
    attributes: dict[str, str] | None = None,
) -> str | None:
    return gate.admit(sender, role, attributes or {}, at_ms, at_ms, settings)


def test_the_gate_drops_a_muted_senders_lines_and_hidden_messages() -> None:
    gate = ChatGate()
    settings = ChatSettings(hidden=(message_id("viewer-1", T0),))
    assert _admit(gate, settings, T0 + 1, attributes=chat_muted_attributes(True)) == MUTED
    assert _admit(gate, settings, T0) == HIDDEN
    assert _admit(gate, settings, T0, sender="viewer-2") is None  # same time, another sender
    assert _admit(gate, settings, T0 + 1) is None


def test_slow_mode_drops_a_viewers_line_sooner_than_allowed_less_the_slack() -> None:
    gate = ChatGate()
    slow = ChatSettings(slow_mode_s=30)
    assert _admit(gate, slow, T0) is None
    earliest = T0 + 30_000 - SLOW_MODE_SLACK_MS
    assert _admit(gate, slow, earliest - 1) == TOO_SOON
    assert _admit(gate, slow, T0 + 1, sender="viewer-2") is None  # each viewer has a clock
    assert _admit(gate, slow, earliest) is None
    assert _admit(gate, slow, earliest + 1) == TOO_SOON  # counted from the last line shown


def test_a_dropped_line_does_not_restart_the_slow_mode_clock() -> None:
    gate = ChatGate()
    slow = ChatSettings(slow_mode_s=10)
    assert _admit(gate, slow, T0) is None
    assert _admit(gate, slow, T0 + 5_000) == TOO_SOON
    assert _admit(gate, slow, T0 + 10_000) is None


@pytest.mark.parametrize("role", [Role.HOST, Role.GUEST])
def test_the_host_and_guests_are_not_slowed(role: Role) -> None:
    gate = ChatGate()
    slow = ChatSettings(slow_mode_s=60)
    for n in range(3):
        assert _admit(gate, slow, T0 + n, sender="stage-1", role=role) is None


def test_forgetting_a_sender_who_left_starts_their_clock_afresh() -> None:
    gate = ChatGate()
    slow = ChatSettings(slow_mode_s=60)
    assert _admit(gate, slow, T0) is None
    assert _admit(gate, slow, T0 + 1_000) == TOO_SOON
    gate.forget("viewer-1")
    assert _admit(gate, slow, T0 + 2_000) is None
