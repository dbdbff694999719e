"""Who the host has blocked from a show, and whether a join or an arrival is one of them.

A block names the identity the host blocked and, when HostDesk saw it, the `clientId` the
viewer's browser sent when that identity joined, so the same browser is refused a new token.
The records live per room behind `BlockRecords` (a JSON file each, `hostdesk.blocks_store`);
the `clientId`s of viewers who joined are kept only in memory, bounded per room.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass
from typing import Any, Protocol

#: The `clientId`s remembered per room, newest kept: a block of an identity that joined longer
#: ago than this many joins still blocks the identity, only not its browser.
REMEMBERED_CLIENTS_PER_ROOM = 10_000
#: Rooms without blocks kept in memory (for the browsers of their recent joins), the most
#: recently used: a join may name any room, and a troll's random names must not grow the process.
ROOMS_KEPT = 1_000

BLOCKED_JOIN = "You cannot join this show"
BLOCK_NOT_FOUND = "Block not found"
HOST_NOT_BLOCKABLE = "The host cannot be blocked"


@dataclass(frozen=True)
class Block:
    identity: str
    name: str
    client_id: str | None
    blocked_at_ms: int

    def to_json(self) -> dict[str, Any]:
        return {
            "identity": self.identity,
            "name": self.name,
            "clientId": self.client_id,
            "blockedAt": self.blocked_at_ms,
        }

    @classmethod
    def from_json(cls, data: Any) -> Block | None:
        """A block as `to_json` wrote it, or None for anything else (a hand-edited file)."""
        if not isinstance(data, dict):
            return None
        identity, name = data.get("identity"), data.get("name")
        client_id, at = data.get("clientId"), data.get("blockedAt")
        if not (isinstance(identity, str) and identity and isinstance(name, str)):
            return None
        if client_id is not None and not isinstance(client_id, str):
            return None
        if not isinstance(at, int) or isinstance(at, bool):
            return None
        return cls(identity, name, client_id, at)


class BlockRecords(Protocol):
    """Where the blocks of each room are kept between runs (`hostdesk.blocks_store`)."""

    def load(self, room: str) -> list[Block]: ...
    def save(self, room: str, blocks: list[Block]) -> None: ...
    def rooms(self) -> list[str]: ...


class MemoryRecords:
    """Blocks kept for this run only (tests, and a service built without a store)."""

    def __init__(self) -> None:
        self._rooms: dict[str, list[Block]] = {}

    def load(self, room: str) -> list[Block]:
        return list(self._rooms.get(room, []))

    def save(self, room: str, blocks: list[Block]) -> None:
        self._rooms[room] = list(blocks)

    def rooms(self) -> list[str]:
        return [room for room, blocks in self._rooms.items() if blocks]


class RoomBlocks:
    """One room's blocks and the `clientId` each recent viewer joined with."""

    def __init__(self, blocks: list[Block]) -> None:
        self._blocks = {block.identity: block for block in blocks}
        self._clients: OrderedDict[str, str] = OrderedDict()

    def remember(self, identity: str, client_id: str) -> None:
        self._clients[identity] = client_id
        self._clients.move_to_end(identity)
        while len(self._clients) > REMEMBERED_CLIENTS_PER_ROOM:
            self._clients.popitem(last=False)

    def is_blocked(self, identity: str) -> bool:
        return identity in self._blocks

    def refuses(self, client_id: str) -> bool:
        return any(block.client_id == client_id for block in self._blocks.values())

    def block(self, identity: str, name: str, at_ms: int) -> Block:
        """Blocks `identity` and the browser it joined from; blocking again keeps the first."""
        existing = self._blocks.get(identity)
        if existing is not None:
            return existing
        made = Block(identity, name, self._clients.get(identity), at_ms)
        self._blocks[identity] = made
        return made

    def unblock(self, identity: str) -> bool:
        return self._blocks.pop(identity, None) is not None

    def all(self) -> list[Block]:
        """Oldest first."""
        return sorted(self._blocks.values(), key=lambda b: (b.blocked_at_ms, b.identity))


class Blocklist:
    """Every room's blocks, each room read from its records on first use."""

    def __init__(self, records: BlockRecords | None = None) -> None:
        self.records: BlockRecords = records or MemoryRecords()
        self._rooms: OrderedDict[str, RoomBlocks] = OrderedDict()
        self._blocked_rooms: set[str] | None = None  # read from the records on first use

    def blocked_rooms(self) -> set[str]:
        """The rooms that have blocks (from the records, the first time: a restart keeps them)."""
        if self._blocked_rooms is None:
            self._blocked_rooms = set(self.records.rooms())
        return self._blocked_rooms

    def room(self, room: str) -> RoomBlocks:
        found = self._rooms.get(room)
        if found is None:
            # Only a room the records list has blocks to read: a join to any other room name
            # (a typo, a troll's random names) costs no file read.
            blocks = self.records.load(room) if room in self.blocked_rooms() else []
            found = self._rooms[room] = RoomBlocks(blocks)
            self._evict()
        else:
            self._rooms.move_to_end(room)
        return found

    def _evict(self) -> None:
        """Forgets the least recently used rooms past `ROOMS_KEPT` that have no blocks."""
        blocked = self.blocked_rooms()
        while len(self._rooms) > ROOMS_KEPT + len(blocked):
            oldest = next((name for name in self._rooms if name not in blocked), None)
            if oldest is None:
                return
            del self._rooms[oldest]

    def saved(self, room: str) -> None:
        """Writes the room's blocks to its records (after a change)."""
        blocks = self.room(room).all()
        self.records.save(room, blocks)
        if blocks:
            self.blocked_rooms().add(room)
        else:
            self.blocked_rooms().discard(room)
