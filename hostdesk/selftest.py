"""`hostdesk --self-test`: proves an installed or frozen HostDesk has all its parts.

Starts Qt offscreen, the API on a free port, checks `/health`, fetches the viewer page and the
livekit-client file, converts a frame through the LiveKit native library, then exits 0. Each
failure is printed with what failed, and the exit code is 1. It needs no LiveKit server.
"""

from __future__ import annotations

import asyncio
import functools
import os
import re
import sys
import time
from collections.abc import Awaitable, Callable

import aiohttp

from hostdesk.config import LiveKitSettings, Settings

#: A LiveKit the self-test never reaches (the discard port): only /health is asked about it.
_NOWHERE = LiveKitSettings("ws://127.0.0.1:9", "selftest", "selftest-secret-" + "x" * 24)


def run() -> int:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    return asyncio.run(_run())


async def _run() -> int:
    failures: list[str] = []

    async def check(name: str, step: Callable[[], Awaitable[str]]) -> None:
        started = time.perf_counter()
        try:
            detail = await step()
        except Exception as exc:  # the point is to name what failed, whatever it was
            failures.append(name)
            print(f"FAIL {name}: {type(exc).__name__}: {exc}", flush=True)
            return
        print(f"ok   {name} ({(time.perf_counter() - started) * 1000:.0f} ms) {detail}", flush=True)

    await check("Qt offscreen", _qt)
    await check("Qt multimedia", _multimedia)
    await check("LiveKit native library", _native)
    from hostdesk.backend import start_backend

    settings = Settings(api_port=0, auth=True, api_key="self-test", livekit=_NOWHERE)
    try:
        backend = await start_backend(settings)
    except Exception as exc:
        print(f"FAIL API server: {type(exc).__name__}: {exc}", flush=True)
        return 1
    try:
        async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=5)) as http:
            base = backend.api_url
            await check("GET /health", lambda: _get_json(http, base + "/health"))
            page: list[str] = []

            async def viewer_page() -> str:
                page.append(await _fetch(http, base + "/", "<html"))
                files = _page_files(page[0])
                if len(files) < 3:
                    raise RuntimeError(f"the page names {len(files)} files, not 3")
                return f"{len(page[0])} bytes"

            await check("viewer page", viewer_page)
            for name, path in _page_files(page[0] if page else ""):
                await check(name, functools.partial(_get, http, base + path, ""))
    finally:
        await backend.aclose()
    if failures:
        print(f"self-test FAILED: {', '.join(failures)}", file=sys.stderr, flush=True)
        return 1
    print("self-test passed", flush=True)
    return 0


def _page_files(page: str) -> list[tuple[str, str]]:
    """The files the viewer page names (content-hashed /static and /vendor paths)."""
    paths = re.findall(r'(?:src|href)="(/(?:static|vendor)/[^"]+)"', page)
    return [(path.rsplit("/", 1)[1], path) for path in paths]


async def _qt() -> str:
    from PySide6.QtWidgets import QApplication, QLabel

    app = QApplication.instance() or QApplication([])
    label = QLabel("HostDesk")
    size = label.grab().size()
    del app
    return f"{size.width()}x{size.height()} grab"


async def _multimedia() -> str:
    from hostdesk.ui.media import audio_inputs, video_inputs

    return f"{len(video_inputs())} cameras, {len(audio_inputs())} microphones"


async def _native() -> str:
    from hostdesk.livekit.media import convert_probe_frame

    return f"{convert_probe_frame()} bytes of I420"


async def _get_json(http: aiohttp.ClientSession, url: str) -> str:
    async with http.get(url) as response:
        body = await response.json()
        if response.status != 200 or body.get("status") != "ok":
            raise RuntimeError(f"{response.status} {body}")
        return f"status {body['status']}"


async def _fetch(http: aiohttp.ClientSession, url: str, must_contain: str) -> str:
    async with http.get(url) as response:
        text = await response.text()
        if response.status != 200:
            raise RuntimeError(f"HTTP {response.status}: {text[:200]}")
        if must_contain and must_contain not in text.lower():
            raise RuntimeError(f"unexpected content: {text[:120]!r}")
        return text


async def _get(http: aiohttp.ClientSession, url: str, must_contain: str) -> str:
    return f"{len(await _fetch(http, url, must_contain))} bytes"
