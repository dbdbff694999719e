"""Fixtures for a real livekit-server (imported by conftest.py).

``livekit_server`` (session scope): a started :class:`LocalLiveKitServer` inside a network
namespace of the test run's own (see tests/support/netns.py), listening on the namespace side of
a veth pair. Clients in the test process reach it at ``livekit_server.credentials.url``
(``ws://198.18.<n>.2:<port>``). Tests that restart it must leave it running.

A missing binary or missing privileges fail the run with a message saying what to do; nothing is
skipped.
"""

from __future__ import annotations

import signal
import time
from collections.abc import AsyncIterator, Iterator
from typing import NoReturn

import pytest
import pytest_asyncio
from livekit import api

from hostdesk.devserver import (
    LiveKitCredentials,
    LiveKitServerMissing,
    LocalLiveKitServer,
    find_livekit_server,
)
from tests.support.netns import NetnsUnavailable, TestNetns, create_test_netns

__all__ = ["join_token", "livekit_netns", "livekit_server", "sigterms"]


@pytest.fixture
def sigterms() -> Iterator[list[float]]:
    """The times a SIGTERM reached this process while the test ran (caught, not fatal): the
    LiveKit SDK sends one to its own process when its FFI reports a panic."""
    received: list[float] = []
    previous = signal.signal(signal.SIGTERM, lambda *_: received.append(time.monotonic()))
    try:
        yield received
    finally:
        signal.signal(signal.SIGTERM, previous)


def join_token(creds: LiveKitCredentials, identity: str, room: str) -> str:
    """A plain LiveKit token to join `room` as `identity` (no HostDesk role)."""
    return (
        api.AccessToken(creds.api_key, creds.api_secret)
        .with_identity(identity)
        .with_name(identity)
        .with_grants(api.VideoGrants(room_join=True, room=room))
        .to_jwt()
    )


def _fail(message: str) -> NoReturn:
    pytest.fail(message, pytrace=False)


def own_netns() -> Iterator[TestNetns]:
    """A network namespace and veth pair of the run's own, for a session fixture to yield;
    where one cannot be made, the run fails with how to make it possible."""
    problem = None
    try:
        netns = create_test_netns()
    except NetnsUnavailable as exc:
        problem = str(exc)
    if problem is not None:
        _fail(problem)
    try:
        yield netns
    finally:
        netns.cleanup()


@pytest.fixture(scope="session")
def livekit_netns() -> Iterator[TestNetns]:
    """The test run's own network namespace and veth pair."""
    yield from own_netns()


@pytest_asyncio.fixture(scope="session", loop_scope="session")
async def livekit_server(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[LocalLiveKitServer]:
    """A real livekit-server for the whole test session, inside ``livekit_netns``.

    Its log: ``<pytest basetemp>/livekit<N>/livekit-server.log``.
    """
    problem = None
    try:
        binary = find_livekit_server()
    except LiveKitServerMissing as exc:
        problem = str(exc)
    if problem is not None:
        _fail(problem)
    # Only now the namespace: no point creating it when there is no server to put in it.
    netns: TestNetns = request.getfixturevalue("livekit_netns")
    server = LocalLiveKitServer(
        binary,
        ip=netns.ns_ip,
        netns=netns.name,
        log_path=tmp_path_factory.mktemp("livekit") / "livekit-server.log",
    )
    await server.start()
    try:
        yield server
    finally:
        await server.stop()
