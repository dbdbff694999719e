"""The backstage's rules: a second LiveKit room, `<show>~backstage`, where the host sees and hears
a viewer before putting them on stage, and which the audience cannot reach by any client trick.

Nobody but HostDesk mints a token for it (a room name with the suffix is refused wherever a
client names a room), and HostDesk mints one only for a viewer the server-written attribute
`backstage` says the host sent there.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable

from hostdesk.show.errors import Forbidden, InvalidInput
from hostdesk.show.participants import Participant
from hostdesk.show.roles import Role
from hostdesk.show.stage import check_acting_host, check_participant, is_viewer

BACKSTAGE_SUFFIX = "~backstage"
#: Participant attribute, in the show's room, of a viewer the host sent backstage ("1").
BACKSTAGE_ATTRIBUTE = "backstage"
ROOM_NAME_RESERVED = "That room name is reserved"
NOT_BACKSTAGE = "You are not backstage"


def backstage_room(room: str) -> str:
    """The backstage room of a show's room."""
    return room + BACKSTAGE_SUFFIX


def is_backstage_room(name: str) -> bool:
    return name.endswith(BACKSTAGE_SUFFIX)


def check_room_name(name: str) -> None:
    """A client may not name a backstage room: only HostDesk mints tokens for it."""
    if is_backstage_room(name):
        raise InvalidInput(ROOM_NAME_RESERVED)


def backstage_attributes(backstage: bool) -> dict[str, str]:
    """The attribute update that sends a viewer backstage, or (empty deletes) back."""
    return {BACKSTAGE_ATTRIBUTE: "1" if backstage else ""}


def is_backstage(participant: Participant) -> bool:
    """Only a viewer is backstage: a guest went on stage (the attribute is cleared then)."""
    return (
        participant.role is Role.VIEWER
        and participant.attributes.get(BACKSTAGE_ATTRIBUTE, "") == "1"
    )


def backstage_of(participants: Iterable[Participant]) -> list[Participant]:
    """Who is backstage, in the order LiveKit lists them."""
    return [p for p in participants if is_backstage(p)]


def check_can_send(
    participants: Collection[Participant], identity: str, acting_host: bool, denial: str
) -> Participant:
    """Returns the viewer the host sends backstage, or raises why not."""
    check_acting_host(acting_host, denial)
    return check_participant(participants, identity, is_viewer, "is not a viewer")


def check_is_backstage(
    participants: Collection[Participant], identity: str, acting_host: bool, denial: str
) -> Participant:
    """Returns the backstage viewer the host takes live or sends back, or raises why not."""
    check_acting_host(acting_host, denial)
    return check_participant(participants, identity, is_backstage, "is not backstage")


def check_token_holder(participant: Participant | None) -> Participant:
    """The participant asking for a backstage token, when the host sent them there."""
    if participant is None or not is_backstage(participant):
        raise Forbidden(NOT_BACKSTAGE)
    return participant
