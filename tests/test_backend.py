"""HostDesk's backend serving viewers beyond this computer: its certificate, and moving between
audiences (hostdesk/backend.py), on a real livekit-server and real ports."""

from __future__ import annotations

import ssl
from pathlib import Path

import aiohttp
import pytest

from hostdesk import tls
from hostdesk.backend import StartError, start_backend
from hostdesk.config import LiveKitSettings, Settings
from hostdesk.devserver import LocalLiveKitServer
from hostdesk.reach import Audience
from tests.support.netns import TestNetns


def _settings(livekit_server: LocalLiveKitServer, **changes: object) -> Settings:
    creds = livekit_server.credentials
    livekit = LiveKitSettings(creds.url, creds.api_key, creds.api_secret)
    changes.setdefault("livekit", livekit)
    return Settings(api_port=0, api_key="k", **changes)  # type: ignore[arg-type]


async def test_the_generated_certificate_covers_the_address_served_and_is_reused_after_a_restart(
    livekit_server: LocalLiveKitServer,
    viewer_computer: TestNetns,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("HOSTDESK_CONFIG", str(tmp_path))
    settings = _settings(livekit_server, api_host=viewer_computer.host_ip)
    first = await start_backend(settings)
    await first.aclose()
    second = await start_backend(settings)
    try:
        assert first.certificate is not None and second.certificate is not None
        assert second.certificate.fingerprint_sha256 == first.certificate.fingerprint_sha256
        assert tls.covers(second.certificate, viewer_computer.host_ip)
        assert second.certificate.cert_path.parent == tmp_path / "tls"
        # and it is what the API serves: a client that trusts exactly it gets through
        client = ssl.create_default_context(cafile=str(second.certificate.cert_path))
        async with (
            aiohttp.ClientSession() as http,
            http.get(second.api_url + "/health", ssl=client) as reply,
        ):
            assert reply.status == 200
    finally:
        await second.aclose()


async def test_an_audience_that_cannot_work_says_why_and_the_api_stays_where_it_was(
    livekit_server: LocalLiveKitServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HOSTDESK_CONFIG", str(tmp_path))
    backend = await start_backend(_settings(livekit_server, api_host="127.0.0.1"))
    try:
        before = backend.api_url
        with pytest.raises(StartError, match="needs the public URL"):
            await backend.change_audience(Audience.PUBLIC)
        assert backend.audience is Audience.THIS_COMPUTER and backend.api_url == before
        async with aiohttp.ClientSession() as http, http.get(before + "/health") as reply:
            assert reply.status == 200
    finally:
        await backend.aclose()


async def test_a_key_livekit_refuses_is_told_at_start_and_a_good_one_is_not(
    livekit_server: LocalLiveKitServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Keeping a blocked troll out needs LiveKit's room service: the host hears at start that
    LiveKit refuses the key, not when the troll is back."""
    monkeypatch.setenv("HOSTDESK_CONFIG", str(tmp_path))
    good = await start_backend(_settings(livekit_server))
    try:
        assert good.livekit_problem is None
    finally:
        await good.aclose()
    creds = livekit_server.credentials
    wrong = LiveKitSettings(creds.url, creds.api_key, "not-the-secret-" + "x" * 32)
    refused = await start_backend(_settings(livekit_server, livekit=wrong))
    try:
        assert refused.livekit_problem is not None
        assert refused.livekit_problem.startswith("LiveKit refused HostDesk's API key")
        assert "LIVEKIT_API_SECRET" in refused.livekit_problem
    finally:
        await refused.aclose()
