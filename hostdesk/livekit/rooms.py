"""The LiveKit room service, in the show's terms, with LiveKit's failures as show errors."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Mapping
from typing import TypeVar

import aiohttp
from livekit import api

from hostdesk.livekit.participants import participant_of
from hostdesk.show.errors import LIVEKIT_UNAVAILABLE, NotFound, Unavailable
from hostdesk.show.messages import TOPIC, DataMessage
from hostdesk.show.participants import Participant, RoomSummary
from hostdesk.show.roles import Metadata, Permissions, Source

log = logging.getLogger("hostdesk.livekit")

ROOM_NOT_FOUND = "Room not found"
PARTICIPANT_NOT_FOUND = "Participant not found"
#: Every call gives up after this long, so an API answer (503) comes within 3 s.
CALL_TIMEOUT = 2.5

T = TypeVar("T")


class LiveKitRooms:
    """Room service calls. Create it inside the running event loop (the SDK captures it)."""

    def __init__(self, url: str, api_key: str, api_secret: str) -> None:
        self.http_url = url.replace("wss://", "https://").replace("ws://", "http://")
        self._session = aiohttp.ClientSession(
            timeout=aiohttp.ClientTimeout(total=CALL_TIMEOUT, connect=1.0)
        )
        self._api = api.LiveKitAPI(self.http_url, api_key, api_secret, session=self._session)

    async def aclose(self) -> None:
        await self._api.aclose()
        await self._session.close()

    async def _call(self, call: Awaitable[T], not_found: str = ROOM_NOT_FOUND) -> T:
        try:
            return await asyncio.wait_for(call, CALL_TIMEOUT)
        except api.TwirpError as exc:
            if exc.code == api.TwirpErrorCode.NOT_FOUND:
                raise NotFound(not_found) from None
            if exc.status >= 500 or exc.code == api.TwirpErrorCode.UNAVAILABLE:
                log.warning("LiveKit error %s: %s", exc.code, exc.message)
                raise Unavailable(LIVEKIT_UNAVAILABLE) from None
            raise
        except (TimeoutError, aiohttp.ClientError, OSError) as exc:
            log.warning("LiveKit unreachable: %r", exc)
            raise Unavailable(LIVEKIT_UNAVAILABLE) from None

    async def reachable(self) -> bool:
        try:
            async with self._session.get(self.http_url + "/") as response:
                return response.status == 200
        except (TimeoutError, aiohttp.ClientError, OSError):
            return False

    async def list_rooms(self, names: list[str] | None = None) -> list[RoomSummary]:
        response = await self._call(self._api.room.list_rooms(api.ListRoomsRequest(names=names)))
        return [
            RoomSummary(r.name, r.sid, r.num_participants, int(r.creation_time), r.metadata)
            for r in response.rooms
        ]

    async def create_room(self, name: str) -> None:
        await self._call(self._api.room.create_room(api.CreateRoomRequest(name=name)))

    async def delete_room(self, name: str) -> None:
        await self._call(self._api.room.delete_room(api.DeleteRoomRequest(room=name)))

    async def update_room_metadata(self, room: str, metadata: str) -> None:
        await self._call(
            self._api.room.update_room_metadata(
                api.UpdateRoomMetadataRequest(room=room, metadata=metadata)
            )
        )

    async def list_participants(self, room: str) -> list[Participant]:
        response = await self._call(
            self._api.room.list_participants(api.ListParticipantsRequest(room=room))
        )
        return [participant_of(p) for p in response.participants]

    async def get_participant(self, room: str, identity: str) -> Participant:
        info = await self._call(
            self._api.room.get_participant(
                api.RoomParticipantIdentity(room=room, identity=identity)
            ),
            not_found=PARTICIPANT_NOT_FOUND,
        )
        return participant_of(info)

    async def remove_participant(self, room: str, identity: str) -> None:
        await self._call(
            self._api.room.remove_participant(
                api.RoomParticipantIdentity(room=room, identity=identity)
            ),
            not_found=PARTICIPANT_NOT_FOUND,
        )

    async def update_participant(
        self,
        room: str,
        identity: str,
        *,
        metadata: Metadata | None = None,
        permissions: Permissions | None = None,
        attributes: Mapping[str, str] | None = None,
    ) -> Participant:
        request = api.UpdateParticipantRequest(
            room=room,
            identity=identity,
            metadata=metadata.encode() if metadata else "",
            attributes=dict(attributes or {}),
        )
        if permissions is not None:
            request.permission.CopyFrom(_permission(permissions))
        info = await self._call(
            self._api.room.update_participant(request), not_found=PARTICIPANT_NOT_FOUND
        )
        return participant_of(info)

    async def mute_microphone(self, room: str, identity: str, muted: bool) -> bool:
        """Mutes a participant's published microphone; False when they publish none."""
        info = await self._call(
            self._api.room.get_participant(
                api.RoomParticipantIdentity(room=room, identity=identity)
            ),
            not_found=PARTICIPANT_NOT_FOUND,
        )
        for track in info.tracks:
            if track.source == api.TrackSource.MICROPHONE:
                await self._call(
                    self._api.room.mute_published_track(
                        api.MuteRoomTrackRequest(
                            room=room, identity=identity, track_sid=track.sid, muted=muted
                        )
                    ),
                    not_found=PARTICIPANT_NOT_FOUND,
                )
                return True
        return False

    async def stop_screen_share(self, room: str, identity: str) -> bool:
        """Mutes a participant's published screen share (picture and sound); False when they
        share nothing. LiveKit tells their client, which stops sending (a page stops its
        capture)."""
        info = await self._call(
            self._api.room.get_participant(
                api.RoomParticipantIdentity(room=room, identity=identity)
            ),
            not_found=PARTICIPANT_NOT_FOUND,
        )
        shares = [track for track in info.tracks if track.source in _SHARES and not track.muted]
        for track in shares:
            await self._call(
                self._api.room.mute_published_track(
                    api.MuteRoomTrackRequest(
                        room=room, identity=identity, track_sid=track.sid, muted=True
                    )
                ),
                not_found=PARTICIPANT_NOT_FOUND,
            )
        return bool(shares)

    async def send_data(
        self, room: str, message: DataMessage, destinations: list[str] | None = None
    ) -> None:
        await self._call(
            self._api.room.send_data(
                api.SendDataRequest(
                    room=room,
                    data=message.encode(),
                    kind=api.DataPacket.Kind.RELIABLE,
                    destination_identities=destinations or [],
                    topic=TOPIC,
                )
            )
        )


_SOURCES = {
    Source.CAMERA: api.TrackSource.CAMERA,
    Source.MICROPHONE: api.TrackSource.MICROPHONE,
    Source.SCREEN_SHARE: api.TrackSource.SCREEN_SHARE,
    Source.SCREEN_SHARE_AUDIO: api.TrackSource.SCREEN_SHARE_AUDIO,
}
_SHARES = (api.TrackSource.SCREEN_SHARE, api.TrackSource.SCREEN_SHARE_AUDIO)


def _permission(permissions: Permissions) -> api.ParticipantPermission:
    return api.ParticipantPermission(
        can_subscribe=permissions.can_subscribe,
        can_publish=permissions.can_publish,
        can_publish_data=permissions.can_publish_data,
        can_publish_sources=[_SOURCES[s] for s in permissions.publish_sources],
        can_update_metadata=permissions.can_update_metadata,
    )
