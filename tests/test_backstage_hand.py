"""The server side of a viewer sent backstage with a raised hand (hostdesk.backstage): the hand
and its question are lowered in the same update that sends them, so no client's queue lists
them and Send back does not bring the old hand back."""

from __future__ import annotations

from hostdesk.service import ShowService
from hostdesk.show.backstage import BACKSTAGE_ATTRIBUTE, is_backstage
from hostdesk.show.participants import HAND_ATTRIBUTE, QUESTION_ATTRIBUTE, hand_queue
from hostdesk.show.roles import Role
from tests.support.fakes import ROOM, FakeRooms, FakeTokens

HOST = "host-jane"


async def test_sending_a_viewer_backstage_lowers_their_hand_and_send_back_keeps_it_down() -> None:
    rooms = FakeRooms()
    service = ShowService(rooms, FakeTokens())
    rooms.connect(HOST, Role.HOST, "Jane")
    rooms.connect("viewer-ann", Role.VIEWER)
    rooms.connect("viewer-bob", Role.VIEWER)
    await service.set_hand(ROOM, "viewer-ann", True, "May I?")
    await service.set_hand(ROOM, "viewer-bob", True)

    await service.backstage.send(ROOM, "viewer-ann", HOST)

    ann = rooms.person("viewer-ann")
    assert is_backstage(ann)
    assert HAND_ATTRIBUTE not in ann.attributes and QUESTION_ATTRIBUTE not in ann.attributes
    queue = hand_queue(list(rooms.rooms[ROOM].values()))
    assert [p.identity for p in queue] == ["viewer-bob"]

    await service.backstage.send_back(ROOM, "viewer-ann", HOST)

    ann = rooms.person("viewer-ann")
    assert BACKSTAGE_ATTRIBUTE not in ann.attributes and HAND_ATTRIBUTE not in ann.attributes
    queue = hand_queue(list(rooms.rooms[ROOM].values()))
    assert [p.identity for p in queue] == ["viewer-bob"]
