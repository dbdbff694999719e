"""Viewer join throughput and latency: HostDesk's API against the contract's reference stack.

Three servers answer `POST /api/rooms/join` for a viewer, each in its own process pinned to one
core (wrk, the load generator, on the other): `hostdesk serve --rate-limits off`; the contract's
reference stack, Express 4 + livekit-server-sdk 2 on Node (bench/reference/, installed there
with `npm ci` when its node_modules is missing); and a bare aiohttp handler minting with the
Python SDK's `AccessToken`. Before measuring, one join is asked of each and the tokens are
decoded: their claims and grants must be HostDesk's in everything but the holder's identity and
the times, or the run stops (a faster server that mints a different token proves nothing).
Then wrk drives the servers in turn at 1, 10 and 100 connections, for several rounds; the
tables give each server's best round (the machine is shared: a round slowed by someone else's
work says nothing about the server), the range over rounds, CPU time per request, and
HostDesk's throughput as a multiple of the reference's with both p99s.

    python bench/join_throughput.py [--seconds 10] [--rounds 3] [--no-pin]

Needs wrk (`apt-get install wrk`), Node 20 and npm. The viewer join touches no LiveKit server.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
REFERENCE = BENCH / "reference"
BODY = {"roomName": "bench-show", "participantName": "Bench Viewer", "role": "viewer"}
KEY, SECRET = "HDbench", "bench-secret-0123456789-0123456789-0123456789"
LIVEKIT_URL = "ws://127.0.0.1:9"
CONNECTIONS = (1, 10, 100)
#: The contract's response fields; a server may add more (HostDesk adds `identity`).
CONTRACT_FIELDS = {"token", "wsUrl", "roomName", "role"}
#: Claims that name the holder or the moment, different in every token by design.
PER_TOKEN_CLAIMS = ("sub", "jti", "iat", "nbf", "exp")
SERVER_CORE, WRK_CORE = "1", "0"

BARE_SERVER = r"""
import json, sys
from aiohttp import web
from livekit import api

KEY, SECRET, PORT = sys.argv[1], sys.argv[2], int(sys.argv[3])

async def join(request):
    body = await request.json()
    name = body["participantName"]
    token = (
        api.AccessToken(KEY, SECRET)
        .with_identity("viewer-x")
        .with_name(name)
        .with_metadata(json.dumps({"role": "viewer", "displayName": name}, separators=(",", ":")))
        .with_grants(api.VideoGrants(room_join=True, room=body["roomName"], can_publish=False,
                                     can_subscribe=True, can_publish_data=True,
                                     can_update_own_metadata=False))
        .to_jwt()
    )
    return web.json_response({"token": token, "wsUrl": "ws://127.0.0.1:9",
                              "roomName": body["roomName"], "role": "viewer",
                              "identity": "viewer-x"})

app = web.Application()
app.router.add_post("/api/rooms/join", join)
web.run_app(app, host="127.0.0.1", port=PORT, print=None, access_log=None)
"""

LUA = """
wrk.method = "POST"
wrk.body   = '{body}'
wrk.headers["Content-Type"] = "application/json"
"""


@dataclass(frozen=True)
class Server:
    name: str
    command: list[str]
    cwd: Path | None = None


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def ask_join(port: int, timeout: float = 20.0) -> dict[str, Any]:
    """One viewer join, retried until the server answers (it is starting)."""
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/api/rooms/join",
        data=json.dumps(BODY).encode(),
        headers={"Content-Type": "application/json"},
    )
    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(request, timeout=2) as response:
                answer: dict[str, Any] = json.loads(response.read())
                return answer
        except OSError:
            if time.monotonic() > deadline:
                raise RuntimeError(f"no answer to a join on port {port}") from None
            time.sleep(0.1)


def decode_jwt(token: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """Header and claims of an HS256 token whose signature checks with the bench's secret."""
    import jwt

    header = jwt.get_unverified_header(token)
    claims = jwt.decode(token, SECRET, ["HS256"], options={"verify_iss": False})
    return header, claims


def comparable(claims: dict[str, Any]) -> dict[str, Any]:
    """The claims less those that differ per token, with the metadata read as JSON and the
    lifetime (exp - nbf) kept, so that a different TTL still shows."""
    kept = {k: v for k, v in claims.items() if k not in PER_TOKEN_CLAIMS}
    kept["metadata"] = json.loads(kept.get("metadata") or "null")
    kept["lifetime_s"] = claims.get("exp", 0) - claims.get("nbf", 0)
    return kept


def check_same_token(answers: dict[str, dict[str, Any]]) -> None:
    """Stops the run unless every server's answer has the contract's fields and a token with
    HostDesk's claims and grants."""
    expected_header, hostdesk_claims = decode_jwt(answers["hostdesk"]["token"])
    expected = comparable(hostdesk_claims)
    for name, answer in answers.items():
        missing = CONTRACT_FIELDS - answer.keys()
        if missing:
            raise SystemExit(f"{name}: join answer lacks {sorted(missing)}: {answer}")
        if (answer["roomName"], answer["role"]) != (BODY["roomName"], BODY["role"]):
            raise SystemExit(f"{name}: join answered for another room or role: {answer}")
        header, claims = decode_jwt(answer["token"])
        if header.get("alg") != expected_header.get("alg"):
            raise SystemExit(f"{name}: token header {header} != HostDesk's {expected_header}")
        if comparable(claims) != expected:
            raise SystemExit(
                f"{name}: token claims differ from HostDesk's\n  {name}: {comparable(claims)}\n"
                f"  hostdesk: {expected}"
            )
    print(f"tokens: same claims and grants from {', '.join(answers)}: {json.dumps(expected)}")


def run_wrk(port: int, connections: int, seconds: int, script: Path, pin: bool) -> dict[str, float]:
    prefix = ["taskset", "-c", WRK_CORE] if pin else []
    out = subprocess.run(
        [
            *prefix,
            "wrk",
            "-t1",
            f"-c{connections}",
            f"-d{seconds}s",
            "--latency",
            "-s",
            str(script),
            f"http://127.0.0.1:{port}/api/rooms/join",
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    lat = dict(re.findall(r"^\s+(50|99)%\s+([\d.]+\w+)", out, re.M))
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    socket_errors = re.search(r"Socket errors: (.*)", out)
    requests = re.search(r"(\d+) requests in", out)
    return {
        "requests": float(requests.group(1)) if requests else 0.0,
        "rps": rps,
        "p50_ms": to_ms(lat["50"]),
        "p99_ms": to_ms(lat["99"]),
        "errors": float(non2xx.group(1)) if non2xx else 0.0,
        # "Socket errors: connect 0, read 0, write 0, timeout 12"
        "socket_errors": float(sum(map(int, re.findall(r"\d+", socket_errors.group(1)))))
        if socket_errors
        else 0.0,
    }


def to_ms(text: str) -> float:
    value, unit = re.fullmatch(r"([\d.]+)(\w+)", text).groups()  # type: ignore[union-attr]
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}[unit]


def ensure_reference_installed() -> None:
    """bench/reference/node_modules from its package-lock.json (`npm ci`), when missing."""
    if (REFERENCE / "node_modules" / ".package-lock.json").exists():
        return
    if shutil.which("npm") is None:
        raise SystemExit("bench needs Node 20 and npm for the reference stack (bench/reference)")
    print("bench/reference/node_modules is missing: installing it with npm ci", flush=True)
    subprocess.run(
        ["npm", "ci", "--no-audit", "--no-fund", "--loglevel=error"], cwd=REFERENCE, check=True
    )


def servers(work: Path) -> list[Server]:
    return [
        Server("hostdesk", [sys.executable, "-m", "hostdesk", "serve", "--rate-limits", "off"]),
        Server("reference", ["node", "server.js"], cwd=REFERENCE),
        Server("bare", [sys.executable, str(work / "bare.py"), KEY, SECRET]),
    ]


class Running:
    """One server process on a free port (pinned to its core), stopped on exit."""

    def __init__(self, server: Server, pin: bool, work: Path) -> None:
        self.server = server
        # Its output goes to a file: a pipe nobody reads fills up and stalls the server.
        self.log = work / f"{server.name}.log"
        self.port = free_port()
        port_args = ["--port", str(self.port), "--api-key", "bench"]
        command = [*server.command, *(port_args if server.name == "hostdesk" else [str(self.port)])]
        env = dict(
            os.environ, LIVEKIT_URL=LIVEKIT_URL, LIVEKIT_API_KEY=KEY, LIVEKIT_API_SECRET=SECRET
        )
        # taskset execs the server: the pid is the server's own, whose CPU time /proc gives.
        self.proc = subprocess.Popen(
            [*(["taskset", "-c", SERVER_CORE] if pin else []), *command],
            cwd=server.cwd,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=self.log.open("wb"),
        )

    def join(self) -> dict[str, Any]:
        try:
            return ask_join(self.port)
        except RuntimeError:
            self.proc.kill()
            self.proc.wait(10)
            err = self.log.read_text(errors="replace")
            raise SystemExit(f"{self.server.name} did not start: {err[-2000:]}") from None

    def cpu_s(self) -> float:
        """User + system CPU of the server process, all its threads (Node's pool included)."""
        fields = Path(f"/proc/{self.proc.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def drive(self, connections: int, seconds: int, script: Path, pin: bool) -> dict[str, float]:
        before = self.cpu_s()
        run = run_wrk(self.port, connections, seconds, script, pin)
        run["cpu_us"] = 1e6 * (self.cpu_s() - before) / max(1.0, run["requests"])
        return run

    def stop(self) -> None:
        self.proc.terminate()
        self.proc.wait(10)


def core_speed_s(pin: bool) -> float:
    """CPU seconds of a fixed pure-Python loop on the servers' core: this machine's cores are
    shared virtual CPUs whose speed drifts (this loop took 1.1 s and 2.0 s on one day),
    so each run records how fast its core was."""
    loop = (
        "import time\nt = time.process_time()\nx = 0\nfor i in range(20_000_000): x += i\n"
        "print(time.process_time() - t)"
    )
    prefix = ["taskset", "-c", SERVER_CORE] if pin else []
    out = subprocess.run([*prefix, sys.executable, "-c", loop], capture_output=True, text=True)
    return float(out.stdout)


def best(runs: list[dict[str, float]]) -> dict[str, float]:
    """The round with the most requests/s: the machine is shared, and a round slowed by
    someone else's work says nothing about the server."""
    return max(runs, key=lambda r: r["rps"])


def report(results: dict[str, dict[int, list[dict[str, float]]]]) -> None:
    from _harness import table

    rows = []
    for name, by_conns in results.items():
        for conns, runs in by_conns.items():
            r = best(runs)
            spread = f"{min(x['rps'] for x in runs):,.0f}-{max(x['rps'] for x in runs):,.0f}"
            errors = int(sum(x["errors"] + x["socket_errors"] for x in runs))
            rows.append(
                [name, conns, r["rps"], spread, r["p50_ms"], r["p99_ms"], r["cpu_us"], errors]
            )
    headers = ["server", "conns", "req/s", "all rounds", "p50 ms", "p99 ms", "CPU us/req", "errors"]
    print(table(headers, rows))
    print()
    ours, ref = results["hostdesk"], results["reference"]
    rows = []
    for conns in CONNECTIONS:
        # Each round drove HostDesk and the reference seconds apart: the ratio within a round
        # is the paired comparison, and its median over rounds is what the verdict reads.
        ratios = [o["rps"] / r["rps"] for o, r in zip(ours[conns], ref[conns], strict=True)]
        p99s = [(o["p99_ms"], r["p99_ms"]) for o, r in zip(ours[conns], ref[conns], strict=True)]
        ratio = statistics.median(ratios)
        p99_ours = statistics.median(o for o, _ in p99s)
        p99_ref = statistics.median(r for _, r in p99s)
        met = ratio >= 2 and p99_ours <= p99_ref
        rows.append(
            [
                conns,
                f"{ratio:.2f}x",
                f"{min(ratios):.2f}-{max(ratios):.2f}x",
                f"{best(ours[conns])['rps'] / best(ref[conns])['rps']:.2f}x",
                p99_ours,
                p99_ref,
                "met" if met else "no",
            ]
        )
    headers = ["conns", "hostdesk/ref", "rounds", "best/best", "p99 ours", "p99 ref", "2x"]
    print(table(headers, rows))
    print(
        "hostdesk/ref: median over rounds of the ratio within a round; p99: medians over rounds"
        " (ms). Target: >= 2x the reference's req/s at 10 and 100 connections, p99 no worse."
    )


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--rounds", type=int, default=3, help="runs per server and load")
    parser.add_argument(
        "--no-pin",
        dest="pin",
        action="store_false",
        help="do not pin servers to core 1 and wrk to core 0",
    )
    args = parser.parse_args()
    for tool in ("wrk", "node", *(["taskset"] if args.pin else [])):
        if shutil.which(tool) is None:
            print(f"bench needs {tool} (wrk: apt-get install wrk)", file=sys.stderr)
            return 1
    ensure_reference_installed()
    work = Path(tempfile.mkdtemp(prefix="hostdesk-bench-"))
    script = work / "join.lua"
    script.write_text(LUA.format(body=json.dumps(BODY)))
    (work / "bare.py").write_text(BARE_SERVER)
    print(
        f"core speed probe: {core_speed_s(args.pin):.2f} s; "
        f"load average before: {os.getloadavg()[0]:.2f}; {args.rounds} rounds of "
        f"{args.seconds} s per server and load, servers interleaved",
        flush=True,
    )
    running = [Running(server, args.pin, work) for server in servers(work)]
    try:
        # The same token from each, or no measurement at all.
        check_same_token({r.server.name: r.join() for r in running})
        for r in running:
            run_wrk(r.port, 10, 2, script, args.pin)  # warm up
        results: dict[str, dict[int, list[dict[str, float]]]] = {
            r.server.name: {c: [] for c in CONNECTIONS} for r in running
        }
        for _ in range(args.rounds):
            for conns in CONNECTIONS:
                for r in running:
                    results[r.server.name][conns].append(
                        r.drive(conns, args.seconds, script, args.pin)
                    )
    finally:
        for r in running:
            r.stop()
    report(results)
    print(
        f"core speed probe: {core_speed_s(args.pin):.2f} s; "
        f"load average after: {os.getloadavg()[0]:.2f}"
    )
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(BENCH))
    raise SystemExit(main())
