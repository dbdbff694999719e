"""Guests' screen shares on the stage (hostdesk/ui/share_view.py), fed as the host's session
delivers them: a tile per sharing guest, gone when the share ends, the guest leaves the stage
or the connection is away; Stop share asks the controller and says why when it cannot."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import pytest
from pytestqt.qtbot import QtBot

from hostdesk.screen_share import NO_SHARE
from hostdesk.show.connection import ConnectionState
from hostdesk.show.errors import NotFound
from hostdesk.show.events import Event
from hostdesk.show.mirror import Left, Seen, ShowMirror
from hostdesk.show.participants import Metadata, Participant
from hostdesk.show.roles import Role
from hostdesk.ui.bridge import Bridge
from hostdesk.ui.share_view import GuestShares
from hostdesk.ui.stage_panel import StagePanel

FRAME = memoryview(bytes([200, 40, 20, 255]) * 16 * 9)


class Feed:
    def __init__(self) -> None:
        self.share_frame: Event[[str, int, int, memoryview]] = Event()
        self.share_ended: Event[[str]] = Event()
        self.state_changed: Event[[ConnectionState, str]] = Event()

    def frame(self, identity: str) -> None:
        self.share_frame.emit(identity, 16, 9, FRAME)


class Stage:
    """The parts: a panel, the mirror with a guest Ann and a viewer Cy, the feed."""

    def __init__(self, qtbot: QtBot) -> None:
        self.panel = StagePanel()
        qtbot.addWidget(self.panel)
        self.mirror = ShowMirror()
        self.mirror.reset("host-jane")
        for identity, name, role in (("ann", "Ann", Role.GUEST), ("cy", "Cy", Role.VIEWER)):
            meta = Metadata(role, name).encode()
            self.mirror.apply(Seen(Participant(identity, name, metadata=meta), arrived=True))
        self.feed = Feed()
        self.bridge = Bridge()
        self.errors: list[str] = []
        self.bridge.error.connect(self.errors.append)
        self.stopped: list[str] = []
        self.refuse = False
        self.shares = GuestShares(self.panel, self.mirror, self.feed, self.stop, self.bridge)

    async def stop(self, identity: str) -> None:
        if self.refuse:
            raise NotFound(NO_SHARE)
        self.stopped.append(identity)

    def titles(self) -> list[str]:
        return [tile.title() for tile in self.panel.share_tiles]


@pytest.fixture
def stage(qtbot: QtBot) -> Iterator[Stage]:
    stage = Stage(qtbot)
    yield stage
    stage.shares.close()


def test_a_guests_share_gets_a_tile_of_its_own_named_after_them(stage: Stage) -> None:
    stage.feed.frame("ann")
    stage.feed.frame("ann")
    [tile] = stage.panel.share_tiles
    assert (tile.identity, tile.title()) == ("ann", "Ann's screen")
    assert tile.view.has_video and tile.view.frames_received == 2
    assert stage.panel.guest_tiles[0].view.frames_received == 0  # not on a camera's tile


def test_frames_from_someone_not_on_stage_make_no_tile(stage: Stage) -> None:
    stage.feed.frame("cy")
    stage.feed.frame("nobody")
    assert stage.panel.share_tiles == []


@pytest.mark.parametrize(
    "how", ["share ended", "left the stage", "connection ended", "reconnecting"]
)
def test_the_tile_goes_with_the_share(stage: Stage, how: str) -> None:
    stage.feed.frame("ann")
    assert stage.titles() == ["Ann's screen"]
    if how == "share ended":
        stage.feed.share_ended.emit("ann")
    elif how == "left the stage":
        stage.mirror.apply(Left("ann"))
    elif how == "connection ended":
        stage.feed.state_changed.emit(ConnectionState.DISCONNECTED, "gone")
    else:
        stage.feed.state_changed.emit(ConnectionState.RECONNECTING, "connection lost")
    assert stage.panel.share_tiles == []


async def test_stop_share_asks_the_controller_and_the_tile_goes_when_the_share_ends(
    stage: Stage,
) -> None:
    stage.feed.frame("ann")
    stage.panel.share_tiles[0].stop_button.click()
    await asyncio.sleep(0.01)
    assert stage.stopped == ["ann"]
    stage.feed.share_ended.emit("ann")  # the session, at LiveKit's mute
    assert stage.panel.share_tiles == []
    stage.feed.frame("ann")  # the guest shares again
    assert stage.titles() == ["Ann's screen"]


async def test_a_stop_that_fails_says_why_and_keeps_the_tile(stage: Stage) -> None:
    stage.refuse = True
    stage.feed.frame("ann")
    stage.panel.share_tiles[0].stop_button.click()
    await asyncio.sleep(0.01)
    assert stage.errors == ["Stop share: No screen share to stop"]
    assert stage.titles() == ["Ann's screen"]


def test_a_share_still_on_after_a_reconnection_comes_back_with_its_next_frame(
    stage: Stage,
) -> None:
    stage.feed.frame("ann")
    stage.feed.state_changed.emit(ConnectionState.RECONNECTING, "connection lost")
    stage.feed.state_changed.emit(ConnectionState.LIVE, "")
    stage.feed.frame("ann")
    assert stage.titles() == ["Ann's screen"]
