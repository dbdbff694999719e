"""The stage rules: one host per room, a limited number of guests, who may do what to whom.

The one place these rules live; the service applies them for the API and the window alike.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable

from hostdesk.show.errors import Conflict, Forbidden, InvalidInput, NotFound
from hostdesk.show.participants import Participant, find, with_role
from hostdesk.show.roles import Role
from hostdesk.show.rules import DEFAULT_STAGE_SIZE

ROOM_HAS_HOST = "Room already has a host"
#: A full stage of one seat: the contract's own message, kept exactly for the default size.
ROOM_HAS_GUEST = "Room already has a guest"
#: A full stage of more than one seat (`--stage-size` above 1).
STAGE_FULL = "The stage is full"
ONLY_HOST_PROMOTES = "Only the host can promote viewers to guest"
ONLY_HOST_DEMOTES = "Only the host can demote guests"
ONLY_HOST_REMOVES = "Only the host can remove guests"
PARTICIPANT_NOT_FOUND = "Participant not found"
ROLE_NOT_JOINABLE = 'role must be "host" or "viewer" (a guest is made only by an invitation)'
ONLY_VIEWERS_RAISE = "Only viewers can raise their hand"


def check_no_host(participants: Iterable[Participant], reserved: bool) -> None:
    """A second host is refused, also while a host token is issued but not yet connected."""
    if reserved or with_role(participants, Role.HOST):
        raise Conflict(ROOM_HAS_HOST)


def is_host(participants: Iterable[Participant], identity: str, reserved_host: str | None) -> bool:
    if identity and identity == reserved_host:
        return True
    participant = find(participants, identity)
    return participant is not None and participant.role is Role.HOST


def stage_full(guests: int, stage_size: int) -> bool:
    """The stage's capacity: the one place it is counted (promotion, restore, invitations)."""
    return guests >= stage_size


def stage_full_message(stage_size: int) -> str:
    """What a full stage answers (403): the contract's message for its one guest, another when
    the stage has more seats (there is no single guest to speak of)."""
    return ROOM_HAS_GUEST if stage_size == 1 else STAGE_FULL


def check_seat_free(guests: int, stage_size: int) -> None:
    if stage_full(guests, stage_size):
        raise Forbidden(stage_full_message(stage_size))


def check_acting_host(acting_host: bool, denial: str) -> None:
    """Only the host may act on a participant (403 with the act's own `denial`)."""
    if not acting_host:
        raise Forbidden(denial)


def check_participant(
    participants: Collection[Participant],
    identity: str,
    fits: Callable[[Participant], bool],
    misfit: str,
) -> Participant:
    """The participant a host acts on: 404 when not in the room, 400 `<identity> <misfit>` when
    the act does not fit them."""
    found = find(participants, identity)
    if found is None:
        raise NotFound(PARTICIPANT_NOT_FOUND)
    if not fits(found):
        raise InvalidInput(f"{identity} {misfit}")
    return found


def is_viewer(participant: Participant) -> bool:
    return participant.role is Role.VIEWER


def is_guest(participant: Participant) -> bool:
    return participant.role is Role.GUEST


def check_can_promote(
    participants: Collection[Participant],
    viewer_identity: str,
    acting_host: bool,
    stage_size: int = DEFAULT_STAGE_SIZE,
) -> Participant:
    """Returns the viewer to promote, or raises why not."""
    check_acting_host(acting_host, ONLY_HOST_PROMOTES)
    check_seat_free(len(with_role(participants, Role.GUEST)), stage_size)
    return check_participant(participants, viewer_identity, is_viewer, "is not a viewer")


def check_is_guest(
    participants: Collection[Participant], guest_identity: str, acting_host: bool, denial: str
) -> Participant:
    """Returns the guest to demote or remove, or raises why not."""
    check_acting_host(acting_host, denial)
    return check_participant(participants, guest_identity, is_guest, "is not the guest")
