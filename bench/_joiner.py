"""Viewers joining at a fixed rate, for bench/loop_lag.py, in a process of its own. Not a
benchmark itself.

    python bench/_joiner.py API_URL ROOM [--rate 1000] [--connections 16]

Sends `POST /api/rooms/join` as a viewer on a schedule of `rate` per second (open loop: requests
go out when they are due, not when the previous one is answered; at most `connections` in
flight, so an overloaded server slows the schedule rather than piling up requests). Stops when its
stdin closes; then prints one JSON line with every request's completion time
(`time.monotonic()`, comparable across processes), latency and status, and its own CPU use.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import threading
import time

import aiohttp


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("url")
    parser.add_argument("room")
    parser.add_argument("--rate", type=float, default=1000.0)
    parser.add_argument("--connections", type=int, default=16)
    args = parser.parse_args()

    loop = asyncio.get_running_loop()
    stop = asyncio.Event()

    def watch_stdin() -> None:
        sys.stdin.read()
        loop.call_soon_threadsafe(stop.set)

    threading.Thread(target=watch_stdin, daemon=True).start()

    url = args.url.rstrip("/") + "/api/rooms/join"
    done: list[tuple[float, float, int]] = []  # (monotonic when answered, latency ms, status)
    slots = asyncio.Semaphore(args.connections)
    tasks: set[asyncio.Task[None]] = set()
    connector = aiohttp.TCPConnector(limit=args.connections)
    async with aiohttp.ClientSession(connector=connector) as session:

        async def join(n: int) -> None:
            body = {"roomName": args.room, "participantName": f"Viewer {n}", "role": "viewer"}
            started = time.monotonic()
            try:
                async with session.post(url, json=body) as response:
                    await response.read()
                    status = response.status
            except aiohttp.ClientError:
                status = 0
            finally:
                slots.release()
            now = time.monotonic()
            done.append((now, (now - started) * 1000, status))

        await slots.acquire()
        await join(0)  # one to open a connection before the clock starts
        sys.stdout.write(json.dumps({"ready": True}) + "\n")
        sys.stdout.flush()

        cpu0 = time.process_time()
        start = time.monotonic()
        sent = 0
        while not stop.is_set():
            now = time.monotonic()
            due = start + sent / args.rate
            if due > now:
                await asyncio.sleep(due - now)
                continue
            await slots.acquire()
            task = asyncio.ensure_future(join(sent + 1))
            tasks.add(task)
            task.add_done_callback(tasks.discard)
            sent += 1
        await asyncio.gather(*tasks, return_exceptions=True)
        wall = time.monotonic() - start
        cpu = time.process_time() - cpu0
    sys.stdout.write(
        json.dumps({"sent": sent, "seconds": wall, "cpu_pct": 100 * cpu / wall, "done": done[1:]})
        + "\n"
    )
    sys.stdout.flush()


if __name__ == "__main__":
    asyncio.run(main())
