"""The viewer page's static set: its files read once, named by content hash, compressed once.

Every viewer downloads the page from the host's own computer, whose uplink is the scarcest thing
in a show. So each file (viewer.js, viewer.css, livekit-client) is read once, served under a name
that carries its SHA-256 (`/static/viewer.3f2a9c1d0b.js`: the browser may keep it forever), with
brotli and gzip bodies made once; index.html names those files through placeholders
(`{{viewer.js}}`) filled in once, and the rendered page has a strong ETag from its content.

Brotli at quality 11 costs about 1.6 s for livekit-client (610 KB) on the project's 2-core
machine (5 s and more when it is busy), so the compressed bodies are also kept on disk, under
`${HOSTDESK_CACHE:-~/.cache/hostdesk}/static/`, named by the source's hash: only the first run
with a given file pays it; later runs read and check them in about 30 ms. The packaged app ships
them (resources/static, made by build.spec), so it never pays. The set is built in a thread of
its own (`StaticBuild`), never on the event loop, and requests that arrive while it is being built
wait for the same build.

This module imports no aiohttp: what is served, not how.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import gzip
import hashlib
import logging
import os
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import brotli  # type: ignore[import-untyped]  # ships no type information

from hostdesk.resources import livekit_client_path, resource_path

log = logging.getLogger("hostdesk.api")

#: Hex digits of the SHA-256 in a file's name (40 bits, ample for a handful of files); an ETag
#: takes twice as many.
HASH_CHARS = 10
BROTLI_QUALITY = 11
GZIP_LEVEL = 9
#: Content codings in the server's order of preference; "identity" is the file as it is.
CODINGS = ("br", "gzip")
IDENTITY = "identity"

_CACHE_ENV = "HOSTDESK_CACHE"
_PLACEHOLDER = "{{{{{name}}}}}"


@dataclass(frozen=True)
class Source:
    """One file the page loads: `name` is its placeholder in index.html and, with the hash put
    before the suffix, its name under `directory`."""

    name: str
    path: Path
    directory: str
    content_type: str
    #: An optional file may be missing (livekit-client before `npm ci`): the page still renders.
    optional: bool = False

    def url(self, tag: str) -> str:
        stem, dot, suffix = self.name.rpartition(".")
        return f"{self.directory}/{stem}.{tag}{dot}{suffix}"


@dataclass(frozen=True)
class Asset:
    """One served file: its bodies by content coding (identity, br, gzip), all made once."""

    content_type: str
    digest: str
    bodies: Mapping[str, bytes]

    def etag(self, coding: str) -> str:
        """Strong, and one per coding: each coding is a different representation."""
        tag = self.digest[: 2 * HASH_CHARS]
        return f'"{tag}"' if coding == IDENTITY else f'"{tag}-{coding}"'


@dataclass(frozen=True)
class StaticSet:
    """The rendered page, the files it names by URL path, and the optional files missing."""

    page: Asset
    files: Mapping[str, Asset]
    urls: Mapping[str, str]
    missing: frozenset[str]


def viewer_sources() -> list[Source]:
    """The viewer page's files, from resources/viewer and livekit-client's browser build."""
    viewer = resource_path("viewer")
    return [
        Source("viewer.css", viewer / "viewer.css", "/static", "text/css"),
        Source("viewer.js", viewer / "viewer.js", "/static", "text/javascript"),
        Source(
            "livekit-client.js", livekit_client_path(), "/vendor", "text/javascript", optional=True
        ),
    ]


def cache_dir() -> Path:
    root = os.environ.get(_CACHE_ENV) or str(Path.home() / ".cache" / "hostdesk")
    return Path(root) / "static"


#: Compressed bodies the packaged app ships (build.spec): read, never written.
SHIPPED = "static"


def build_static_set(
    page: Path, sources: Sequence[Source], cache: Path | None, *, shipped: Path | None = None
) -> StaticSet:
    """Reads, hashes and compresses everything once (blocking: run it in a thread). Compressed
    bodies are taken from `shipped`, else `cache`, else made and kept in `cache`.

    A missing page or required file raises FileNotFoundError; a page placeholder that no source
    fills, or a source the page does not name, raises ValueError.
    """
    started = time.perf_counter()
    compressor = _Compressor(cache, shipped)
    template = page.read_text(encoding="utf-8")
    files: dict[str, Asset] = {}
    urls: dict[str, str] = {}
    missing: set[str] = set()
    for source in sources:
        try:
            body = source.path.read_bytes()
        except FileNotFoundError:
            if not source.optional:
                raise
            missing.add(source.name)
            # A name no hash can take, so the file's own route can say what is missing.
            urls[source.name] = source.url("not-installed")
            continue
        asset = compressor.asset(body, source.content_type)
        urls[source.name] = source.url(asset.digest[:HASH_CHARS])
        files[urls[source.name]] = asset
    rendered = _render(template, urls)
    static = StaticSet(
        compressor.asset(rendered.encode(), "text/html"), files, urls, frozenset(missing)
    )
    log.info(
        "viewer page files ready in %.0f ms: %d compressed, %d from the disk cache",
        (time.perf_counter() - started) * 1000,
        compressor.made,
        compressor.reused,
    )
    return static


def _render(template: str, urls: Mapping[str, str]) -> str:
    rendered = template
    for name, url in urls.items():
        placeholder = _PLACEHOLDER.format(name=name)
        if placeholder not in rendered:
            raise ValueError(f"the viewer page does not name {placeholder}")
        rendered = rendered.replace(placeholder, url)
    if "{{" in rendered:
        raise ValueError("the viewer page has a placeholder that names no file")
    return rendered


class _Compressor:
    """Compressed bodies from a disk cache when a checked copy is there, else made and kept."""

    def __init__(self, cache: Path | None, shipped: Path | None) -> None:
        self._cache = cache
        self._shipped = shipped
        self.made = 0
        self.reused = 0

    def asset(self, body: bytes, content_type: str) -> Asset:
        digest = hashlib.sha256(body).hexdigest()
        bodies = {IDENTITY: body}
        for coding in CODINGS:
            bodies[coding] = self._compressed(body, digest, coding)
        return Asset(content_type, digest, bodies)

    def _compressed(self, body: bytes, digest: str, coding: str) -> bytes:
        for folder in (self._shipped, self._cache):
            kept = _read(folder, _file_name(digest, coding))
            if kept is not None and _decompress(kept, coding) == body:
                self.reused += 1
                return kept
        made = _compress(body, coding)
        self.made += 1
        self._keep(_file_name(digest, coding), made)
        return made

    def _keep(self, name: str, body: bytes) -> None:
        if self._cache is None:
            return
        path = self._cache / name
        # Written aside and renamed, so a reader (another HostDesk) never sees half a file.
        scratch = path.with_name(f"{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            scratch.write_bytes(body)
            os.replace(scratch, path)
        except OSError as exc:
            log.warning("cannot keep compressed viewer files in the disk cache: %s", exc)
            with contextlib.suppress(OSError):
                scratch.unlink(missing_ok=True)
            self._cache = None  # one warning, not one per file: the rest would fail alike


def _file_name(digest: str, coding: str) -> str:
    level = BROTLI_QUALITY if coding == "br" else GZIP_LEVEL
    return f"{digest}.{coding}{level}"


def _read(folder: Path | None, name: str) -> bytes | None:
    if folder is None:
        return None
    try:
        return (folder / name).read_bytes()
    except OSError:
        return None


def _compress(body: bytes, coding: str) -> bytes:
    if coding == "br":
        compressed: bytes = brotli.compress(body, quality=BROTLI_QUALITY)
        return compressed
    # mtime 0: the same file always compresses to the same bytes.
    return gzip.compress(body, compresslevel=GZIP_LEVEL, mtime=0)


def _decompress(body: bytes, coding: str) -> bytes | None:
    try:
        if coding == "br":
            plain: bytes = brotli.decompress(body)
            return plain
        return gzip.decompress(body)
    except (brotli.error, OSError, EOFError):
        return None


class StaticBuild:
    """Builds the static set once, in a thread of its own, for every caller and event loop.

    A plain thread and a `concurrent.futures.Future` rather than the loop's executor: the set is
    the process's (the files are), and it outlives any one loop (tests, `--self-test`). A build
    that failed (a file missing) is tried again on the next call.
    """

    def __init__(self, build: Callable[[], StaticSet]) -> None:
        self._build = build
        self._lock = threading.Lock()
        self._future: concurrent.futures.Future[StaticSet] | None = None

    def start(self) -> concurrent.futures.Future[StaticSet]:
        with self._lock:
            future = self._future
            if future is None or (future.done() and future.exception() is not None):
                future = concurrent.futures.Future()
                # Running from here on: a caller's cancelled wait cannot cancel everyone's build.
                future.set_running_or_notify_cancel()
                threading.Thread(
                    target=self._run, args=(future,), name="hostdesk-static", daemon=True
                ).start()
                self._future = future
            return future

    async def result(self) -> StaticSet:
        return await asyncio.wrap_future(self.start())

    def _run(self, future: concurrent.futures.Future[StaticSet]) -> None:
        try:
            future.set_result(self._build())
        except BaseException as exc:  # handed to every waiting request
            future.set_exception(exc)


def viewer_build() -> StaticBuild:
    """The viewer page's build: resources/viewer and livekit-client, compressed bodies from the
    packaged app's resources/static or kept in `cache_dir()`."""
    return StaticBuild(
        lambda: build_static_set(
            resource_path("viewer/index.html"),
            viewer_sources(),
            cache_dir(),
            shipped=resource_path(SHIPPED),
        )
    )
