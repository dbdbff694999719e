"""The viewer page and its files: compressed once, named by content hash, cached for good, and
the page revalidated with its ETag. Through the real app (`create_app`) on aiohttp's test server;
no LiveKit is involved."""

from __future__ import annotations

import asyncio
import gzip
import hashlib
import json
import logging
import re
import threading
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import cast

import brotli  # type: ignore[import-untyped]
import pytest
import pytest_asyncio
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from hostdesk.api import assets
from hostdesk.api.app import create_app
from hostdesk.api.assets import Source, StaticBuild, StaticSet, build_static_set, viewer_sources
from hostdesk.api.auth import Auth
from hostdesk.api.viewer import CSP, STATIC
from hostdesk.livekit.tokens import Tokens
from hostdesk.service import ShowService
from hostdesk.show import rules
from hostdesk.show.gateways import RoomGateway

SECURITY = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}
IMMUTABLE = "public, max-age=31536000, immutable"
NOT_FOUND = {"error": "Not found"}
HASHED = re.compile(r'(?:href|src)="(/(?:static|vendor)/[^"]+)"')
RULES_BLOCK = re.compile(r'<script type="application/json" id="show-rules">([^<]*)</script>')
IMPORTED = re.compile(r'^(?:import|export)\b[^\'";]*?\bfrom\s*"([^"]+)"|^import\("([^"]+)"\)', re.M)

Client = TestClient[web.Request, web.Application]
Serve = Callable[..., Awaitable[Client]]


def _decoded(body: bytes, coding: str | None) -> bytes:
    if coding == "br":
        plain: bytes = brotli.decompress(body)
        return plain
    if coding == "gzip":
        return gzip.decompress(body)
    assert coding is None
    return body


def _page_files(tmp_path: Path, js: str = "console.log('v1');\n") -> tuple[Path, list[Source]]:
    """A page of the real page's shape, with files of the test's own."""
    folder = tmp_path / "viewer"
    folder.mkdir(exist_ok=True)
    (folder / "index.html").write_text(
        '<link rel="stylesheet" href="{{viewer.css}}">'
        '<script src="{{livekit-client.js}}" defer></script>'
        '<script src="{{viewer.js}}" defer></script>\n'
    )
    (folder / "viewer.css").write_text("body { color: red; }\n" * 50)
    (folder / "viewer.js").write_text(js * 50)
    (folder / "livekit-client.js").write_text("window.LivekitClient = {};\n" * 50)
    sources = [
        Source("viewer.css", folder / "viewer.css", "/static", "text/css"),
        Source("viewer.js", folder / "viewer.js", "/static", "text/javascript"),
        Source(
            "livekit-client.js",
            folder / "livekit-client.js",
            "/vendor",
            "text/javascript",
            optional=True,
        ),
    ]
    return folder / "index.html", sources


def _build_of(page: Path, sources: list[Source], cache: Path) -> StaticBuild:
    return StaticBuild(lambda: build_static_set(page, sources, cache))


@pytest_asyncio.fixture(loop_scope="session")
async def serve() -> AsyncIterator[Serve]:
    """`await serve(build=None)`: a client of the real app, serving `build` (default: the real
    viewer page and livekit-client) and decompressing nothing, so codings can be checked."""
    clients: list[Client] = []

    async def start(
        build: StaticBuild | None = None, stage_size: int = rules.DEFAULT_STAGE_SIZE
    ) -> Client:
        tokens = Tokens("key", "secret-of-at-least-32-characters-long", "ws://127.0.0.1:1")
        service = ShowService(cast(RoomGateway, object()), tokens, stage_size=stage_size)
        app = create_app(service, Auth(enabled=True, api_key="k", verifier=tokens))
        if build is not None:
            app[STATIC] = build
        client: Client = TestClient(TestServer(app), auto_decompress=False)
        await client.start_server()
        clients.append(client)
        return client

    yield start
    for client in clients:
        await client.close()


async def _urls(client: Client) -> list[str]:
    response = await client.get("/", headers={"Accept-Encoding": "identity"})
    return HASHED.findall(await response.text())


async def test_the_page_names_each_file_by_the_hash_of_what_is_served(serve: Serve) -> None:
    client = await serve()
    response = await client.get("/", headers={"Accept-Encoding": "identity"})
    html = await response.text()
    assert response.status == 200 and "{{" not in html
    urls = HASHED.findall(html)
    assert sorted(_name_of(u) for u in urls) == sorted(s.name for s in viewer_sources())
    for url in urls:
        body = await (await client.get(url, headers={"Accept-Encoding": "identity"})).read()
        assert url.rsplit(".", 2)[1] == hashlib.sha256(body).hexdigest()[:10], url
    assert re.search(r'<script type="module" src="/static/main\.[0-9a-f]{10}\.js">', html)


async def test_the_modules_import_each_other_by_their_hashed_names(serve: Serve) -> None:
    client = await serve()
    urls = await _urls(client)
    served = set(urls)
    imports: dict[str, list[str]] = {}
    for url in (u for u in urls if u.startswith("/static/") and u.endswith(".js")):
        text = await (await client.get(url, headers={"Accept-Encoding": "identity"})).text()
        imports[_name_of(url)] = [a or b for a, b in IMPORTED.findall(text)]
    assert imports["main.js"] == [next(u for u in urls if "/app." in u)]  # the dynamic import
    assert any(u.startswith("/vendor/livekit-client.") for u in imports["connection.js"])
    for name, targets in imports.items():
        assert set(targets) <= served, (name, targets)  # every import is a file of the page
    assert imports["stage.js"] == [] and imports["rules.js"] == []  # the pure ones


@pytest.mark.parametrize("stage_size", [rules.DEFAULT_STAGE_SIZE, 3])
async def test_the_page_carries_the_rules_of_its_shows_stage_size(
    serve: Serve, stage_size: int
) -> None:
    client = await serve(stage_size=stage_size)
    for coding in ("br", "identity"):
        response = await client.get("/watch/show-1", headers={"Accept-Encoding": coding})
        html = _decoded(await response.read(), response.headers.get("Content-Encoding")).decode()
        block = RULES_BLOCK.search(html)
        assert block is not None
        assert json.loads(block.group(1)) == rules.for_clients(stage_size)
        lengths = re.findall(r'id="(\w+)-input"[^>]*maxlength="(\d+)"', html)
        assert dict(lengths) == {
            "room": str(rules.NAME_MAX_LENGTH),
            "name": str(rules.NAME_MAX_LENGTH),
            "chat": str(rules.CHAT_MAX_LENGTH),
            "question": str(rules.QUESTION_MAX_LENGTH),
        }
    default = await serve()
    other = await (await client.get("/")).read()
    assert (other == await (await default.get("/")).read()) is (
        stage_size == rules.DEFAULT_STAGE_SIZE
    )


@pytest.mark.parametrize(
    ("accept", "coding"),
    [
        ("gzip, deflate, br, zstd", "br"),
        ("br", "br"),
        ("gzip;q=1.0, br;q=0.5", "br"),
        ("BR;Q=0.1", "br"),
        ("*", "br"),
        ("gzip, deflate", "gzip"),
        ("br;q=0, gzip", "gzip"),
        ("*;q=0, gzip", "gzip"),
        ("br;q=0, *", "gzip"),
        ("gzip;q=0, br;q=0", None),
        ("deflate, zstd", None),
        ("identity", None),
        ("", None),
    ],
)
async def test_every_file_comes_in_the_best_coding_the_browser_accepts(
    serve: Serve, accept: str, coding: str | None
) -> None:
    client = await serve()
    paths = ["/", "/watch/show-1", *await _urls(client)]
    real = {p: await (await client.get(p, headers={"Accept-Encoding": ""})).read() for p in paths}
    for path in paths:
        response = await client.get(path, headers={"Accept-Encoding": accept})
        body = await response.read()
        assert response.status == 200, path
        assert response.headers.get("Content-Encoding") == coding, path
        assert response.headers["Vary"] == "Accept-Encoding"
        assert int(response.headers["Content-Length"]) == len(body)
        assert _decoded(body, coding) == real[path], path


def _name_of(url: str) -> str:
    stem, _hash, suffix = url.rsplit("/", 1)[1].split(".")
    return f"{stem}.{suffix}"


async def test_no_accept_encoding_header_gets_the_file_as_it_is(serve: Serve) -> None:
    client = await serve()
    for path in ["/", *await _urls(client)]:
        response = await client.get(path, skip_auto_headers=["Accept-Encoding"])
        assert response.status == 200 and "Content-Encoding" not in response.headers


async def test_the_compressed_files_are_brotli_11_and_gzip_9_of_the_file(serve: Serve) -> None:
    client = await serve()
    livekit = next(u for u in await _urls(client) if u.startswith("/vendor/"))
    plain = next(s for s in viewer_sources() if s.name == "livekit-client.js").path.read_bytes()
    br = await (await client.get(livekit, headers={"Accept-Encoding": "br"})).read()
    gz = await (await client.get(livekit, headers={"Accept-Encoding": "gzip"})).read()
    assert br == brotli.compress(plain, quality=11)
    assert gz == gzip.compress(plain, compresslevel=9, mtime=0)
    assert len(br) < len(gz) < len(plain) / 3


async def test_hashed_files_are_cached_for_good_with_an_etag_and_the_security_headers(
    serve: Serve,
) -> None:
    client = await serve()
    urls = await _urls(client)
    assert len(urls) == len(viewer_sources())
    for url in urls:
        tags = set()
        for coding in ("br", "gzip", "identity"):
            response = await client.get(url, headers={"Accept-Encoding": coding})
            assert response.status == 200
            assert response.headers["Cache-Control"] == IMMUTABLE
            assert re.fullmatch(r'"[0-9a-f]{20}(-br|-gzip)?"', response.headers["ETag"])
            assert {k: response.headers[k] for k in SECURITY} == SECURITY
            tags.add(response.headers["ETag"])
        assert len(tags) == 3  # one strong validator per representation
    css = next(u for u in urls if u.endswith(".css"))
    js = [u for u in urls if u.endswith(".js")]
    assert (await client.get(css)).headers["Content-Type"] == "text/css; charset=utf-8"
    for url in js:
        assert (await client.get(url)).headers["Content-Type"] == "text/javascript; charset=utf-8"


async def test_the_page_is_revalidated_and_a_matching_etag_gets_304_without_a_body(
    serve: Serve,
) -> None:
    client = await serve()
    for path in ["/", "/watch/show-1"]:
        first = await client.get(path, headers={"Accept-Encoding": "br"})
        etag = first.headers["ETag"]
        assert first.status == 200 and first.headers["Cache-Control"] == "no-cache"
        assert first.headers["Content-Type"] == "text/html; charset=utf-8"
        assert {k: first.headers[k] for k in SECURITY} == SECURITY
        for matching in (etag, f"W/{etag}", f'"stale", {etag}', "*"):
            again = await client.get(
                path, headers={"Accept-Encoding": "br", "If-None-Match": matching}
            )
            assert again.status == 304, matching
            assert await again.read() == b""
            assert again.headers["ETag"] == etag
            assert again.headers["Cache-Control"] == "no-cache"
            assert again.headers["Vary"] == "Accept-Encoding"
            assert "Content-Length" not in again.headers or again.headers["Content-Length"] == "0"
        stale = await client.get(
            path, headers={"Accept-Encoding": "br", "If-None-Match": '"0123456789abcdef0123-br"'}
        )
        assert stale.status == 200 and await stale.read() == await first.read()
        # The gzip representation has its own validator: br's does not validate it.
        other = await client.get(path, headers={"Accept-Encoding": "gzip", "If-None-Match": etag})
        assert other.status == 200 and other.headers["Content-Encoding"] == "gzip"


async def test_a_hashed_file_answers_304_to_its_own_etag(serve: Serve) -> None:
    client = await serve()
    for url in await _urls(client):
        etag = (await client.get(url, headers={"Accept-Encoding": "br"})).headers["ETag"]
        again = await client.get(url, headers={"Accept-Encoding": "br", "If-None-Match": etag})
        assert again.status == 304 and await again.read() == b""


async def test_head_answers_the_headers_of_get_without_a_body(serve: Serve) -> None:
    client = await serve()
    for path in ["/", "/watch/show-1", *await _urls(client)]:
        for coding in ("br", "gzip", "identity"):
            get = await client.get(path, headers={"Accept-Encoding": coding})
            head = await client.head(path, headers={"Accept-Encoding": coding})
            assert head.status == 200 and await head.read() == b""
            assert head.headers["Content-Length"] == str(len(await get.read()))
            for header in ("ETag", "Cache-Control", "Vary", "Content-Type", *SECURITY):
                assert head.headers[header] == get.headers[header]
            assert head.headers.get("Content-Encoding") == get.headers.get("Content-Encoding")


@pytest.mark.parametrize(
    "path",
    [
        "/static/stage.js",
        "/static/viewer.css",
        "/vendor/livekit-client.js",
        "/static/viewer.0123456789.js",
        "/vendor/livekit-client.0123456789.js",
        "/static/index.html",
        "/static/livekit-client.HASH.js",
    ],
)
async def test_unknown_and_stale_hashed_names_get_404_json(serve: Serve, path: str) -> None:
    client = await serve()
    for method in ("GET", "HEAD"):
        response = await client.request(method, path)
        assert response.status == 404
    response = await client.get(path)
    assert await response.json() == NOT_FOUND


async def test_a_changed_file_gets_a_new_name_and_the_old_name_404s(
    serve: Serve, tmp_path: Path
) -> None:
    page, sources = _page_files(tmp_path)
    before = await serve(_build_of(page, sources, tmp_path / "cache"))
    old_urls = await _urls(before)
    old_etag = (await before.get("/")).headers["ETag"]
    (tmp_path / "viewer" / "viewer.js").write_text("console.log('v2');\n" * 50)
    after = await serve(_build_of(page, sources, tmp_path / "cache"))
    new_urls = await _urls(after)
    changed = [(o, n) for o, n in zip(old_urls, new_urls, strict=True) if o != n]
    assert [re.sub(r"\.[0-9a-f]{10}\.", ".*.", n) for _, n in changed] == ["/static/viewer.*.js"]
    assert (await after.get("/")).headers["ETag"] != old_etag
    old_js, new_js = changed[0]
    stale = await after.get(old_js)
    assert (stale.status, await stale.json()) == (404, NOT_FOUND)
    fresh = await after.get(new_js, headers={"Accept-Encoding": "identity"})
    assert await fresh.read() == b"console.log('v2');\n" * 50


async def test_without_livekit_client_the_page_loads_and_its_script_says_run_npm_ci(
    serve: Serve, tmp_path: Path
) -> None:
    page, sources = _page_files(tmp_path)
    (tmp_path / "viewer" / "livekit-client.js").unlink()
    client = await serve(_build_of(page, sources, tmp_path / "cache"))
    response = await client.get("/")
    assert response.status == 200
    vendor = [u for u in await _urls(client) if u.startswith("/vendor/")]
    assert vendor == ["/vendor/livekit-client.not-installed.js"]
    for path in (*vendor, "/vendor/livekit-client.0123456789.js"):
        answer = await client.get(path)
        assert (answer.status, await answer.json()) == (
            503,
            {"error": "livekit-client is not installed: run `npm ci` in the HostDesk folder"},
        )


async def test_a_missing_page_gets_404_json_and_is_looked_for_again(
    serve: Serve, tmp_path: Path
) -> None:
    page, sources = _page_files(tmp_path)
    text = page.read_text()
    page.unlink()
    client = await serve(_build_of(page, sources, tmp_path / "cache"))
    for path in ("/", "/watch/show-1"):
        response = await client.get(path)
        assert (response.status, await response.json()) == (404, NOT_FOUND)
    page.write_text(text)
    assert (await client.get("/")).status == 200


async def test_requests_during_the_build_all_wait_for_one_build_off_the_loop(
    serve: Serve, tmp_path: Path
) -> None:
    page, sources = _page_files(tmp_path)
    release = threading.Event()
    threads: list[str] = []

    def slow_build() -> StaticSet:
        threads.append(threading.current_thread().name)
        release.wait(10)
        return build_static_set(page, sources, tmp_path / "cache")

    client = await serve(StaticBuild(slow_build))
    pending = [asyncio.ensure_future(client.get(p)) for p in ["/", "/watch/a", "/watch/b"] * 5]
    # The sentinel: a request that needs no build is answered, so the loop is free meanwhile
    # and the page requests, sent before it, have been read and are waiting on the build.
    assert (await client.get("/api/openapi.json")).status == 200
    assert not any(p.done() for p in pending)
    release.set()
    answers = await asyncio.gather(*pending)
    assert [a.status for a in answers] == [200] * 15
    assert threads == ["hostdesk-static"]
    assert (await client.get("/")).status == 200 and len(threads) == 1


def test_compressed_bodies_are_kept_on_disk_by_content_hash_and_reused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    page, sources = _page_files(tmp_path)
    cache = tmp_path / "cache"
    first = build_static_set(page, sources, cache)
    digest = hashlib.sha256(sources[1].path.read_bytes()).hexdigest()
    assert (cache / f"{digest}.br11").read_bytes() == first.files[first.urls["viewer.js"]].bodies[
        "br"
    ]
    assert len(list(cache.iterdir())) == 2 * 4  # br and gzip of 3 files and the page

    def never(body: bytes, coding: str) -> bytes:
        raise AssertionError("compressed again although the disk cache has it")

    monkeypatch.setattr(assets, "_compress", never)
    assert build_static_set(page, sources, cache) == first


def test_bodies_shipped_with_the_packaged_app_are_used_and_never_copied(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    page, sources = _page_files(tmp_path)
    shipped = tmp_path / "shipped"
    made = build_static_set(page, sources, shipped)  # what build.spec does
    cache = tmp_path / "cache"

    def never(body: bytes, coding: str) -> bytes:
        raise AssertionError("compressed although the packaged app ships it")

    monkeypatch.setattr(assets, "_compress", never)
    assert build_static_set(page, sources, cache, shipped=shipped) == made
    assert not cache.exists()


def test_a_damaged_disk_cache_entry_is_made_again(tmp_path: Path) -> None:
    page, sources = _page_files(tmp_path)
    cache = tmp_path / "cache"
    first = build_static_set(page, sources, cache)
    digest = hashlib.sha256(sources[1].path.read_bytes()).hexdigest()
    (cache / f"{digest}.br11").write_bytes(b"not brotli")
    (cache / f"{digest}.gzip9").write_bytes(gzip.compress(b"other content"))
    assert build_static_set(page, sources, cache) == first
    remade = brotli.decompress((cache / f"{digest}.br11").read_bytes())
    assert remade == sources[1].path.read_bytes()


def test_an_unwritable_disk_cache_costs_the_compression_and_one_warning(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    page, sources = _page_files(tmp_path)
    blocked = tmp_path / "file-not-folder"
    blocked.write_text("")
    with caplog.at_level(logging.WARNING, logger="hostdesk.api"):
        served = build_static_set(page, sources, blocked / "static")
    assert served == build_static_set(page, sources, None)
    assert [
        r.getMessage().split(":")[0] for r in caplog.records if r.levelno >= logging.WARNING
    ] == ["cannot keep compressed viewer files in the disk cache"]


def test_a_page_and_its_files_must_name_each_other(tmp_path: Path) -> None:
    page, sources = _page_files(tmp_path)
    text = page.read_text()
    page.write_text(text.replace("{{viewer.css}}", "/static/viewer.css"))
    with pytest.raises(ValueError, match=r"does not name \{\{viewer.css\}\}"):
        build_static_set(page, sources, None)
    page.write_text(text + '<img src="{{logo.png}}">')
    with pytest.raises(ValueError, match="placeholder that names no file"):
        build_static_set(page, sources, None)


def test_a_module_importing_what_the_page_does_not_have_is_refused(tmp_path: Path) -> None:
    page, sources = _page_files(tmp_path)
    folder = tmp_path / "viewer"
    page.write_text(page.read_text() + '<script type="module" src="{{a.js}}"></script>')
    module = [Source(n, folder / n, "/static", "text/javascript", module=True) for n in ("a.js",)]
    (folder / "a.js").write_text('import { b } from "./b.js";\n')
    with pytest.raises(ValueError, match=r"a.js imports './b.js', which is no file of the page"):
        build_static_set(page, [*sources, *module], None)
    page.write_text(page.read_text() + '<link rel="modulepreload" href="{{b.js}}">')
    (folder / "b.js").write_text('import { a } from "./a.js";\n')
    both = [
        Source(n, folder / n, "/static", "text/javascript", module=True) for n in ("a.js", "b.js")
    ]
    with pytest.raises(ValueError, match="cycle"):
        build_static_set(page, [*sources, *both], None)
