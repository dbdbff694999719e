"""Viewer join throughput and latency: HostDesk's API against a bare aiohttp token handler.

Runs each server in its own process (one core each is the fair comparison on a 2-core machine
only if the load generator is light: wrk is), drives `POST /api/rooms/join` as a viewer with wrk
at 1, 10 and 100 connections, and prints requests/s, p50 and p99 per run plus HostDesk's share of
the bare handler's throughput. Rate limits are off; the viewer join touches no LiveKit server.

    python bench/join_throughput.py [--seconds 10]

Needs wrk (`apt-get install wrk`).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BODY = {"roomName": "bench-show", "participantName": "Bench Viewer", "role": "viewer"}
KEY, SECRET = "HDbench", "bench-secret-0123456789-0123456789-0123456789"

BARE_SERVER = r"""
import sys
from aiohttp import web
from livekit import api

KEY, SECRET, PORT = sys.argv[1], sys.argv[2], int(sys.argv[3])

async def join(request):
    body = await request.json()
    token = (
        api.AccessToken(KEY, SECRET)
        .with_identity("viewer-x")
        .with_name(body["participantName"])
        .with_metadata('{"role":"viewer","displayName":"x"}')
        .with_grants(api.VideoGrants(room_join=True, room=body["roomName"], can_publish=False,
                                     can_subscribe=True, can_publish_data=True,
                                     can_update_own_metadata=False))
        .to_jwt()
    )
    return web.json_response({"token": token, "wsUrl": "ws://127.0.0.1:7880",
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


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_listening(port: int, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), 0.2).close()
            return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"nothing listening on {port}")


def run_wrk(port: int, connections: int, seconds: int, script: Path) -> dict[str, float]:
    out = subprocess.run(
        [
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
    return {
        "rps": rps,
        "p50_ms": to_ms(lat["50"]),
        "p99_ms": to_ms(lat["99"]),
        "errors": float(non2xx.group(1)) if non2xx else 0.0,
    }


def to_ms(text: str) -> float:
    value, unit = re.fullmatch(r"([\d.]+)(\w+)", text).groups()  # type: ignore[union-attr]
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}[unit]


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=int, default=10)
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        print("bench needs wrk: apt-get install wrk", file=sys.stderr)
        return 1
    work = Path(tempfile.mkdtemp(prefix="hostdesk-bench-"))
    script = work / "join.lua"
    script.write_text(LUA.format(body=json.dumps(BODY)))
    (work / "bare.py").write_text(BARE_SERVER)
    env = dict(
        os.environ, LIVEKIT_URL="ws://127.0.0.1:9", LIVEKIT_API_KEY=KEY, LIVEKIT_API_SECRET=SECRET
    )

    results: dict[str, dict[int, dict[str, float]]] = {}
    for name in ("hostdesk", "bare"):
        port = free_port()
        if name == "hostdesk":
            cmd = [
                sys.executable,
                "-m",
                "hostdesk",
                "serve",
                "--port",
                str(port),
                "--rate-limits",
                "off",
                "--api-key",
                "bench",
            ]
        else:
            cmd = [sys.executable, str(work / "bare.py"), KEY, SECRET, str(port)]
        proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            wait_listening(port)
            run_wrk(port, 10, 2, script)  # warm up
            results[name] = {c: run_wrk(port, c, args.seconds, script) for c in (1, 10, 100)}
        finally:
            proc.terminate()
            proc.wait(10)

    print(f"{'server':10} {'conns':>5} {'req/s':>9} {'p50 ms':>8} {'p99 ms':>8} {'non-2xx':>8}")
    for name, runs in results.items():
        for conns, r in runs.items():
            print(
                f"{name:10} {conns:5d} {r['rps']:9.0f} {r['p50_ms']:8.2f} {r['p99_ms']:8.2f} "
                f"{r['errors']:8.0f}"
            )
    for conns in (1, 10, 100):
        ratio = results["hostdesk"][conns]["rps"] / results["bare"][conns]["rps"]
        print(f"hostdesk/bare throughput at {conns:3d} connections: {ratio:.0%}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
