"""Screen share on the real livekit-server: guests (and the host) may publish one, a viewer may
not, and the host stops a guest's share through the API."""

from __future__ import annotations

import asyncio

import pytest
from livekit import rtc
from livekit.rtc.participant import PublishTrackError

from tests.support.api_fixtures import RunningApi, Show
from tests.support.bots import Bot, first_frame_rgb

BLUE = (20, 20, 230)


def _share(bot: Bot, identity: str) -> rtc.RemoteTrackPublication | None:
    remote = bot.remote(identity)
    if remote is None:
        return None
    return next(
        (
            pub
            for pub in remote.track_publications.values()
            if pub.source == rtc.TrackSource.SOURCE_SCREENSHARE
        ),
        None,
    )


async def _guest(api: RunningApi, room: str, host: Bot, name: str) -> Bot:
    viewer = await api.joined_bot(room, name)
    body = {"viewerIdentity": viewer.identity, "hostIdentity": host.identity}
    reply = await api.request("POST", f"/api/rooms/{room}/invite", body, token=host.token)
    assert reply.status == 200, reply.body
    await viewer.wait_for(lambda: viewer.room.local_participant.permissions.can_publish)
    return viewer


async def test_the_host_stops_a_guests_screen_share_and_a_viewer_sees_it_stop(
    api: RunningApi, show: Show
) -> None:
    room, host, audience = show
    guest = await _guest(api, room, host, "Ann")
    local = await guest.publish_colour(BLUE, kind=rtc.TrackSource.SOURCE_SCREENSHARE)
    shared = await audience.wait_for(lambda: _share(audience, guest.identity), 15)
    track = await audience.wait_for(lambda: shared.track, 15)
    r, g, b = await first_frame_rgb(track)
    assert b > 180 and r < 80 and g < 80, (r, g, b)
    assert not shared.muted

    path = f"/api/rooms/{room}/participants/{guest.identity}/stop-share"
    reply = await api.request("POST", path, token=host.token)
    assert (reply.status, reply.body) == (200, {"success": True})

    def stopped() -> bool:
        publication = _share(audience, guest.identity)
        return publication is None or publication.muted

    await audience.wait_for(stopped, 10)
    # The sharer's own client is told (a page stops its capture on it).
    await guest.wait_for(lambda: local.muted, 10)
    again = await api.request("POST", path, token=host.token)
    assert (again.status, again.body) == (404, {"error": "No screen share to stop"})


async def test_stop_share_of_someone_sharing_nothing_is_404(api: RunningApi, show: Show) -> None:
    room, host, _viewer = show
    guest = await _guest(api, room, host, "Ann")
    path = f"/api/rooms/{room}/participants/{guest.identity}/stop-share"
    reply = await api.request("POST", path, key=True)
    assert (reply.status, reply.body) == (404, {"error": "No screen share to stop"})
    nobody = await api.request(
        "POST", f"/api/rooms/{room}/participants/nobody/stop-share", key=True
    )
    assert (nobody.status, nobody.body) == (404, {"error": "Participant not found"})


async def test_the_host_may_share_a_screen(show: Show) -> None:
    _room, host, audience = show
    await host.publish_colour(BLUE, kind=rtc.TrackSource.SOURCE_SCREENSHARE)
    shared = await audience.wait_for(lambda: _share(audience, host.identity), 15)
    assert (await audience.wait_for(lambda: shared.track, 15)) is not None


async def test_a_viewers_screen_share_is_refused_by_its_grants(show: Show) -> None:
    _room, host, viewer = show
    # livekit-server 1.9.12 does not answer a publication the grants refuse: the SDK times out
    with pytest.raises(PublishTrackError):
        await asyncio.wait_for(
            viewer.publish_colour(BLUE, kind=rtc.TrackSource.SOURCE_SCREENSHARE), 20
        )
    assert _share(host, viewer.identity) is None
