"""Viewers' pages loaded per minute through the host's 20 Mbit/s uplink, before and after the
viewer page's files were compressed and cached by content hash.

The host side is HostDesk's real viewer routes (`hostdesk.api.viewer`, with the error middleware) in
a server process of its own, on the host end of a veth pair into a network namespace this run
creates (tests/support/netns.py). The veth's host end is shaped with `tc tbf rate 20mbit`:
everything the server sends to viewers goes through it, as through a home uplink. (No added round-
trip time: this machine's kernel has no netem; the link's rate, not its delay, is what is measured.)
Viewers are a client process inside the namespace (`ip netns exec`): `--viewers` of them at once,
each loading exactly what the page loads (the page, then its three files in parallel, on a new
browser's connections), again and again for `--seconds` per variant:

- before: `Accept-Encoding: identity`, no cache: every visit downloads every file as it is (what
  every visit cost before the files were compressed and cached);
- gzip: what Chromium asks for over plain http from a non-loopback address (`gzip, deflate`);
- brotli, first visit: what Chromium asks for over https or from loopback;
- brotli, second visit: the page revalidated (`If-None-Match` -> 304), its files already cached
  (immutable), so nothing else is fetched.

Traffic goes only between the two veth addresses (198.18.0.0/15, never routed).

    python bench/page_load_uplink.py [--seconds 20] [--viewers 8] [--rate-mbit 20]

Needs root (network namespace, tc) and iproute2.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
if str(ROOT) not in sys.path:  # tests.support.netns lives in the repo, not in the installed package
    sys.path.insert(0, str(ROOT))

PORT = 8089
PAGE = "/watch/bench-show"
HASHED = re.compile(r'(?:href|src)="(/(?:static|vendor)/[^"]+)"')
VARIANTS = {
    # name: (Accept-Encoding, second visit)
    "before: identity, no cache": ("identity", False),
    "gzip (plain http, LAN)": ("gzip, deflate", False),
    "brotli, first visit": ("gzip, deflate, br, zstd", False),
    "brotli, second visit": ("gzip, deflate, br, zstd", True),
}


# -- the server (host side of the veth) --------------------------------------------------------


def serve(host: str, port: int) -> None:
    from aiohttp import web

    from hostdesk.api.errors import error_middleware
    from hostdesk.api.viewer import routes

    app = web.Application(middlewares=[error_middleware])
    app.add_routes(routes)
    web.run_app(app, host=host, port=port, print=None, access_log=None)


# -- the viewers (inside the namespace) ---------------------------------------------------------


async def viewers(base: str, accept: str, second: bool, count: int, seconds: float) -> None:
    """`count` viewers visiting the page again and again; prints each visit's duration."""
    import aiohttp

    headers = {"Accept-Encoding": accept}
    async with aiohttp.ClientSession(auto_decompress=False) as http:
        async with http.get(base + PAGE, headers={"Accept-Encoding": "identity"}) as response:
            files = HASHED.findall(await response.text())
        async with http.get(base + PAGE, headers=headers) as response:
            etag = response.headers["ETag"]
    assert len(files) == 3, files

    visits: list[float] = []
    deadline = time.perf_counter() + seconds
    timeout = aiohttp.ClientTimeout(total=120)

    async def get(
        http: aiohttp.ClientSession, path: str, sent: dict[str, str], status: int
    ) -> None:
        async with http.get(base + path, headers=sent) as response:
            assert response.status == status, (path, response.status)
            await response.read()

    async def viewer() -> None:
        while time.perf_counter() < deadline:
            started = time.perf_counter()
            # A session per visit: each visit is a new browser's connections (keep-alive
            # within the visit, up to 6 at once, as Chromium does for one origin).
            async with aiohttp.ClientSession(auto_decompress=False, timeout=timeout) as http:
                if second:
                    await get(http, PAGE, {**headers, "If-None-Match": etag}, 304)
                else:
                    await get(http, PAGE, headers, 200)
                    await asyncio.gather(*(get(http, f, headers, 200) for f in files))
            if time.perf_counter() <= deadline:
                visits.append(time.perf_counter() - started)

    tasks = [asyncio.ensure_future(viewer()) for _ in range(count)]
    await asyncio.sleep(seconds)
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    print(json.dumps({"visits": visits}), flush=True)


# -- the run ------------------------------------------------------------------------------------


def _run(*command: str) -> str:
    return subprocess.run(command, check=True, capture_output=True, text=True).stdout


def _cpu_s(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _wait_ready(url: str, timeout: float = 30.0) -> None:
    """Waits for the server to answer `url` (its first request builds the static set)."""
    import urllib.request

    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(url, timeout=5):
                return
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)


def _drops(interface: str) -> int:
    """Packets the shaper dropped so far (its queue full): each costs a TCP retransmission."""
    stats = _run("tc", "-s", "qdisc", "show", "dev", interface)
    return int(re.search(r"dropped (\d+)", stats).group(1))  # type: ignore[union-attr]


def _tx_bytes(interface: str) -> int:
    """Bytes the interface sent: everything on the shaped uplink, TCP/IP headers included."""
    return int(Path(f"/sys/class/net/{interface}/statistics/tx_bytes").read_text())


def _sizes(base: str) -> dict[str, dict[str, int]]:
    """Body bytes of the page and each file, per Accept-Encoding, from the running server."""
    import urllib.request

    def get(path: str, accept: str) -> bytes:
        request = urllib.request.Request(base + path, headers={"Accept-Encoding": accept})
        with urllib.request.urlopen(request, timeout=10) as response:
            body: bytes = response.read()
            return body

    paths = [PAGE, *HASHED.findall(get(PAGE, "identity").decode())]
    return {accept: {p: len(get(p, accept)) for p in paths} for accept, _ in VARIANTS.values()}


def build_times() -> dict[str, float]:
    """Seconds to build the viewer's static set: with an empty disk cache (a first run), with
    that cache filled (every later run), and with no disk cache at all."""
    from hostdesk.api.assets import build_static_set, viewer_sources
    from hostdesk.resources import resource_path

    page = resource_path("viewer/index.html")
    times: dict[str, float] = {}
    with tempfile.TemporaryDirectory() as cache:
        for name, folder in (("empty cache", cache), ("filled cache", cache), ("no cache", None)):
            started = time.perf_counter()
            build_static_set(page, viewer_sources(), Path(folder) if folder else None)
            times[name] = time.perf_counter() - started
    return times


def bench(args: argparse.Namespace) -> list[dict[str, Any]]:
    from bench._harness import percentile
    from tests.support.netns import create_test_netns

    netns = create_test_netns()
    server: subprocess.Popen[str] | None = None
    try:
        rate = f"{args.rate_mbit}mbit"
        # The host's uplink: what the server sends leaves through the host end of the veth.
        _run("tc", "qdisc", "add", "dev", netns.host_if, "root", "tbf", "rate", rate,
             "burst", "32kb", "latency", "400ms")  # fmt: skip
        base = f"http://{netns.host_ip}:{PORT}"
        server = subprocess.Popen(
            [sys.executable, __file__, "--serve", netns.host_ip, str(PORT)], text=True
        )
        started = time.perf_counter()
        _wait_ready(base + "/")
        print(f"server answering, static set built: {time.perf_counter() - started:.2f} s")
        sizes = _sizes(base)
        results = []
        for name, (accept, second) in VARIANTS.items():
            cpu0, tx0, drops0 = _cpu_s(server.pid), _tx_bytes(netns.host_if), _drops(netns.host_if)
            out = _run(
                *netns.exec_prefix(), sys.executable, __file__, "--viewers-of", base, accept,
                str(int(second)), str(args.viewers), str(args.seconds),
            )  # fmt: skip
            cpu, tx = _cpu_s(server.pid) - cpu0, _tx_bytes(netns.host_if) - tx0
            drops = _drops(netns.host_if) - drops0
            loads = sorted(json.loads(out.strip().splitlines()[-1])["visits"])
            visit = {} if second else sizes[accept]  # a 304 has no body; the files are cached
            results.append(
                {
                    "variant": name,
                    "bytes_per_visit": sum(visit.values()),
                    "loads": len(loads),
                    "per_min": 60 * len(loads) / args.seconds,
                    "p50_s": percentile(loads, 50),
                    "p95_s": percentile(loads, 95),
                    "wire_per_visit": tx / len(loads) if loads else float("nan"),
                    "mbit_s": 8 * tx / args.seconds / 1e6,
                    "server_cpu_pct": 100 * cpu / args.seconds,
                    "drops": drops,
                }
            )
        return results
    finally:
        if server is not None:
            server.terminate()
            server.wait(10)
        netns.cleanup()


def report(results: list[dict[str, Any]], args: argparse.Namespace) -> None:
    from bench._harness import table

    link_bytes_per_min = args.rate_mbit * 1e6 / 8 * 60
    print(
        f"\n{args.viewers} viewers at once, {args.seconds:g} s per variant, uplink "
        f"{args.rate_mbit} Mbit/s (tbf). 'bodies' are the response bodies "
        "of one visit; 'uplink' is what the shaped interface sent per finished visit (headers, "
        "TCP/IP and visits cut off at the end included); 'bound' is the link divided by the "
        "bodies.\n"
    )
    rows = [
        [
            r["variant"],
            f"{r['bytes_per_visit']:,}",
            f"{r['wire_per_visit']:,.0f}",
            r["loads"],
            r["per_min"],
            link_bytes_per_min / r["bytes_per_visit"] if r["bytes_per_visit"] else float("nan"),
            r["p50_s"],
            r["p95_s"],
            r["mbit_s"],
            r["server_cpu_pct"],
            r["drops"],
        ]
        for r in results
    ]
    headers = [
        "variant", "bodies B", "uplink B", "visits", "visits/min", "bound/min", "p50 s",
        "p95 s", "Mbit/s", "server CPU %", "drops",
    ]  # fmt: skip
    print(table(headers, rows))
    before, first = results[0]["per_min"], results[2]["per_min"]
    if before:
        print(f"\nbrotli first visits / before: {first / before:.2f}x")
        for r in (results[0], results[2]):
            print(f"1,000 viewers' pages, {r['variant']}: {1000 / r['per_min']:.1f} min")


def main() -> int:
    if len(sys.argv) > 1 and sys.argv[1] == "--serve":
        serve(sys.argv[2], int(sys.argv[3]))
        return 0
    if len(sys.argv) > 1 and sys.argv[1] == "--viewers-of":
        base, accept, second, count, seconds = sys.argv[2:7]
        asyncio.run(viewers(base, accept, second == "1", int(count), float(seconds)))
        return 0
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--viewers", type=int, default=8, help="viewers loading at once")
    parser.add_argument("--rate-mbit", type=int, default=20)
    args = parser.parse_args()
    if os.geteuid() != 0:
        print("page_load_uplink: needs root (network namespace, tc)", file=sys.stderr)
        return 1
    for name, took in build_times().items():
        print(f"static set built, {name}: {took * 1000:,.0f} ms")
    report(bench(args), args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
