"""The host's window dies mid-show (a crash, a power cut) and is started again: it takes its show
back, with the guest still on stage and the hands in their order.

Run as a host would: `python -m hostdesk --go-live SHOW` as a real process (offscreen) against
a real livekit-server, killed with SIGKILL while a guest is on stage and two hands are up, then
started again with the same command and the same config folder. The audience are real LiveKit
participants (the Python SDK) who joined through another HostDesk API (the `api` fixture) on the
same LiveKit server, which also plays "another computer" asking to host the same show.
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from hostdesk.devserver import LocalLiveKitServer, free_port
from hostdesk.show.errors import NotFound
from hostdesk.show.participants import Participant, hand_queue
from hostdesk.show.roles import Role
from tests.support.api_fixtures import API_KEY, RunningApi, new_room
from tests.support.processes import api_url

pytestmark = pytest.mark.integration


class Window:
    """`hostdesk --go-live ROOM` as its own process, offscreen."""

    def __init__(
        self, livekit: LocalLiveKitServer, config: Path, room: str, extra: tuple[str, ...] = ()
    ) -> None:
        creds = livekit.credentials
        self.env = {
            **{k: v for k, v in os.environ.items() if not k.startswith(("LIVEKIT_", "HOSTDESK_"))},
            "LIVEKIT_URL": creds.url,
            "LIVEKIT_API_KEY": creds.api_key,
            "LIVEKIT_API_SECRET": creds.api_secret,
            "HOSTDESK_CONFIG": str(config),
            "HOSTDESK_API_KEY": API_KEY,
            "QT_QPA_PLATFORM": "offscreen",
        }
        self.room = room
        self.extra = extra
        self.port = free_port()
        self.proc: subprocess.Popen[str] | None = None

    def start(self) -> str:
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "hostdesk", "--go-live", self.room, "--host-name", "Jane"]
            + ["--port", str(self.port), *self.extra],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            env=self.env,
        )
        url, printed = api_url(self.proc, 60)
        assert url, "the window did not start:\n" + printed
        return url

    def kill(self) -> None:
        assert self.proc is not None
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(10)

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(10)


@pytest.fixture
def windows(tmp_path: Path) -> Iterator[list[Window]]:
    started: list[Window] = []
    yield started
    for window in started:
        window.stop()


async def people(api: RunningApi, room: str) -> dict[str, Participant]:
    """Who is in the room, as LiveKit holds them (role in metadata, hand in attributes)."""
    try:
        found = await api.backend.service.participants(room)
    except NotFound:
        return {}
    return {p.identity: p for p in found}


async def wait_for_host(
    api: RunningApi, room: str, not_sid: str = "", timeout: float = 30.0
) -> tuple[Participant, float]:
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        for person in (await people(api, room)).values():
            if person.role is Role.HOST and person.sid != not_sid:
                return person, time.monotonic() - started
        await asyncio.sleep(0.05)
    raise AssertionError(f"no host (other than {not_sid!r}) in {room} within {timeout:g} s")


async def test_a_killed_window_started_again_takes_its_show_back(
    api: RunningApi, livekit_server: LocalLiveKitServer, windows: list[Window], tmp_path: Path
) -> None:
    room = new_room()
    window = Window(livekit_server, tmp_path / "config", room)
    windows.append(window)
    window.start()
    host, _ = await wait_for_host(api, room)

    star = await api.joined_bot(room, "Star")
    ann = await api.joined_bot(room, "Ann")
    bob = await api.joined_bot(room, "Bob")
    for bot in (ann, bob):  # Ann first, then Bob
        reply = await api.request(
            "POST",
            f"/api/rooms/{room}/hand-raise",
            {"participantIdentity": bot.identity, "raised": True},
            token=bot.token,
        )
        assert reply.status == 200, reply.body
        raised = (await people(api, room))[bot.identity].hand_raised_at or 0
        while time.time() * 1000 < raised + 1:  # the next hand gets a later server time
            await asyncio.sleep(0)
    reply = await api.request(
        "POST",
        f"/api/rooms/{room}/invite",
        {"viewerIdentity": star.identity, "hostIdentity": host.identity},
        key=True,
    )
    assert reply.status == 200, reply.body
    before = await people(api, room)
    assert before[star.identity].role is Role.GUEST

    window.kill()
    killed = time.monotonic()
    window.start()
    back, waited = await wait_for_host(api, room, not_sid=host.sid)
    took = time.monotonic() - killed
    print(f"\nhost back {took:.2f} s after the kill ({waited:.2f} s after the window listened)")

    # The same host (LiveKit replaced the dead session), not a second one turned away.
    assert back.identity == host.identity
    now = await people(api, room)
    assert [p.identity for p in now.values() if p.role is Role.HOST] == [host.identity]
    assert now[star.identity].role is Role.GUEST
    queue = [p.identity for p in hand_queue(now.values())]
    assert queue == [ann.identity, bob.identity]
    assert [now[i].hand_raised_at for i in queue] == [before[i].hand_raised_at for i in queue]

    # Another computer asking to host the same show is still turned away.
    other = await api.request(
        "POST",
        "/api/rooms/join",
        {"roomName": room, "participantName": "Mallory", "role": "host"},
        key=True,
    )
    assert (other.status, other.body) == (409, {"error": "Room already has a host"})
