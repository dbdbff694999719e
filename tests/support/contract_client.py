"""A client written to the API contract alone, as a mobile app or the contract's own frontend
would be: it joins with `POST /api/rooms/join` (the documented body, nothing else), connects
with the token and `wsUrl` it gets, and sends the documented data messages as JSON with NO
topic (the contract names none) and only the documented fields.

It knows nothing HostDesk adds: not the `identity` of the join's answer (it reads its own from
the room, as any LiveKit client can), not HostDesk's topic. It reads every packet whatever its
topic, as such a client would. Recording and waiting come from `Bot`, which it extends only in
what it sends.
"""

from __future__ import annotations

import json
import time
from typing import Any

import aiohttp
from livekit import rtc

from tests.support.bots import Bot

#: The documented fields of each message type beyond type, senderId, senderName, timestamp.
DOCUMENTED_FIELDS: dict[str, frozenset[str]] = {
    "hand_raise": frozenset(),
    "hand_lower": frozenset(),
    "guest_invite": frozenset({"targetParticipantId", "targetParticipantName"}),
    "guest_invite_response": frozenset({"accepted"}),
    "guest_promoted": frozenset({"targetParticipantId", "targetParticipantName"}),
    "guest_demoted": frozenset({"targetParticipantId", "targetParticipantName"}),
    "chat_message": frozenset({"message"}),
}


class ContractClient(Bot):
    """One participant joined and talking as the contract says, and only so."""

    def __init__(self, name: str, token: str, url: str) -> None:
        super().__init__("", token, url)
        self.name = name
        #: the topic each message type last arrived on ("" for none), to tell what HostDesk sent
        self.topics: dict[str, str] = {}

    def _on_data(self, packet: rtc.DataPacket) -> None:
        try:
            kind = json.loads(packet.data).get("type")
        except (ValueError, AttributeError):
            kind = None
        if isinstance(kind, str):
            self.topics[kind] = packet.topic
        super()._on_data(packet)

    @classmethod
    async def join(
        cls,
        http: aiohttp.ClientSession,
        api_url: str,
        room: str,
        name: str,
        role: str = "viewer",
        api_key: str = "",
    ) -> ContractClient:
        """Joins through the API and connects. `api_key`: the contract's "API key
        authentication for server-to-server calls", which a host bot uses."""
        headers = {"X-API-Key": api_key} if api_key else {}
        body = {"roomName": room, "participantName": name, "role": role}
        async with http.post(f"{api_url}/api/rooms/join", json=body, headers=headers) as reply:
            answer = await reply.json()
            assert reply.status == 200, answer
        assert answer["roomName"] == room and answer["role"] == role, answer
        client = cls(name, answer["token"], answer["wsUrl"])
        await client.connect()
        client.identity = client.room.local_participant.identity
        return client

    async def say(self, type_: str, to: list[str] | None = None, **fields: Any) -> None:
        """Sends one documented message, with no topic."""
        undocumented = set(fields) - DOCUMENTED_FIELDS[type_]
        assert not undocumented, f"{type_} has no field {undocumented} in the contract"
        message = {
            "type": type_,
            "senderId": self.identity,
            "senderName": self.name,
            "timestamp": int(time.time() * 1000),
            **fields,
        }
        await self.room.local_participant.publish_data(
            json.dumps(message), reliable=True, destination_identities=to or []
        )

    async def send(self, message: dict[str, Any], to: list[str] | None = None) -> None:
        fields = {k: v for k, v in message.items() if k not in {"type", "senderId", "senderName"}}
        fields.pop("timestamp", None)
        await self.say(str(message["type"]), to, **fields)

    async def send_raw(self, data: bytes) -> None:
        await self.room.local_participant.publish_data(data, reliable=True)

    async def send_on_topic(self, topic: str, type_: str, **fields: Any) -> None:
        """The same message on another app's topic: traffic HostDesk must leave alone."""
        message = {
            "type": type_,
            "senderId": self.identity,
            "senderName": self.name,
            "timestamp": int(time.time() * 1000),
            **fields,
        }
        await self.room.local_participant.publish_data(
            json.dumps(message), reliable=True, topic=topic
        )
