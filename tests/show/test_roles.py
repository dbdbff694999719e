"""Roles, their LiveKit permissions, and the participant metadata that carries the role."""

from __future__ import annotations

import json

import pytest

from hostdesk.show.roles import JOINABLE_ROLES, PERMISSIONS, Metadata, Role, Source


@pytest.mark.parametrize("role", list(Role))
def test_metadata_encodes_to_the_documented_shape(role: Role) -> None:
    raw = Metadata(role, "John Doe").encode()
    assert json.loads(raw) == {"role": role.value, "displayName": "John Doe"}


@pytest.mark.parametrize("role", list(Role))
def test_metadata_survives_encode_then_decode(role: Role) -> None:
    metadata = Metadata(role, "Zoë 🎤")
    assert Metadata.decode(metadata.encode()) == metadata


def test_the_contracts_metadata_example_decodes() -> None:
    decoded = Metadata.decode('{"role":"host","displayName":"John Doe"}')
    assert decoded == Metadata(Role.HOST, "John Doe")


@pytest.mark.parametrize(
    "raw",
    [
        "",
        "not json",
        "{",
        '["host"]',
        '"host"',
        "42",
        "null",
        '{"role":"admin","displayName":"Eve"}',
        '{"role":"HOST","displayName":"Eve"}',
        '{"role":null,"displayName":"Eve"}',
        '{"role":["host"],"displayName":"Eve"}',
        '{"displayName":"Eve"}',
    ],
)
def test_garbage_metadata_gives_no_role_and_never_raises(raw: str) -> None:
    assert Metadata.decode(raw).role is None


@pytest.mark.parametrize("raw", ["", "not json", "[1]", '{"role":"viewer","displayName":7}'])
def test_metadata_without_a_usable_display_name_uses_the_fallback(raw: str) -> None:
    assert Metadata.decode(raw, fallback_name="LiveKit Name").display_name == "LiveKit Name"


def test_deeply_nested_metadata_gives_no_role_and_never_raises() -> None:
    assert Metadata.decode("[" * 5000).role is None


def test_guest_cannot_be_asked_for_at_join() -> None:
    assert JOINABLE_ROLES == {Role.HOST, Role.VIEWER}


def test_viewers_cannot_publish() -> None:
    assert PERMISSIONS[Role.VIEWER].can_publish is False


@pytest.mark.parametrize("role", list(Role))
def test_no_role_can_update_its_own_metadata(role: Role) -> None:
    assert PERMISSIONS[role].can_update_metadata is False


@pytest.mark.parametrize("role", list(Role))
def test_every_role_can_subscribe_and_send_data(role: Role) -> None:
    assert PERMISSIONS[role].can_subscribe is True
    assert PERMISSIONS[role].can_publish_data is True


def test_guests_may_publish_camera_microphone_and_a_screen_share_with_its_sound() -> None:
    guest = PERMISSIONS[Role.GUEST]
    assert guest.can_publish is True
    assert set(guest.publish_sources) == {
        Source.CAMERA,
        Source.MICROPHONE,
        Source.SCREEN_SHARE,
        Source.SCREEN_SHARE_AUDIO,
    }


def test_the_host_may_publish_any_source() -> None:
    host = PERMISSIONS[Role.HOST]
    assert host.can_publish is True
    assert host.publish_sources == ()  # LiveKit: an empty list allows every source


def test_only_the_host_is_room_admin() -> None:
    assert {role for role, p in PERMISSIONS.items() if p.room_admin} == {Role.HOST}


def test_every_role_has_permissions() -> None:
    assert set(PERMISSIONS) == set(Role)
