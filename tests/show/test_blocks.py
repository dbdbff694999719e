"""The blocklist of a room: who is blocked, which browsers are refused, what is kept."""

from __future__ import annotations

from pathlib import Path
from typing import cast

from hostdesk.blocks_store import BlockStore
from hostdesk.moderation import Moderation
from hostdesk.show.blocks import (
    REMEMBERED_CLIENTS_PER_ROOM,
    ROOMS_KEPT,
    Block,
    Blocklist,
    RoomBlocks,
)
from hostdesk.show.gateways import RoomGateway


def test_blocking_an_identity_refuses_the_browser_it_joined_from() -> None:
    room = RoomBlocks([])
    room.remember("viewer-troll-1", "browser-a")
    room.remember("viewer-nice-2", "browser-b")
    block = room.block("viewer-troll-1", "Troll", 1000)
    assert block == Block("viewer-troll-1", "Troll", "browser-a", 1000)
    assert room.is_blocked("viewer-troll-1")
    assert room.refuses("browser-a")
    assert not room.refuses("browser-b")
    assert not room.is_blocked("viewer-nice-2")


def test_an_identity_without_a_known_browser_is_still_blocked() -> None:
    room = RoomBlocks([])
    room.block("viewer-old-app", "Old app", 5)
    assert room.is_blocked("viewer-old-app")
    assert not room.refuses("any-browser")


def test_blocking_twice_keeps_the_first_block_and_unblock_lifts_it() -> None:
    room = RoomBlocks([])
    first = room.block("viewer-x", "X", 1)
    assert room.block("viewer-x", "X", 2) is first
    assert room.unblock("viewer-x")
    assert not room.is_blocked("viewer-x")
    assert not room.unblock("viewer-x")


def test_the_browsers_remembered_are_bounded_newest_kept() -> None:
    room = RoomBlocks([])
    for n in range(REMEMBERED_CLIENTS_PER_ROOM + 1):
        room.remember(f"viewer-{n}", f"browser-{n}")
    assert room.block("viewer-0", "first", 1).client_id is None  # forgotten: the oldest
    assert room.block(f"viewer-{REMEMBERED_CLIENTS_PER_ROOM}", "last", 2).client_id == (
        f"browser-{REMEMBERED_CLIENTS_PER_ROOM}"
    )


def test_blocks_are_listed_oldest_first() -> None:
    room = RoomBlocks([])
    room.block("viewer-b", "B", 20)
    room.block("viewer-a", "A", 10)
    assert [b.identity for b in room.all()] == ["viewer-a", "viewer-b"]


def test_a_block_read_back_from_json_is_the_same_and_junk_is_dropped() -> None:
    block = Block("viewer-x", "Ximena 🎉", "browser-x", 123)
    assert Block.from_json(block.to_json()) == block
    junk_values: list[object] = [
        None,
        [],
        {"identity": ""},
        {**block.to_json(), "blockedAt": "soon"},
        {**block.to_json(), "clientId": 5},
        {**block.to_json(), "blockedAt": True},
    ]
    for junk in junk_values:
        assert Block.from_json(junk) is None


def test_blocks_survive_a_new_blocklist_on_the_same_folder(tmp_path: Path) -> None:
    first = Blocklist(BlockStore(tmp_path))
    first.room("show/with slash").remember("viewer-t", "browser-t")
    first.room("show/with slash").block("viewer-t", "T", 7)
    first.saved("show/with slash")
    again = Blocklist(BlockStore(tmp_path))
    assert again.room("show/with slash").refuses("browser-t")
    assert again.room("show/with slash").is_blocked("viewer-t")
    assert not again.room("another show").is_blocked("viewer-t")
    files = list((tmp_path / "blocks").iterdir())
    assert [f.suffix for f in files] == [".json"]  # no temporary file left behind
    assert (tmp_path / "blocks").stat().st_mode & 0o077 == 0


def test_an_unreadable_blocks_file_means_no_blocks_not_a_crash(tmp_path: Path) -> None:
    store = BlockStore(tmp_path)
    store.save("show", [Block("viewer-x", "X", None, 1)])
    (file,) = (tmp_path / "blocks").iterdir()
    file.write_text("{not json", encoding="utf-8")
    assert store.load("show") == []


def test_the_rooms_with_blocks_come_back_from_disk_after_a_restart(tmp_path: Path) -> None:
    first = Blocklist(BlockStore(tmp_path))
    first.room("show-a").block("viewer-troll", "Troll", 1_000)
    first.saved("show-a")
    first.room("show-b")  # looked at, never blocked in

    again = Blocklist(BlockStore(tmp_path))  # a new HostDesk on the same config folder
    assert again.blocked_rooms() == {"show-a"}
    again.room("show-a").unblock("viewer-troll")
    again.saved("show-a")
    assert again.blocked_rooms() == set()
    assert Blocklist(BlockStore(tmp_path)).blocked_rooms() == set()


class _Untouchable:
    """A LiveKit that fails the test if it is asked anything."""

    def __getattr__(self, name: str) -> object:
        raise AssertionError(f"LiveKit was called: {name}")


async def test_without_blocks_the_sweep_asks_livekit_nothing(tmp_path: Path) -> None:
    moderation = Moderation(
        cast(RoomGateway, _Untouchable()), Blocklist(BlockStore(tmp_path)), lambda: 0
    )
    assert await moderation.sweep() == 0


def test_rooms_without_blocks_are_forgotten_past_the_bound_but_rooms_with_blocks_never() -> None:
    blocklist = Blocklist()
    blocklist.room("kept").remember("viewer-1", "browser-1")
    blocklist.room("kept").block("viewer-1", "Troll", 1)
    blocklist.saved("kept")
    blocklist.room("quiet").remember("viewer-2", "browser-2")
    for i in range(ROOMS_KEPT + 50):
        blocklist.room(f"random-{i}")
    blocklist.room("quiet").remember("viewer-3", "browser-3")  # a new record of the room

    assert len(blocklist._rooms) == ROOMS_KEPT + 1
    assert "random-0" not in blocklist._rooms
    assert blocklist.room("kept").refuses("browser-1")
    assert blocklist.room("quiet").block("viewer-2", "Sam", 2).client_id is None  # forgotten
    assert blocklist.room("quiet").block("viewer-3", "Ann", 3).client_id == "browser-3"
