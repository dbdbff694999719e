"""The host window's audience model under a big show: 10,000 viewers joining at 1,000 per second,
500 of them raising a hand.

Drives the show as `HostSession` and `HostControl` do: per join the session's fact
`Seen(participant, arrived=True)` (the participant's metadata as LiveKit holds it), which the
controller applies to the mirror; per raised hand `mirror.hand_seen(identity, now)` (what the
controller does with a `hand_raise` message). Each event is its own loop callback, as
each LiveKit event is, paced to `--rate` per second. The real `MainWindow` is attached and shown
offscreen (audience list through `AudienceFilter`, hand queue, viewer count), on the qasync loop
of hostdesk.ui.runner, with the app's backend (`start_backend`; its LiveKit URL is never
contacted). A 5 ms precise timer measures the loop's lateness throughout.

Then a second, unpaced pass builds a fresh mirror with the three models (no views) under
tracemalloc, for the Python memory the mirror and models hold.

    python bench/audience_scale.py [--viewers 10000] [--hands 500] [--rate 1000]
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import io
import math
import os
import pstats
import sys
import time
import tracemalloc
from collections.abc import Callable
from typing import Any

import _harness as h

from hostdesk.backend import start_backend
from hostdesk.show.mirror import Fact, Seen, ShowMirror
from hostdesk.show.participants import Participant
from hostdesk.show.roles import Metadata, Role
from hostdesk.ui.models import AudienceFilter, AudienceModel, HandQueueModel

TARGET_P99_MS = 50.0
HAND_DELAY = 1.0  # a viewer who raises a hand does so this long after joining


def schedule(viewers: int, hands: int, rate: float) -> list[tuple[float, str, int]]:
    """(when, what, viewer number), sorted: joins at `rate`, every (viewers // hands)-th viewer
    raising a hand HAND_DELAY seconds after joining."""
    events = [(n / rate, "join", n) for n in range(viewers)]
    step = max(1, viewers // hands) if hands else 0
    if step:
        events += [(n / rate + HAND_DELAY, "hand", n) for n in range(0, viewers, step)][:hands]
    return sorted(events)


def identity(n: int) -> str:
    return f"viewer-{n:05d}-{n * 7919 % 100000:05d}"


def participant(n: int) -> Participant:
    name = f"Viewer {n:05d}"
    return Participant(
        identity=identity(n),
        name=name,
        sid=f"PA_{n:012d}",
        metadata=Metadata(Role.VIEWER, name).encode(),
        joined_at=int(time.time()),
    )


def actions(mirror: ShowMirror, report: Callable[[Fact], None]) -> dict[str, Callable[[int], None]]:
    def join(n: int) -> None:
        report(Seen(participant(n), arrived=True))

    def hand(n: int) -> None:
        mirror.hand_seen(identity(n), time.time_ns() // 1_000_000)

    return {"join": join, "hand": hand}


async def feed(events: list[tuple[float, str, int]], do: dict[str, Callable[[int], None]]) -> None:
    """Schedules each event as its own loop callback when it is due."""
    loop = asyncio.get_running_loop()
    start = time.monotonic()
    i = 0
    while i < len(events):
        now = time.monotonic() - start
        while i < len(events) and events[i][0] <= now:
            _, what, n = events[i]
            loop.call_soon(do[what], n)
            i += 1
        if i < len(events):
            # Whole milliseconds, at least one: qasync turns a delay into a Qt timer of
            # int(delay * 1000) ms, so a sleep under 1 ms would be a 0 ms timer and this loop
            # would spin a core waiting for the next event.
            wait = events[i][0] - (time.monotonic() - start)
            await asyncio.sleep(max(1, math.ceil(wait * 1000)) / 1000)
    await asyncio.sleep(0)  # the last callbacks run before this returns


async def paced(args: argparse.Namespace) -> dict[str, Any]:
    backend = await start_backend(h.backend_settings(None))
    desk = h.open_desk(backend)
    try:
        window = desk.window
        if args.hide_window:
            window.hide()
        updates = h.UpdateTimer(window)
        probe = h.LagProbe()
        probe.start()
        await asyncio.sleep(1)
        rss0 = h.rss_kib()
        events = schedule(args.viewers, args.hands, args.rate)
        do = actions(desk.mirror, desk.session.fact.emit)
        probe.take()
        probe.recording = True
        profiler = cProfile.Profile() if args.profile else None
        if profiler is not None:
            profiler.enable()
        cpu = h.CpuWindow()
        machine0 = h.machine_jiffies()
        updates0 = updates.requests
        started = time.perf_counter()
        await feed(events, do)
        fed = time.perf_counter() - started
        await h.wait_until(
            lambda: (
                window.audience_model.rowCount() == args.viewers
                and window.hands_model.rowCount() == min(args.hands, args.viewers)
            ),
            30,
            "every row in the models",
        )
        rows_at = time.perf_counter() - started
        await asyncio.sleep(1.0)  # views catch up (delayed layouts, the hand queue's tick)
        cpu.stop()
        machine = h.machine_busy_pct(machine0, h.machine_jiffies())
        repaints = (updates.requests - updates0) / cpu.wall
        if profiler is not None:
            profiler.disable()
        probe.recording = False
        lag = h.lag_summary(probe.take())
        rss1 = h.rss_kib()
        check = {
            "audience rows": window.audience_model.rowCount(),
            "filter rows": window.audience_filter.rowCount(),
            "viewer count": window.audience_model.count,
            "hand rows": window.hands_model.rowCount(),
            "label": window.viewers_label.text(),
        }
        return {
            "events": len(events),
            "fed_s": fed,
            "rows_s": rows_at,
            "lag": lag,
            "rss0": rss0,
            "rss1": rss1,
            "gui_pct": cpu.main_pct,
            "gui_wait": cpu.main_wait_ms_per_s,
            "gui_ms_per_event": 1000 * cpu.main / len(events),
            "app_pct": cpu.proc_pct,
            "machine_pct": machine,
            "others_pct": h.others_pct(machine, cpu.proc_pct),
            "repaints": repaints,
            "check": check,
            "profile": _profile_lines(profiler) if profiler is not None else "",
        }
    finally:
        await desk.close()
        await backend.aclose()


def _profile_lines(profiler: cProfile.Profile, count: int = 30) -> str:
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).sort_stats("tottime").print_stats(count)
    return out.getvalue()


def unpaced_memory(args: argparse.Namespace) -> dict[str, Any]:
    """A fresh mirror and the window's three models (no views), fed everything at once."""
    rss0 = h.rss_kib()
    tracemalloc.start()
    mirror = ShowMirror()
    audience = AudienceModel(mirror)
    filtered = AudienceFilter()
    filtered.setSourceModel(audience)
    hands = HandQueueModel(mirror)
    do = actions(mirror, mirror.apply)
    started = time.perf_counter()
    for _, what, n in schedule(args.viewers, args.hands, args.rate):
        do[what](n)
    took = time.perf_counter() - started
    current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    rss1 = h.rss_kib()
    result = {
        "took_s": took,
        "traced_kib": current / 1024,
        "peak_kib": peak / 1024,
        "rss_delta_kib": rss1 - rss0,
        "rows": (audience.rowCount(), filtered.rowCount(), hands.rowCount()),
    }
    for model in (audience, hands):
        model.detach()
    return result


def report(r: dict[str, Any], m: dict[str, Any], args: argparse.Namespace) -> None:
    lag = r["lag"]
    print(
        f"\naudience_scale: {args.viewers:,} viewers joining at {args.rate:g}/s, {args.hands} "
        f"hands raised {HAND_DELAY:g} s after joining, the real window attached"
        f"{' but hidden' if args.hide_window else ''} "
        f"(QT_QPA_PLATFORM={os.environ['QT_QPA_PLATFORM']})"
    )
    rows = [
        ("events (joins + hands)", r["events"], ""),
        ("time to feed them, s", r["fed_s"], ""),
        ("time until every row is in the models, s", r["rows_s"], ""),
        ("loop lateness p50 ms", lag["p50"], ""),
        ("loop lateness p99 ms", lag["p99"], f"<= {TARGET_P99_MS:g}"),
        ("loop lateness max ms", lag["max"], ""),
        ("firings later than 16 ms, %", lag["over16"], ""),
        ("GUI-thread CPU % of a core", r["gui_pct"], ""),
        ("GUI-thread CPU ms per event", r["gui_ms_per_event"], ""),
        ("GUI thread's wait for a core, ms/s", r["gui_wait"], ""),
        ("window repaints /s (UpdateRequest)", r["repaints"], ""),
        ("machine busy, % of all cores", r["machine_pct"], ""),
        ("others' CPU (outside this benchmark) %", r["others_pct"], ""),
        ("RSS before, MiB", r["rss0"] / 1024, ""),
        ("RSS after, MiB", r["rss1"] / 1024, ""),
        ("RSS growth, MiB", (r["rss1"] - r["rss0"]) / 1024, ""),
        ("unpaced pass (no views), s", m["took_s"], ""),
        ("  tracemalloc held after, MiB", m["traced_kib"] / 1024, ""),
        ("  tracemalloc peak, MiB", m["peak_kib"] / 1024, ""),
        ("  RSS growth, MiB", m["rss_delta_kib"] / 1024, ""),
    ]
    print(h.table(("figure", "value", "target"), rows))
    print(f"window after the run: {r['check']}; unpaced rows: {m['rows']}")
    if r["profile"]:
        print(r["profile"])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--viewers", type=int, default=10_000)
    parser.add_argument("--hands", type=int, default=500)
    parser.add_argument("--rate", type=float, default=1000.0)
    parser.add_argument("--profile", action="store_true", help="cProfile the GUI thread")
    parser.add_argument(
        "--hide-window",
        action="store_true",
        help="models and views attached, window hidden: what painting costs, by difference",
    )
    args = parser.parse_args()
    sys.argv = sys.argv[:1]  # Qt gets no benchmark options

    return h.run_bench(
        "audience_scale",
        lambda: paced(args),
        args.viewers / args.rate + 120,
        lambda result: report(result, unpaced_memory(args), args),
    )


if __name__ == "__main__":
    raise SystemExit(main())
