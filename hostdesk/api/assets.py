"""The viewer page's static set: its files read once, named by content hash, compressed once.

Every viewer downloads the page from the host's own computer, whose uplink is the scarcest thing
in a show. So each file (the page's ES modules, viewer.css, livekit-client's ESM build) is read
once, served under a name that carries its SHA-256 (`/static/stage.3f2a9c1d0b.js`: the browser may
keep it forever), with brotli and gzip bodies made once; index.html names those files through
placeholders (`{{stage.js}}`) filled in once, and the rendered page has a strong ETag from its
content. The modules import each other as `./stage.js` and livekit-client as `livekit-client`
(what `tsc` type-checks); those specifiers are rewritten to the hashed names here, so a module's
name also changes when a module it imports does, and no import map (an inline script the CSP
would have to allow) is needed. The show's limits (`rules.for_clients`) go into the page as a JSON
data block and as `{{rules.<key>}}` values (`maxlength`), per stage size (`page_with_rules`).

Brotli at quality 11 costs about 2.7 s for livekit-client (its ESM build, 1.4 MB) on the 2-core
machine (5 s and more when it is busy), so the compressed bodies are also kept on disk, under
`${HOSTDESK_CACHE:-~/.cache/hostdesk}/static/`, named by the hash of what is served: only the
first run with a given file pays it; later runs read and check them in about 30 ms. The
packaged app ships them (resources/static, made by build.spec), so it never pays. The set is
built in a thread of its own (`StaticBuild`), never on the event loop, and requests that arrive
while it is being built wait for the same build.

This module imports no aiohttp: what is served, not how.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import gzip
import hashlib
import json
import logging
import os
import re
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import brotli  # type: ignore[import-untyped]  # ships no type information

from hostdesk.resources import resource_path, resources_root
from hostdesk.show import rules

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
#: The page's JSON data block of the show's limits, and one limit as text (`maxlength`).
RULES_PLACEHOLDER = "{{show-rules}}"
_RULE_VALUE = re.compile(r"\{\{rules\.(\w+)\}\}")
#: livekit-client's ES module build (the frozen app ships it under resources/vendor).
LIVEKIT_CLIENT_ESM = "livekit-client.esm.mjs"
LIVEKIT_CLIENT_MIN = "livekit-client.esm.min.mjs"
#: Bare import specifiers the modules use, by the source that answers them.
BARE_IMPORTS = {"livekit-client": "livekit-client.js"}
#: A static import or re-export (`import "./a.js"`, `import {b} from "./a.js"`,
#: `export {c} from "./a.js"`) or a dynamic `import("./a.js")`, at the start of a line (the
#: modules' style), so that JSDoc's `{import("./a.js").T}` types are left alone.
_IMPORT = re.compile(
    r"""^((?:import\s*|import\(\s*|(?:import|export)\b[^'";]*?\bfrom\s*))(["'])([^"']+)\2""",
    re.MULTILINE,
)


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
    #: An ES module whose import specifiers are rewritten to the hashed names.
    module: bool = False

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
    """The page rendered with the default stage size's rules, the page with its file names
    filled in but not its rules (`template`), the files it names by URL path, and the optional
    files missing."""

    page: Asset
    template: str
    files: Mapping[str, Asset]
    urls: Mapping[str, str]
    missing: frozenset[str]


def livekit_client_path() -> Path:
    """livekit-client's ES module build minified by `make setup` (esbuild: 131 kB as brotli, not
    251 kB): under resources/vendor when frozen, else in node_modules (or npm's own build)."""
    bundled = resource_path(f"vendor/{LIVEKIT_CLIENT_MIN}")
    if bundled.exists():
        return bundled
    node_modules = resources_root().parent / "node_modules"
    minified = node_modules / ".hostdesk" / LIVEKIT_CLIENT_MIN
    if minified.exists():
        return minified
    return node_modules / "livekit-client" / "dist" / LIVEKIT_CLIENT_ESM


def viewer_sources() -> list[Source]:
    """The viewer page's files: its style and every ES module in resources/viewer, and
    livekit-client's ES module build."""
    viewer = resource_path("viewer")
    modules = [
        Source(path.name, path, "/static", "text/javascript", module=True)
        for path in sorted(viewer.glob("*.js"))
    ]
    return [
        Source("viewer.css", viewer / "viewer.css", "/static", "text/css"),
        *modules,
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
    fills, a source the page does not name, or a module importing what no source is (or a
    cycle), raises ValueError.
    """
    started = time.perf_counter()
    compressor = _Compressor(cache, shipped)
    template = page.read_text(encoding="utf-8")
    bodies: dict[str, bytes] = {}
    urls: dict[str, str] = {}
    missing: set[str] = set()
    for source in sources:
        try:
            bodies[source.name] = source.path.read_bytes()
        except FileNotFoundError:
            if not source.optional:
                raise
            missing.add(source.name)
            # A name no hash can take, so the file's own route can say what is missing.
            urls[source.name] = source.url("not-installed")
    files: dict[str, Asset] = {}
    by_name = {source.name: source for source in sources}

    def serve(name: str, chain: tuple[str, ...] = ()) -> str:
        """The URL of source `name`, made after the modules it imports (whose URLs it holds)."""
        if name in urls:
            return urls[name]
        if name in chain:
            raise ValueError(f"the viewer modules import each other in a cycle: {chain}")
        source = by_name[name]
        body = bodies[name]
        if source.module:
            body = _link_imports(body, name, by_name, lambda dep: serve(dep, (*chain, name)))
        asset = compressor.asset(body, source.content_type)
        urls[name] = source.url(asset.digest[:HASH_CHARS])
        files[urls[name]] = asset
        return urls[name]

    for source in sources:
        serve(source.name)
    linked = _render(template, urls)
    rendered = render_rules(linked, rules.for_clients(rules.DEFAULT_STAGE_SIZE))
    static = StaticSet(
        compressor.asset(rendered.encode(), "text/html"),
        linked,
        files,
        urls,
        frozenset(missing),
    )
    log.info(
        "viewer page files ready in %.0f ms: %d compressed, %d from the disk cache",
        (time.perf_counter() - started) * 1000,
        compressor.made,
        compressor.reused,
    )
    return static


def _link_imports(
    body: bytes, name: str, sources: Mapping[str, Source], url_of: Callable[[str], str]
) -> bytes:
    """The module with each import specifier replaced by the URL of the source it names."""

    def linked(match: re.Match[str]) -> str:
        keyword, quote, specifier = match.groups()
        target = BARE_IMPORTS.get(specifier)
        if target is None and specifier.startswith("./"):
            target = specifier[2:]
        if target is None or target not in sources:
            raise ValueError(f"{name} imports {specifier!r}, which is no file of the page")
        return f"{keyword}{quote}{url_of(target)}{quote}"

    return _IMPORT.sub(linked, body.decode("utf-8")).encode("utf-8")


def _render(template: str, urls: Mapping[str, str]) -> str:
    """The page with its file names filled in (its rules placeholders left for render_rules)."""
    rendered = template
    for name, url in urls.items():
        placeholder = _PLACEHOLDER.format(name=name)
        if placeholder not in rendered:
            raise ValueError(f"the viewer page does not name {placeholder}")
        rendered = rendered.replace(placeholder, url)
    if "{{" in _RULE_VALUE.sub("", rendered.replace(RULES_PLACEHOLDER, "")):
        raise ValueError("the viewer page has a placeholder that names no file")
    return rendered


def render_rules(linked: str, limits: Mapping[str, Any]) -> str:
    """The page with the show's limits filled in: the JSON data block (with `<` escaped, so no
    value can close the element) and each `{{rules.<key>}}`."""

    def value(match: re.Match[str]) -> str:
        key = match.group(1)
        if key not in limits:
            raise ValueError(f"the viewer page names an unknown rule {key!r}")
        return str(limits[key])

    data = json.dumps(limits, separators=(",", ":"), sort_keys=True).replace("<", "\\u003c")
    return _RULE_VALUE.sub(value, linked.replace(RULES_PLACEHOLDER, data))


def page_with_rules(static: StaticSet, limits: Mapping[str, Any]) -> Asset:
    """The page for other limits than the default stage size's: compressed now (blocking; a
    page is a few kilobytes), kept in memory only."""
    return _Compressor(None, None).asset(
        render_rules(static.template, limits).encode(), "text/html"
    )


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
