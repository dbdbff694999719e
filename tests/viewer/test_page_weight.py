"""What a viewer's browser downloads from the host's computer, counted on the wire by Chromium
itself (CDP `Network.loadingFinished`): the first visit gets every file brotli-compressed, once
each (the page's ES modules and livekit-client's ESM build, all preloaded), the second gets a
304 for the page and nothing else."""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from hostdesk.api.assets import build_static_set, cache_dir, viewer_sources
from hostdesk.resources import resource_path
from tests.support.api_fixtures import StartApi, new_room
from tests.support.browser_fixtures import OpenPage, ViewerPage

#: The targets, in bytes on the wire: the issue's 200 kB for a first visit. livekit-client's ES
#: module build is served minified (`make setup`, esbuild): about 125 kB as brotli, against
#: 250 kB as npm ships it; the page's own modules add about 23 kB.
FIRST_VISIT_MAX = 200_000
SECOND_VISIT_MAX = 10_000
#: Status line and headers of one response (the CSP alone is ~270 bytes; ours come to ~650).
HEADERS_ALLOWANCE = 1_024


@dataclass
class Loaded:
    path: str
    status: int = 0  # as the server sent it: 304, not the 200 the page sees after revalidating
    coding: str = ""
    from_cache: bool = False
    wire: int = -1  # encodedDataLength; -1 until loading finished


class WireCount:
    """Every request of one page load with what it cost on the wire, from CDP events."""

    def __init__(self) -> None:
        self.requests: dict[str, Loaded] = {}

    def sent(self, event: dict[str, Any]) -> None:
        url = event["request"]["url"]
        if url.startswith("http"):
            self.requests[event["requestId"]] = Loaded(urlsplit(url).path)

    def received(self, event: dict[str, Any]) -> None:
        if loaded := self.requests.get(event["requestId"]):
            response = event["response"]
            loaded.status = loaded.status or response["status"]
            headers = {k.lower(): v for k, v in response["headers"].items()}
            loaded.coding = headers.get("content-encoding", "")
            loaded.from_cache = bool(response.get("fromDiskCache")) or loaded.from_cache

    def on_wire(self, event: dict[str, Any]) -> None:
        """The response as it came over the wire (responseReceived shows a revalidated 304 as
        the cached 200)."""
        if loaded := self.requests.get(event["requestId"]):
            loaded.status = event["statusCode"]

    def cached(self, event: dict[str, Any]) -> None:
        if loaded := self.requests.get(event["requestId"]):
            loaded.from_cache = True

    def finished(self, event: dict[str, Any]) -> None:
        if loaded := self.requests.get(event["requestId"]):
            loaded.wire = int(event["encodedDataLength"])

    def failed(self, event: dict[str, Any]) -> None:
        if loaded := self.requests.get(event["requestId"]):
            raise AssertionError(f"{loaded.path} failed to load: {event.get('errorText')}")

    @property
    def total(self) -> int:
        return sum(r.wire for r in self.requests.values())

    def table(self) -> str:
        return "\n".join(
            f"  {r.status} {r.coding or '-':8} {'cache' if r.from_cache else 'wire ':5} "
            f"{r.wire:>8,} {r.path}"
            for r in self.requests.values()
        )


async def _visit(viewer: ViewerPage, url: str, cdp: Any) -> WireCount:
    count = WireCount()
    handlers = {
        "Network.requestWillBeSent": count.sent,
        "Network.responseReceived": count.received,
        "Network.responseReceivedExtraInfo": count.on_wire,
        "Network.requestServedFromCache": count.cached,
        "Network.loadingFinished": count.finished,
        "Network.loadingFailed": count.failed,
    }
    for event, handler in handlers.items():
        cdp.on(event, handler)
    try:
        await viewer.page.goto(url, wait_until="load")
        # The page is usable: its modules (livekit-client among them) ran and wired it up.
        await viewer.until(
            "() => window.hostdeskViewer !== undefined && hostdeskViewer.state === 'idle'"
        )
        deadline = time.monotonic() + 10
        while any(r.wire < 0 for r in count.requests.values()):
            assert time.monotonic() < deadline, "requests never finished:\n" + count.table()
            await asyncio.sleep(0.02)
    finally:
        for event, handler in handlers.items():
            cdp.remove_listener(event, handler)
    return count


def _brotli_sizes() -> dict[str, int]:
    """Brotli (quality 11) size of each file the page loads, by the page's paths, as the static
    set makes them from the files on disk: what the wire must carry at best."""
    static = build_static_set(resource_path("viewer/index.html"), viewer_sources(), cache_dir())
    sizes = {url: len(asset.bodies["br"]) for url, asset in static.files.items()}
    sizes["page"] = len(static.page.bodies["br"])
    return sizes


async def test_a_first_visit_is_the_brotli_files_and_a_second_only_the_pages_304(
    start_api: StartApi, viewer_pages: OpenPage
) -> None:
    api = await start_api()
    room = new_room()
    url = f"{api.url}/watch/{room}"
    viewer = await viewer_pages("about:blank", label="weigher")
    cdp = await viewer.context.new_cdp_session(viewer.page)
    await cdp.send("Network.enable")

    sizes = _brotli_sizes()
    budget = sum(sizes.values()) + HEADERS_ALLOWANCE * len(sizes)
    first = await _visit(viewer, url, cdp)
    shown = f"first visit, {first.total:,} bytes (budget {budget:,}):\n{first.table()}"
    loaded = sorted(r.path for r in first.requests.values())
    assert loaded == sorted([f"/watch/{room}", *(p for p in sizes if p != "page")]), shown
    assert all((r.status, r.coding) == (200, "br") for r in first.requests.values()), shown
    assert first.total <= budget, shown
    assert first.total <= FIRST_VISIT_MAX, shown

    second = await _visit(viewer, url, cdp)
    shown += f"\nsecond visit, {second.total:,} bytes:\n{second.table()}"
    document = [r for r in second.requests.values() if r.path == f"/watch/{room}"]
    assert [r.status for r in document] == [304], shown
    assert all(r.from_cache for r in second.requests.values() if r not in document), shown
    assert second.total <= SECOND_VISIT_MAX, shown
    print(shown)  # the figures docs/benchmarks.md quotes (pytest -s)
