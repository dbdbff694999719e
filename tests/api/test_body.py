"""Required text fields of request bodies, with the contract's error messages."""

from __future__ import annotations

from typing import Any

import pytest

from hostdesk.api.body import required_names
from hostdesk.show.errors import InvalidInput

REQUIRED = "roomName and participantName are required"


def test_present_names_are_returned_in_order() -> None:
    body = {"roomName": "my-show", "participantName": "john-doe", "role": "host"}
    assert required_names(body, "roomName", "participantName") == ["my-show", "john-doe"]


@pytest.mark.parametrize(
    "body",
    [
        pytest.param({}, id="both-missing"),
        pytest.param({"participantName": "john"}, id="room-missing"),
        pytest.param({"roomName": "show"}, id="participant-missing"),
        pytest.param({"roomName": "", "participantName": "john"}, id="room-empty"),
        pytest.param({"roomName": "show", "participantName": ""}, id="participant-empty"),
        pytest.param({"roomName": None, "participantName": "john"}, id="room-null"),
        pytest.param({"roomName": 5, "participantName": ""}, id="number-and-empty"),
    ],
)
def test_missing_or_empty_fields_give_the_contracts_message(body: dict[str, Any]) -> None:
    with pytest.raises(InvalidInput) as caught:
        required_names(body, "roomName", "participantName")
    assert caught.value.message == REQUIRED


def test_the_message_names_the_fields_asked_for() -> None:
    with pytest.raises(InvalidInput) as caught:
        required_names({}, "viewerIdentity", "hostIdentity")
    assert caught.value.message == "viewerIdentity and hostIdentity are required"


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"roomName": 42, "participantName": "john"}, "roomName must be a string"),
        ({"roomName": "show", "participantName": 3.5}, "participantName must be a string"),
        ({"roomName": "show", "participantName": True}, "participantName must be a string"),
        ({"roomName": "show", "participantName": 0}, "participantName must be a string"),
        ({"roomName": ["show"], "participantName": "john"}, "roomName must be a string"),
        ({"roomName": {"a": 1}, "participantName": "john"}, "roomName must be a string"),
    ],
)
def test_a_non_string_field_says_it_must_be_a_string(body: dict[str, Any], message: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        required_names(body, "roomName", "participantName")
    assert caught.value.message == message


def test_names_are_checked_too() -> None:
    with pytest.raises(InvalidInput, match="^roomName must not be empty$"):
        required_names(
            {"roomName": "   ", "participantName": "john"}, "roomName", "participantName"
        )
    with pytest.raises(InvalidInput, match="participantName must not contain control characters"):
        required_names({"roomName": "s", "participantName": "a\x00"}, "roomName", "participantName")
