"""The packaged app's build time, folder size, and time from start to API ready.

    python bench/frozen_startup.py [--runs 5] [--build]

With --build it first times a clean `pyinstaller build.spec`. Then it starts
`dist/HostDesk/hostdesk serve` (against an unreachable LiveKit, so only HostDesk is timed) and
`serve --dev` (which also starts the local livekit-server) and measures the time until `/health`
answers.
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

FROZEN = Path("dist/HostDesk/hostdesk")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def time_to_ready(args: list[str], env: dict[str, str]) -> float:
    port = free_port()
    started = time.perf_counter()
    proc = subprocess.Popen(
        [str(FROZEN), *args, "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        while True:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=1).close()
                return time.perf_counter() - started
            except OSError:
                if proc.poll() is not None or time.perf_counter() - started > 60:
                    raise RuntimeError("the frozen app did not become ready") from None
                time.sleep(0.01)
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(15)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--build", action="store_true")
    args = parser.parse_args()
    if args.build:
        shutil.rmtree("build", ignore_errors=True)
        shutil.rmtree("dist", ignore_errors=True)
        started = time.perf_counter()
        subprocess.run(
            [
                sys.executable,
                "-m",
                "PyInstaller",
                "--noconfirm",
                "--log-level",
                "ERROR",
                "build.spec",
            ],
            check=True,
        )
        print(f"clean build: {time.perf_counter() - started:.1f} s")
    if not FROZEN.exists():
        print(f"{FROZEN} is missing: run `make package` (or this script with --build)")
        return 1
    # Symbolic links (Qt's libX.so.6 -> libX.so.6.x) point into the folder: count each file once.
    size = sum(
        f.stat().st_size for f in FROZEN.parent.rglob("*") if f.is_file() and not f.is_symlink()
    )
    print(f"folder size: {size / 1e6:.0f} MB ({size / 2**20:.0f} MiB)")
    env = {k: v for k, v in os.environ.items() if not k.startswith("LIVEKIT_")}
    nowhere = dict(
        env, LIVEKIT_URL="ws://127.0.0.1:9", LIVEKIT_API_KEY="k", LIVEKIT_API_SECRET="s" * 40
    )
    for label, extra, environment in (
        ("serve (API only)", ["serve", "--no-auth"], nowhere),
        ("serve --dev (API + local livekit-server)", ["serve", "--dev", "--no-auth"], env),
    ):
        times = [time_to_ready(extra, environment) for _ in range(args.runs)]
        print(
            f"{label}: median {statistics.median(times) * 1000:.0f} ms, "
            f"min {min(times) * 1000:.0f} ms, max {max(times) * 1000:.0f} ms "
            f"over {args.runs} runs"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
