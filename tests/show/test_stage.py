"""The stage rules: one host per room, a limited stage, only the host moves people on and off."""

from __future__ import annotations

import pytest

from hostdesk.show import rules, stage
from hostdesk.show.errors import Conflict, Forbidden, InvalidInput, NotFound
from hostdesk.show.participants import Participant
from hostdesk.show.roles import Metadata, Role


def person(identity: str, role: Role | None) -> Participant:
    metadata = Metadata(role, identity.title()).encode() if role else ""
    return Participant(identity=identity, name=identity, metadata=metadata)


HOST = person("host-1", Role.HOST)
GUEST = person("guest-1", Role.GUEST)
VIEWER = person("viewer-1", Role.VIEWER)
OTHER_VIEWER = person("viewer-2", Role.VIEWER)
STRANGER = person("stranger", None)


# -- one host per room ------------------------------------------------------------------------


def test_a_room_without_a_host_accepts_one() -> None:
    stage.check_no_host([VIEWER, GUEST], reserved=False)
    stage.check_no_host([], reserved=False)


def test_a_live_host_refuses_a_second_with_409_room_already_has_a_host() -> None:
    with pytest.raises(Conflict, match="^Room already has a host$"):
        stage.check_no_host([HOST, VIEWER], reserved=False)


def test_a_reserved_host_refuses_a_second_before_the_first_connects() -> None:
    with pytest.raises(Conflict, match="^Room already has a host$"):
        stage.check_no_host([VIEWER], reserved=True)


def test_is_host_for_the_live_host_only() -> None:
    room = [HOST, GUEST, VIEWER]
    assert stage.is_host(room, "host-1", reserved_host=None)
    assert not stage.is_host(room, "guest-1", reserved_host=None)
    assert not stage.is_host(room, "viewer-1", reserved_host=None)
    assert not stage.is_host(room, "nobody", reserved_host=None)


def test_is_host_for_a_reserved_identity_not_yet_connected() -> None:
    assert stage.is_host([VIEWER], "host-2", reserved_host="host-2")
    assert not stage.is_host([VIEWER], "viewer-1", reserved_host="host-2")


def test_an_empty_identity_is_never_the_host_even_with_an_empty_reservation() -> None:
    assert not stage.is_host([VIEWER], "", reserved_host="")


# -- promotion --------------------------------------------------------------------------------


def test_the_host_promotes_a_viewer() -> None:
    promoted = stage.check_can_promote([HOST, VIEWER], "viewer-1", acting_host=True)
    assert promoted is VIEWER


def test_only_the_host_can_promote_with_403() -> None:
    with pytest.raises(Forbidden, match="^Only the host can promote viewers to guest$"):
        stage.check_can_promote([HOST, VIEWER], "viewer-1", acting_host=False)


def test_not_being_the_host_is_said_before_anything_else() -> None:
    with pytest.raises(Forbidden, match="^Only the host can promote viewers to guest$"):
        stage.check_can_promote([HOST, GUEST], "nobody", acting_host=False)


def test_a_full_stage_refuses_a_promotion_with_403_room_already_has_a_guest() -> None:
    with pytest.raises(Forbidden, match="^Room already has a guest$"):
        stage.check_can_promote([HOST, GUEST, VIEWER], "viewer-1", acting_host=True)


def test_a_stage_of_two_takes_a_second_guest_but_not_a_third() -> None:
    promoted = stage.check_can_promote(
        [HOST, GUEST, VIEWER, OTHER_VIEWER], "viewer-1", acting_host=True, stage_size=2
    )
    assert promoted is VIEWER
    second_guest = person("guest-2", Role.GUEST)
    with pytest.raises(Forbidden, match="^The stage is full$"):
        stage.check_can_promote(
            [HOST, GUEST, second_guest, VIEWER], "viewer-1", acting_host=True, stage_size=2
        )


@pytest.mark.parametrize(
    ("size", "message"),
    [(1, "Room already has a guest")]
    + [(size, "The stage is full") for size in range(2, rules.STAGE_SIZE_MAX + 1)],
)
def test_a_full_stage_says_the_contracts_words_only_at_its_one_seat(
    size: int, message: str
) -> None:
    assert stage.stage_full_message(size) == message
    guests = [person(f"guest-{n}", Role.GUEST) for n in range(size)]
    with pytest.raises(Forbidden) as caught:
        stage.check_seat_free(len(guests), size)
    assert caught.value.message == message
    stage.check_seat_free(size - 1, size)


def test_promoting_someone_not_in_the_room_is_participant_not_found() -> None:
    with pytest.raises(NotFound, match="^Participant not found$"):
        stage.check_can_promote([HOST, VIEWER], "viewer-9", acting_host=True)


@pytest.mark.parametrize("target", [HOST, STRANGER], ids=["the-host", "no-role"])
def test_promoting_someone_who_is_not_a_viewer_is_invalid_input(target: Participant) -> None:
    with pytest.raises(InvalidInput, match="is not a viewer"):
        stage.check_can_promote([HOST, STRANGER, VIEWER], target.identity, acting_host=True)


# -- demotion and removal ---------------------------------------------------------------------


def test_the_host_finds_the_guest_to_demote() -> None:
    found = stage.check_is_guest(
        [HOST, GUEST], "guest-1", acting_host=True, denial=stage.ONLY_HOST_DEMOTES
    )
    assert found is GUEST


@pytest.mark.parametrize("denial", [stage.ONLY_HOST_DEMOTES, stage.ONLY_HOST_REMOVES])
def test_only_the_host_demotes_or_removes_the_guest_with_403(denial: str) -> None:
    with pytest.raises(Forbidden) as caught:
        stage.check_is_guest([HOST, GUEST], "guest-1", acting_host=False, denial=denial)
    assert caught.value.message == denial


def test_demoting_someone_not_in_the_room_is_participant_not_found() -> None:
    with pytest.raises(NotFound, match="^Participant not found$"):
        stage.check_is_guest([HOST, GUEST], "guest-9", acting_host=True, denial="x")


@pytest.mark.parametrize("target", [HOST, VIEWER, STRANGER], ids=["host", "viewer", "no-role"])
def test_demoting_someone_who_is_not_the_guest_is_invalid_input(target: Participant) -> None:
    with pytest.raises(InvalidInput, match="is not the guest"):
        stage.check_is_guest(
            [HOST, GUEST, VIEWER, STRANGER], target.identity, acting_host=True, denial="x"
        )


def test_the_messages_are_the_contracts_words() -> None:
    assert stage.ROOM_HAS_HOST == "Room already has a host"
    assert stage.ROOM_HAS_GUEST == "Room already has a guest"
    assert stage.ONLY_HOST_PROMOTES == "Only the host can promote viewers to guest"
    assert rules.DEFAULT_STAGE_SIZE == 1
