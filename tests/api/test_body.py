"""Request bodies read into their models, with the contract's error messages: the fast decoder
and the slow re-reading must agree on what they accept and say the same thing when they refuse."""

from __future__ import annotations

import json
from typing import Any

import pytest

from hostdesk.api.body import INVALID_JSON, NOT_AN_OBJECT, read_body
from hostdesk.api.models import JoinRequest
from hostdesk.api.moderation_models import ChatMuteRequest, HideChatRequest, SlowModeRequest
from hostdesk.api.stage_models import HandRaiseRequest, InviteRequest
from hostdesk.show.errors import InvalidInput
from hostdesk.show.rules import SLOW_MODE_MAX_S

REQUIRED = "roomName and participantName are required"


def _refusal(body: Any, model: type = JoinRequest) -> str:
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    with pytest.raises(InvalidInput) as caught:
        read_body(raw, model)
    return caught.value.message


def test_a_valid_body_is_read_into_its_model() -> None:
    raw = b'{"roomName": "my-show", "participantName": "john-doe", "role": "host", "x": 1}'
    assert read_body(raw, JoinRequest) == JoinRequest("my-show", "john-doe", "host")


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
    assert _refusal(body) == REQUIRED


def test_the_message_names_the_fields_of_the_model() -> None:
    assert _refusal({}, InviteRequest) == "viewerIdentity and hostIdentity are required"
    assert _refusal({"raised": True}, HandRaiseRequest) == (
        "participantIdentity and raised are required"
    )
    assert _refusal({"participantIdentity": "v"}, HandRaiseRequest) == (
        "participantIdentity and raised are required"
    )


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"roomName": 42, "participantName": "john"}, "roomName must be a string"),
        ({"roomName": "show", "participantName": 3.5}, "participantName must be a string"),
        ({"roomName": "show", "participantName": True}, "participantName must be a string"),
        ({"roomName": ["show"], "participantName": "john"}, "roomName must be a string"),
        ({"roomName": "   ", "participantName": "john"}, "roomName must not be empty"),
        (
            {"roomName": "s", "participantName": "a\x00"},
            "participantName must not contain control characters",
        ),
        (
            {"roomName": "s\n", "participantName": "a"},
            "roomName must not contain control characters",
        ),
        (
            {"roomName": "r" * 129, "participantName": "a"},
            "roomName must be at most 128 characters",
        ),
    ],
)
def test_a_wrong_field_is_named_with_its_problem(body: dict[str, Any], message: str) -> None:
    assert _refusal({**body, "role": "viewer"}) == message


def test_raised_must_be_a_boolean_even_when_null() -> None:
    for raised in (None, 1, "yes"):
        body = {"participantIdentity": "v", "raised": raised}
        assert _refusal(body, HandRaiseRequest) == "raised must be a boolean"


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (b"{not json", INVALID_JSON),
        (b"\xff\xfe", INVALID_JSON),
        (b"", NOT_AN_OBJECT),
        (b"  ", NOT_AN_OBJECT),
        (b"[1, 2]", NOT_AN_OBJECT),
        (b'"text"', NOT_AN_OBJECT),
        (
            b'{"roomName": "a\\udc00", "participantName": "b", "role": "viewer"}',
            "roomName must not contain control characters",
        ),
    ],
)
def test_malformed_bodies_are_refused_with_the_contracts_message(raw: bytes, message: str) -> None:
    assert _refusal(raw) == message


def test_what_only_the_fast_decoder_refuses_is_still_accepted() -> None:
    """The contract's server took these; the slow road keeps taking them."""
    role_left_to_the_service = read_body(b'{"roomName": "r", "participantName": "p"}', JoinRequest)
    assert role_left_to_the_service.role == ""  # refused by the service with its own message
    extra = b'{"roomName": "r", "participantName": "p", "role": "viewer", "x": NaN}'
    assert read_body(extra, JoinRequest).room_name == "r"
    latin = '{"roomName": "Zoë", "participantName": "p", "role": "viewer"}'.encode("latin-1")
    assert read_body(latin, JoinRequest, "latin-1").room_name == "Zoë"


def test_a_model_of_one_required_field_says_it_is_required() -> None:
    assert _refusal({}, ChatMuteRequest) == "muted is required"
    assert _refusal({"x": 1}, SlowModeRequest) == "seconds is required"
    assert _refusal({"timestamp": 5}, HideChatRequest) == (
        "senderIdentity and timestamp are required"
    )


@pytest.mark.parametrize(
    "seconds", [-1, SLOW_MODE_MAX_S + 1, "30", True, False, None, 2.5, 2**70, 1e300, [30]]
)
def test_an_integer_field_refuses_anything_but_a_whole_number_in_its_range(seconds: Any) -> None:
    message = f"seconds must be an integer from 0 to {SLOW_MODE_MAX_S}"
    assert _refusal({"seconds": seconds}, SlowModeRequest) == message


@pytest.mark.parametrize("seconds", [0, 1, SLOW_MODE_MAX_S])
def test_an_integer_field_takes_its_whole_range(seconds: int) -> None:
    raw = json.dumps({"seconds": seconds}).encode()
    assert read_body(raw, SlowModeRequest).seconds == seconds
    assert read_body(raw, SlowModeRequest, "latin-1").seconds == seconds  # the slow road


def test_a_whole_number_written_with_a_point_is_that_integer_as_json_schema_says() -> None:
    read = read_body(b'{"seconds": 30.0}', SlowModeRequest)
    assert read.seconds == 30 and type(read.seconds) is int


def test_a_timestamp_is_a_whole_number_a_page_can_hold() -> None:
    largest = 2**53 - 1
    body = {"senderIdentity": "viewer-sam-1", "timestamp": largest}
    assert read_body(json.dumps(body).encode(), HideChatRequest).timestamp == largest
    message = f"timestamp must be an integer from 0 to {largest}"
    for bad in (-1, largest + 1, "1704067200000", None, 1.5):
        assert _refusal({**body, "timestamp": bad}, HideChatRequest) == message
