"""The backstage's rules: its room's name, who is backstage (the server-written attribute, on a
viewer only), who may be sent there, taken live from there, or given a token for it."""

from __future__ import annotations

import pytest

from hostdesk.show import backstage
from hostdesk.show.errors import Forbidden, InvalidInput, NotFound
from hostdesk.show.participants import Participant
from hostdesk.show.roles import Metadata, Role


def person(identity: str, role: Role, sent: bool = False) -> Participant:
    attributes = {"backstage": "1"} if sent else {}
    metadata = Metadata(role, identity.title()).encode()
    return Participant(identity, identity, metadata=metadata, attributes=attributes)


HOST = person("host-1", Role.HOST)
VIEWER = person("viewer-1", Role.VIEWER)
BACKSTAGE = person("viewer-2", Role.VIEWER, sent=True)
GUEST_WITH_STALE_ATTRIBUTE = person("guest-1", Role.GUEST, sent=True)
ROOM = [HOST, VIEWER, BACKSTAGE, GUEST_WITH_STALE_ATTRIBUTE]


def test_the_backstage_room_is_the_show_room_with_a_suffix() -> None:
    assert backstage.backstage_room("my-show") == "my-show~backstage"
    assert backstage.is_backstage_room("my-show~backstage")
    assert not backstage.is_backstage_room("my-show")
    assert not backstage.is_backstage_room("my-show~backstage-not")


def test_a_client_may_not_name_a_backstage_room() -> None:
    backstage.check_room_name("my-show")
    with pytest.raises(InvalidInput, match="^That room name is reserved$"):
        backstage.check_room_name("x~backstage")


def test_only_a_viewer_with_the_attribute_set_to_1_is_backstage() -> None:
    assert backstage.is_backstage(BACKSTAGE)
    assert not backstage.is_backstage(VIEWER)
    assert not backstage.is_backstage(GUEST_WITH_STALE_ATTRIBUTE)
    other_value = Participant("v", "v", metadata=VIEWER.metadata, attributes={"backstage": "0"})
    assert not backstage.is_backstage(other_value)
    assert backstage.backstage_of(ROOM) == [BACKSTAGE]


def test_the_attribute_update_sets_1_or_deletes_it() -> None:
    assert backstage.backstage_attributes(True) == {"backstage": "1"}
    assert backstage.backstage_attributes(False) == {"backstage": ""}


def test_the_host_sends_a_viewer_backstage_and_nobody_else() -> None:
    assert backstage.check_can_send(ROOM, "viewer-1", True, "no") is VIEWER
    with pytest.raises(Forbidden, match="^no$"):
        backstage.check_can_send(ROOM, "viewer-1", False, "no")
    with pytest.raises(NotFound, match="^Participant not found$"):
        backstage.check_can_send(ROOM, "nobody", True, "no")
    with pytest.raises(InvalidInput, match="^guest-1 is not a viewer$"):
        backstage.check_can_send(ROOM, "guest-1", True, "no")


def test_only_a_backstage_viewer_is_taken_live_or_sent_back() -> None:
    assert backstage.check_is_backstage(ROOM, "viewer-2", True, "no") is BACKSTAGE
    with pytest.raises(Forbidden, match="^no$"):
        backstage.check_is_backstage(ROOM, "viewer-2", False, "no")
    with pytest.raises(NotFound, match="^Participant not found$"):
        backstage.check_is_backstage(ROOM, "nobody", True, "no")
    for identity in ("viewer-1", "guest-1", "host-1"):
        with pytest.raises(InvalidInput, match=f"^{identity} is not backstage$"):
            backstage.check_is_backstage(ROOM, identity, True, "no")


def test_a_backstage_token_is_only_for_a_backstage_viewer() -> None:
    assert backstage.check_token_holder(BACKSTAGE) is BACKSTAGE
    for refused in (None, VIEWER, GUEST_WITH_STALE_ATTRIBUTE, HOST):
        with pytest.raises(Forbidden, match="^You are not backstage$"):
            backstage.check_token_holder(refused)
