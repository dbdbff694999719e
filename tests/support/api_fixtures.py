"""HostDesk's embedded API on a real port, wired to the test run's real livekit-server."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, NamedTuple

import aiohttp
import pytest_asyncio

from hostdesk.backend import Backend, start_backend
from hostdesk.config import LiveKitSettings, Settings
from hostdesk.devserver import LocalLiveKitServer
from tests.support.bots import Bot

API_KEY = "test-host-api-key"


@dataclass
class Reply:
    status: int
    body: Any
    headers: Any


@dataclass
class RunningApi:
    backend: Backend
    session: aiohttp.ClientSession
    api_key: str = API_KEY
    bots: list[Bot] = field(default_factory=list)

    @property
    def url(self) -> str:
        return self.backend.api_url

    async def request(
        self,
        method: str,
        path: str,
        body: Any = None,
        *,
        key: bool = False,
        token: str | None = None,
        headers: dict[str, str] | None = None,
        data: bytes | str | None = None,
    ) -> Reply:
        sent = dict(headers or {})
        if key:
            sent["X-API-Key"] = self.api_key
        if token:
            sent["Authorization"] = f"Bearer {token}"
        async with self.session.request(
            method, self.url + path, json=body if data is None else None, data=data, headers=sent
        ) as response:
            try:
                parsed = await response.json(content_type=None)
            except ValueError:
                parsed = await response.text()
            return Reply(response.status, parsed, response.headers)

    async def join(self, room: str, name: str, role: str = "viewer") -> dict[str, Any]:
        reply = await self.request(
            "POST",
            "/api/rooms/join",
            {"roomName": room, "participantName": name, "role": role},
            key=role == "host",
        )
        assert reply.status == 200, reply.body
        result: dict[str, Any] = reply.body
        return result

    async def bot(self, joined: dict[str, Any]) -> Bot:
        """A real participant connected with the token a join (or invite) returned."""
        bot = Bot(joined["identity"], joined["token"], joined["wsUrl"])
        self.bots.append(bot)
        return await bot.connect()

    async def joined_bot(self, room: str, name: str, role: str = "viewer") -> Bot:
        return await self.bot(await self.join(room, name, role))

    async def backstage_bot(self, room: str, sent: Bot) -> Bot:
        """`sent` (a viewer the host sent backstage) joins the backstage room with the token it
        asks for there, as the viewer page does."""
        path = f"/api/rooms/{room}/backstage/token"
        given = await self.request("POST", path, token=sent.token)
        assert given.status == 200, given.body
        return await self.bot({**given.body, "identity": sent.identity})


def new_room() -> str:
    return f"show-{uuid.uuid4().hex[:8]}"


class Show(NamedTuple):
    """A show's room with its host and one viewer, both connected as bots."""

    room: str
    host: Bot
    viewer: Bot


async def start_show(api: RunningApi) -> Show:
    """A new room with the host "Jane Host" and the viewer "Sam Viewer", once the host's session
    sees the viewer."""
    room = new_room()
    host = await api.joined_bot(room, "Jane Host", "host")
    viewer = await api.joined_bot(room, "Sam Viewer")
    await host.wait_for(lambda: host.remote(viewer.identity))
    return Show(room, host, viewer)


StartApi = Callable[..., Awaitable[RunningApi]]


@pytest_asyncio.fixture(loop_scope="session")
async def start_api(livekit_server: LocalLiveKitServer) -> AsyncIterator[StartApi]:
    """Starts HostDesk's API (auth on, rate limits off unless asked) on a free port."""
    started: list[RunningApi] = []

    async def start(
        *,
        auth: bool = True,
        rate_limits: bool = False,
        livekit: LocalLiveKitServer | None = None,
        stage_size: int = 1,
    ) -> RunningApi:
        creds = (livekit or livekit_server).credentials
        settings = Settings(
            api_host="127.0.0.1",
            api_port=0,
            auth=auth,
            api_key=API_KEY,
            rate_limits=rate_limits,
            stage_size=stage_size,
            livekit=LiveKitSettings(creds.url, creds.api_key, creds.api_secret),
        )
        backend = await start_backend(settings)
        running = RunningApi(backend, aiohttp.ClientSession())
        started.append(running)
        return running

    yield start
    for running in started:
        for bot in running.bots:
            await bot.close()
        await running.session.close()
        await running.backend.aclose()


@pytest_asyncio.fixture(loop_scope="session")
async def api(start_api: StartApi) -> RunningApi:
    """The API in production mode (auth on), rate limits off."""
    return await start_api()


@pytest_asyncio.fixture(loop_scope="session")
async def open_api(start_api: StartApi) -> RunningApi:
    """The API with --no-auth: the contract's MVP exactly."""
    return await start_api(auth=False)
