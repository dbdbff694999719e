"""The host's window with a full stage: host + 3 guests at 1280x720, 30 fps, and a 1920x1080
screen share, beside the one-guest figures of the same run.

The app side is the real one (as in bench/loop_lag.py): `start_backend` with a stage of 3,
`HostSession` + `HostControl` + `MainWindow` on the qasync loop, shown on Qt's offscreen platform
at `--window` (default 1920x1080, a studio laptop's external screen). Guests are publisher
processes (bench/_publisher.py): each a 720p30 VP8 camera of a moving pattern; the first one
also publishes a 1920x1080 screen share (a still page with a moving pointer, `--share-fps`) in
the last phase. The tiles are `TimedVideoView`s (bench/_harness.py). Phases, `--seconds` each
after `--warmup`:

- one guest: the baseline, as bench/render_guest.py has it;
- three guests: the stage full, the grid layout;
- three guests + a share: the share large, the cameras beside it.

Per phase: frames painted per second per tile, GUI-thread ms per frame in `set_frame` +
`paintEvent` per tile, the Qt loop's lateness (5 ms precise timer) p50/p99/max, CPU of the app
process and of its GUI thread (% of one core), and the load the benchmark's own helpers and
anything else put on the machine.

    python bench/stage_load.py [--seconds 20] [--warmup 6] [--share-fps 30]
                               [--nice-helpers 19] [--app-cpus 0 --helper-cpus 1]

The publishers stand for three other computers; on this machine their encoders need more than
its 2 cores. `--app-cpus 0 --helper-cpus 1` keeps them on a core of their own (they then send
what one core can encode) so that the app is measured with a core to itself, as on a host's
computer; without it they compete with the app for both cores.

Needs root (network namespace) and livekit-server (scripts/install-livekit-server.sh).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import uuid
from typing import Any

import _harness as h
from loop_lag import measure

from hostdesk.backend import start_backend

TARGET_P99_MS = 16.0
CAMERA = (1280, 720)
SHARE = (1920, 1080)


def timed(tile: Any) -> h.TimedVideoView:
    view = tile.view
    assert isinstance(view, h.TimedVideoView), "the tiles are built from stage_tile.VideoView"
    return view


def share_tiles(desk: h.Desk) -> list[Any]:
    """The stage's share tiles (hostdesk.ui.stage_tile's share tile class)."""
    area = desk.window.stage.area
    return [t for t in area.tiles if "Share" in type(t).__name__ and t.isVisible()]


def sizes(views: list[h.TimedVideoView]) -> str:
    return " / ".join(f"{v.width()}x{v.height()}" for v in views)


async def phase(
    name: str,
    args: argparse.Namespace,
    desk: h.Desk,
    probe: h.LagProbe,
    spid: int,
    views: list[h.TimedVideoView],
    pubs: dict[str, h.Child],
) -> dict[str, Any]:
    """bench/loop_lag.py's measurement, with the frames each tile received per second."""
    received0 = [v.frames_received for v in views]
    result = await measure(name, args.seconds, desk, probe, spid, views, pubs)
    wall = result["t1"] - result["t0"]
    result["received_fps"] = [
        (v.frames_received - r) / wall for v, r in zip(views, received0, strict=True)
    ]
    return result


async def bench(args: argparse.Namespace) -> list[dict[str, Any]]:
    results: list[dict[str, Any]] = []
    async with h.livekit_in_netns() as server:
        backend = await start_backend(h.backend_settings(server, stage_size=3))
        desk = h.open_desk(backend)
        desk.helper_nice = args.nice_helpers
        desk.helper_cpus = args.helper_cpus
        width, height = (int(v) for v in args.window.split("x"))
        desk.window.resize(width, height)
        spid = server.pid or 0
        try:
            probe = h.LagProbe()
            probe.start()
            await desk.go_live(f"bench-{uuid.uuid4().hex[:8]}")
            await asyncio.sleep(2)
            stage = desk.window.stage

            camera = ("--pattern", args.pattern)
            share = ("--share", "x".join(map(str, SHARE)), "--share-fps", str(args.share_fps))
            pub1, _ = await desk.bring_guest("Guest One", *camera, *share)
            views = [timed(stage.guest_tiles[0])]
            await h.wait_until(lambda: views[0].last_size == CAMERA, 90, "the first 720p track")
            await asyncio.sleep(args.warmup)
            pubs = {"publisher 1": pub1}
            result = await phase("one guest", args, desk, probe, spid, views, pubs)
            result["tile_sizes"] = sizes(views)
            results.append(result)

            pub2, _ = await desk.bring_guest("Guest Two", *camera)
            pub3, _ = await desk.bring_guest("Guest Three", *camera)
            pubs = {"publisher 1": pub1, "publisher 2": pub2, "publisher 3": pub3}
            views = [timed(tile) for tile in stage.guest_tiles[:3]]
            await h.wait_until(
                lambda: len(views) == 3 and all(v.last_size == CAMERA for v in views),
                90,
                "three 720p tracks",
            )
            await asyncio.sleep(args.warmup)
            result = await phase("three guests", args, desk, probe, spid, views, pubs)
            result["tile_sizes"] = sizes(views)
            results.append(result)

            assert pub1.proc.stdin is not None
            pub1.proc.stdin.write(b"share\n")
            await pub1.wait_line("shared", 30)
            tiles = await h.wait_until(lambda: share_tiles(desk), 30, "the share's tile")
            share_view = timed(tiles[0])
            await h.wait_until(lambda: share_view.last_size == SHARE, 90, "the 1080p share")
            await asyncio.sleep(args.warmup)
            views = [*views, share_view]
            result = await phase("three guests + share", args, desk, probe, spid, views, pubs)
            result["tile_sizes"] = sizes(views)
            results.append(result)
        finally:
            outs = await desk.close()
            await backend.aclose()
    results[-1]["publishers"] = outs
    return results


def report(results: list[dict[str, Any]], args: argparse.Namespace) -> None:
    print(
        f"\nstage_load: {args.seconds:g} s per phase after {args.warmup:g} s, window "
        f"{args.window}, guests 1280x720@30 ({args.pattern}), share 1920x1080@{args.share_fps}, "
        f"publishers at nice {args.nice_helpers} on cores {args.helper_cpus or 'any'}, "
        f"app on cores {args.app_cpus or 'any'}, "
        f"QT_QPA_PLATFORM={os.environ['QT_QPA_PLATFORM']}"
    )
    rows = []
    for r in results:
        lag = r["lag"]
        rows.append(
            (
                r["phase"],
                " / ".join(f"{f:.1f}" for f in r["received_fps"]),
                " / ".join(f"{f:.1f}" for f in r["painted_fps"]),
                " / ".join(f"{g:.2f}" for g in r["tile_gui_ms"]),
                r["decoded_fps"],
                lag["p50"],
                lag["p99"],
                lag["max"],
                f"{lag['p99'] <= TARGET_P99_MS}",
                r["app_pct"],
                r["gui_pct"],
                r["gui_wait"],
                sum(r["helpers_pct"].values()),
                r["server_pct"],
                r["machine_pct"],
                r["others_load"],
            )
        )
    print(
        h.table(
            (
                "phase",
                "received fps per tile",
                "painted fps per tile",
                "tile ms/frame",
                "decoded fps (sum)",
                "lag p50 ms",
                "p99 ms",
                "max ms",
                "p99<=16",
                "app CPU %",
                "GUI thr %",
                "GUI wait ms/s",
                "publishers %",
                "livekit %",
                "machine %",
                "others %",
            ),
            rows,
        )
    )
    print(
        "(CPU % is of one core; machine % is of all cores; others %: processes outside this "
        "benchmark, of one core; GUI wait: ms per second the GUI thread was ready to run but "
        "waited for a core)"
    )
    for r in results:
        print(f"{r['phase']}: tiles {r['tile_sizes']}; app threads: {r['threads']}")
    for out in results[-1].get("publishers", []):
        print(
            f"publisher: camera {out.get('fps', 0):.1f} fps, share frames "
            f"{out.get('share_frames', 0)}, CPU {out.get('cpu_pct', 0):.0f}%, "
            f"encoded {out.get('encoded')}"
        )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--warmup", type=float, default=6.0)
    parser.add_argument("--share-fps", type=int, default=30)
    parser.add_argument("--window", default="1920x1080")
    parser.add_argument("--pattern", choices=("motion", "talking"), default="talking")
    parser.add_argument(
        "--nice-helpers",
        type=int,
        default=0,
        help="run the publishers at this nice value (they stand for guests on other machines; "
        "on 2 cores their encoders compete with the app being measured)",
    )
    parser.add_argument(
        "--app-cpus",
        default="",
        help="cores for the app and livekit-server (e.g. 0); the publishers get --helper-cpus",
    )
    parser.add_argument("--helper-cpus", default="", help="cores for the publishers (e.g. 1)")
    args = parser.parse_args()
    sys.argv = sys.argv[:1]  # Qt gets no benchmark options
    if args.app_cpus:  # before any thread starts: every thread and child inherits it
        os.sched_setaffinity(0, {int(c) for c in args.app_cpus.split(",")})

    return h.run_bench(
        "stage_load", lambda: bench(args), 3 * args.seconds + 400, lambda r: report(r, args)
    )


if __name__ == "__main__":
    raise SystemExit(main())
