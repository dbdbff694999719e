"""The program (issue 12): what encoding, recording and streaming the show cost on a 2-core
machine, what they do to the window's loop, and how long a guest's picture takes to reach the
RTMP server.

Phases, `--seconds` each after `--warmup`, in the order a, b, d, c (`--phases` picks):

- a. the encoder alone (`hostdesk.program.ProgramEncoder`, BGRA in, no output) at 1280x720 and
  1920x1080, 30 fps, x264's `threads` at 0 (the encoder's default: x264 picks), 1 and 2. Its
  input moves everywhere: a colour gradient scrolling sideways and a textured patch (a ninth
  of the picture) sliding over it with fresh grain in every frame; 30 BGRA frames prebuilt with
  numpy and cycled, so producing them costs nothing; with a 440 Hz tone in 10 ms chunks. Per
  case: what x264 says it runs with (the options it writes into the stream), CPU of the process
  and of the encoder's threads (its Python thread and x264's own, /proc/self/task), the
  encoder's wall time per frame, frames encoded per second and dropped.
- b. what each output adds, at 720p30 (`--b-size`, `--threads`): the encoder alone, then a
  `Recording` (fragmented MP4 in a temporary folder), then a `Destination` to a local
  nginx-rtmp (tests/support/rtmp_fixtures.py's `RtmpServer`, on loopback), then a second
  `Destination` to the same server under another key. Per step: the process's CPU and its
  change, the new output's own muxing thread, nginx's CPU (the server's, not the host's).
- d. the host's window as in bench/stage_load.py (backend, `HostSession`, `HostControl`,
  `MainWindow`, offscreen, on the qasync loop), live with one guest on stage whose 720p30
  camera is painted in its tile: the loop's lateness (5 ms precise timer) and the app's CPU
  with the program off (the baseline), then on at 720p and at 1080p, started as the host starts
  it from the program bar (`ProgramView`: Record, then two stored destinations): the window's
  own `Studio` fed by its `ProgramFeed`, `ProgramPicture` composing the stage (the guest's
  camera, the host's card, the lower thirds), the encoder, the recording and two destinations.
  `--d-threads 0,1` repeats the program with x264 on one thread.
- c. the delay from a guest's frame to the RTMP server, the program at 720p as in d. The guest
  (this file's `guest` mode, a process of its own) publishes bench/_publisher.py's `talking`
  picture with a block of one colour in its top left, the colour changed every `--flip-s`, and
  notes the monotonic clock as it hands the first frame of each colour to libwebrtc. The host's
  session notes when the colour arrives (`guest_frame`), the program's picture when it is in a
  frame handed to the encoder, and a reader (`reader` mode, a process of its own: PyAV on
  rtmp://.../live/a with fflags=nobuffer, flags=low_delay, one decoding thread) when it is in a
  frame decoded from what nginx serves. One clock (CLOCK_MONOTONIC) for all three processes;
  median and p95 over at least 15 changes.

    python bench/program_load.py [--phases abdc] [--seconds 20] [--warmup 4] [--d-threads 0,1]
                                 [--nice-helpers 19] [--app-cpus 0 --helper-cpus 1]

The guest's publisher (a VP8 encoder, 40-50 % of a core) and the reader stand for other
computers but run here; `--nice-helpers` puts them behind the app (their autogroup's nice, see
bench/_harness.py) and `--app-cpus/--helper-cpus` pins them apart, as in bench/stage_load.py.
Needs root (livekit-server in a network namespace), livekit-server
(scripts/install-livekit-server.sh), and nginx with its RTMP module (`apt-get install nginx
libnginx-mod-rtmp`).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import functools
import json
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

import _harness as h
import numpy as np
from loop_lag import measure

CYCLE = 30
FPS = 30
SIZES = {"720p": (1280, 720), "1080p": (1920, 1080)}
GUEST = (1280, 720)
#: The guest's colours, far apart so that compression never makes one look like another.
PALETTE = (
    (220, 40, 40),
    (40, 200, 60),
    (40, 60, 220),
    (230, 210, 40),
    (210, 40, 200),
    (40, 200, 210),
)
#: The guest's colour block: the top left quarter of its width and third of its height; its centre
#: (as fractions of the guest's picture) is where the host and the reader look.
BLOCK = (4, 3)
SAMPLE = (0.125, 1 / 6)
TOLERANCE = 60  # distance in RGB (per channel, the largest) to call a pixel a palette colour
TONE_HZ = 440
RATE = 48_000


# -- the input ---------------------------------------------------------------------------------


def program_frames(width: int, height: int, count: int = CYCLE) -> list[bytes]:
    """BGRA frames of a picture that moves everywhere: a colour gradient scrolling sideways, and
    a third of the picture's width of fine texture (a camera's detail) sliding across it with
    fresh grain (a camera's noise) in every frame. Harder for x264 than a show's mostly still
    stage, easier than a full-screen noise test."""
    rng = np.random.default_rng(12)
    x = np.arange(width, dtype=np.float32)[None, :]
    y = np.arange(height, dtype=np.float32)[:, None]
    pw, ph = width // 3, height // 3
    texture = rng.integers(40, 216, (ph, pw, 3), dtype=np.uint8)
    frames = []
    for i in range(count):
        shift = i * width / count
        bgra = np.empty((height, width, 4), dtype=np.uint8)
        bgra[..., 2] = (127 + 120 * np.sin((x + shift) / 97.0)).astype(np.uint8)
        bgra[..., 1] = (127 + 120 * np.sin((y + shift / 2) / 61.0)).astype(np.uint8)
        bgra[..., 0] = (127 + 120 * np.cos((x + y + shift) / 151.0)).astype(np.uint8)
        bgra[..., 3] = 255
        left = int(i * (width - pw) / count)
        top = height // 3 + int(height / 8 * np.sin(2 * np.pi * i / count))
        grain = rng.integers(-6, 7, (ph, pw, 3), dtype=np.int16)
        bgra[top : top + ph, left : left + pw, :3] = np.clip(texture + grain, 0, 255)
        frames.append(bgra.tobytes())
    return frames


def tone_chunks() -> list[bytes]:
    """One second of a 440 Hz stereo s16 tone in 10 ms chunks (a whole number of periods, so
    cycling them is seamless)."""
    t = np.arange(RATE) / RATE
    mono = (0.3 * 32767 * np.sin(2 * np.pi * TONE_HZ * t)).astype("<i2")
    stereo = np.repeat(mono, 2).tobytes()
    step = RATE // 100 * 4
    return [stereo[i : i + step] for i in range(0, len(stereo), step)]


class Feeder:
    """Pushes prebuilt frames at 30 fps and 10 ms of tone at a time to an encoder, on a thread
    of its own, as the program's picture and its sound pump do."""

    def __init__(self, encoder: Any, frames: Sequence[bytes]) -> None:
        self._encoder = encoder
        self._frames = frames
        self._tone = tone_chunks()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="bench:feeder", daemon=True)
        self.tid = 0

    def start(self) -> None:
        self._thread.start()
        while not self.tid:
            time.sleep(0.001)

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        self.tid = threading.get_native_id()
        start = time.monotonic()
        frames = chunks = 0
        while not self._stop.is_set():
            elapsed = time.monotonic() - start
            if frames <= elapsed * FPS:
                self._encoder.push_video(self._frames[frames % len(self._frames)])
                frames += 1
            while chunks <= elapsed * 100:
                self._encoder.push_audio(self._tone[chunks % len(self._tone)])
                chunks += 1
            due = min(frames / FPS, chunks / 100)
            self._stop.wait(max(0.001, start + due - time.monotonic()))


def timed_encoder_class() -> type:
    """ProgramEncoder with the wall time of each video frame's encoding (conversion to yuv420p,
    x264, fan-out) noted: the bench's own subclass, nothing changed in the encoder."""
    from hostdesk.program import ProgramEncoder

    class TimedEncoder(ProgramEncoder):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self.frame_ms: list[float] = []
            self.x264_options: dict[str, str] = {}

        def _encode_video(self, slot: int, rgba: bytes) -> None:
            started = time.perf_counter()
            super()._encode_video(slot, rgba)
            self.frame_ms.append(1000 * (time.perf_counter() - started))

        def _fan_out(self, kind: Any, packets: Any) -> None:
            if kind == "video" and not self.x264_options:
                for packet in packets:
                    self.x264_options = x264_options(bytes(packet))
            super()._fan_out(kind, packets)

    return TimedEncoder


def x264_options(data: bytes) -> dict[str, str]:
    """The options x264 writes into its first frame's SEI ("... options: cabac=1 ref=1 ...")."""
    at = data.find(b"options: ")
    if at < 0:
        return {}
    text = data[at + 9 :].split(b"\x00", 1)[0].decode("ascii", "replace")
    return dict(item.split("=", 1) for item in text.split() if "=" in item)


# -- CPU per thread ----------------------------------------------------------------------------


def tids() -> set[int]:
    return {int(task.name) for task in Path("/proc/self/task").iterdir()}


def tid_cpu(tid: int) -> float:
    """utime + stime of one of this process's threads, in seconds (0 when it is gone)."""
    try:
        fields = Path(f"/proc/self/task/{tid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / h.CLK_TCK


def python_threads() -> dict[int, str]:
    return {t.native_id: t.name for t in threading.enumerate() if t.native_id is not None}


def comm(tid: int) -> str:
    try:
        return Path(f"/proc/self/task/{tid}/comm").read_text().strip()
    except OSError:
        return ""


def qt_pool_threads() -> set[int]:
    """Qt's global thread pool, which scales the guests' pictures into their program cells
    (QPainter's smooth scaling) and does nothing for the window when the program is off."""
    return {t for t in tids() if comm(t) == "Thread (pooled)"}


class ThreadGroups:
    """CPU of named groups of threads between `begin` and `end`: `groups` maps a name to the
    thread ids in it."""

    def __init__(self, groups: dict[str, set[int]]) -> None:
        self.groups = groups
        self._start: dict[int, float] = {}
        self.pct: dict[str, float] = {}

    def begin(self) -> None:
        self._start = {t: tid_cpu(t) for ids in self.groups.values() for t in ids}

    def end(self, wall: float) -> dict[str, float]:
        self.pct = {
            name: 100 * sum(tid_cpu(t) - self._start.get(t, 0.0) for t in ids) / wall
            for name, ids in self.groups.items()
        }
        return self.pct


def program_groups(new: set[int], extra: dict[str, set[int]] | None = None) -> ThreadGroups:
    """The program's threads among `new` (the threads that appeared when it started), grouped:
    its Python threads by name, Qt's pool with the picture, every other native thread (x264's:
    they inherit their creator's name, the encoder's `python`) as `x264`."""
    named = python_threads()
    groups: dict[str, set[int]] = {"picture": set(), "encoder": set(), "x264": set()}
    groups["outputs"] = set()
    groups["mix"] = set()
    for tid in new:
        name = named.get(tid)
        if name is None and comm(tid) == "Thread (pooled)":
            groups["picture"].add(tid)
        elif name is None:
            groups["x264"].add(tid)
        elif name == "program-picture":
            groups["picture"].add(tid)
        elif name == "program:encoder":
            groups["encoder"].add(tid)
        elif name == "program:mix":
            groups["mix"].add(tid)
        elif name.startswith("program:"):
            groups["outputs"].add(tid)
    groups.update(extra or {})
    return ThreadGroups(groups)


def pid_tree_cpu_s(pid: int) -> float:
    """CPU seconds of a process and its children (nginx's master and worker)."""
    total = h.proc_cpu_s(pid)
    try:
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    except OSError:
        return total
    return total + sum(h.proc_cpu_s(int(c)) for c in children)


# -- the RTMP server ---------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@contextlib.contextmanager
def rtmp_server(folder: Path) -> Iterator[Any]:
    """nginx with its RTMP module on loopback, as the program's tests run it."""
    from tests.support.rtmp_fixtures import NGINX, RTMP_MODULE, RtmpServer

    for needed in (NGINX, RTMP_MODULE):
        if not Path(needed).exists():
            raise SystemExit(f"{needed} not found: apt-get install nginx libnginx-mod-rtmp")
    server = RtmpServer(folder, free_port(), free_port())
    server.start()
    try:
        yield server
    finally:
        server.stop()


def nginx_pid(server: Any) -> int:
    return int((server.folder / "nginx.pid").read_text().strip())


# -- measuring a span --------------------------------------------------------------------------


class Span:
    """Wall, process CPU, the machine's busy share and the loop's lateness over a span."""

    def __init__(self, probe: h.LagProbe, groups: ThreadGroups, server_pid: int = 0) -> None:
        self.probe, self.groups, self.server_pid = probe, groups, server_pid

    def begin(self) -> None:
        self.groups.begin()
        self.server0 = pid_tree_cpu_s(self.server_pid) if self.server_pid else 0.0
        self.machine0 = h.machine_jiffies()
        self.probe.take()
        self.probe.recording = True
        self.cpu = h.CpuWindow()

    def end(self) -> dict[str, Any]:
        cpu = self.cpu.stop()
        self.probe.recording = False
        lag = h.lag_summary(self.probe.take())
        wall = cpu.wall
        out: dict[str, Any] = {
            "wall": wall,
            "app_pct": cpu.proc_pct,
            "main_pct": cpu.main_pct,
            "threads": self.groups.end(wall),
            "server_pct": (
                100 * (pid_tree_cpu_s(self.server_pid) - self.server0) / wall
                if self.server_pid
                else 0.0
            ),
            "machine_pct": h.machine_busy_pct(self.machine0, h.machine_jiffies()),
            "lag": lag,
        }
        out["others"] = h.others_pct(out["machine_pct"], out["app_pct"] + out["server_pct"])
        return out


# -- a. the encoder alone ----------------------------------------------------------------------


async def encoder_alone(
    args: argparse.Namespace, probe: h.LagProbe, size: str, threads: int, frames: list[bytes]
) -> dict[str, Any]:
    width, height = SIZES[size]
    encoder = timed_encoder_class()(width, height, FPS, pixel_format="bgra", threads=threads)
    before = tids()
    encoder.start()
    new = tids() - before
    feeder = Feeder(encoder, frames)
    feeder.start()
    main = threading.main_thread().native_id or 0
    groups = program_groups(new, {"feeder": {feeder.tid}, "GUI": {main}})
    try:
        await asyncio.sleep(args.warmup)
        span = Span(probe, groups)
        stats0 = encoder.stats
        encoder.frame_ms.clear()
        span.begin()
        await asyncio.sleep(args.seconds)
        result = span.end()
        stats1 = encoder.stats
        frame_ms = list(encoder.frame_ms)
        options = encoder.x264_options
    finally:
        await asyncio.to_thread(feeder.stop)
        await asyncio.to_thread(encoder.stop)
    pushed = stats1.frames_in - stats0.frames_in
    encoded = stats1.encoded - stats0.encoded
    t = result["threads"]
    result.update(
        phase="a",
        size=size,
        threads_setting=threads,
        x264_threads=len(groups.groups["x264"]),
        x264=f"threads={options.get('threads', '?')}"
        + (" sliced" if options.get("sliced_threads") == "1" else ""),
        encode_pct=t["encoder"] + t["x264"],
        encoded_fps=encoded / result["wall"],
        dropped_pct=100 * (stats1.dropped - stats0.dropped) / pushed if pushed else float("nan"),
        cpu_ms_per_frame=10 * (t["encoder"] + t["x264"]) * result["wall"] / max(1, encoded),
        frame_ms_p50=h.percentile(frame_ms, 50),
        frame_ms_p99=h.percentile(frame_ms, 99),
    )
    print(
        f"a {size} threads={threads}: process {result['app_pct']:.1f}%, encoding "
        f"{result['encode_pct']:.1f}%, dropped {result['dropped_pct']:.1f}%",
        flush=True,
    )
    return result


def print_a(results: list[dict[str, Any]]) -> None:
    print("\na. the encoder alone (BGRA in, 30 fps, moving picture + tone, no output)")
    rows = [
        (
            r["size"],
            r["threads_setting"],
            r["x264"],
            r["x264_threads"],
            r["app_pct"],
            r["encode_pct"],
            r["threads"]["encoder"],
            r["threads"]["x264"],
            r["threads"]["feeder"],
            r["cpu_ms_per_frame"],
            r["frame_ms_p50"],
            r["frame_ms_p99"],
            r["encoded_fps"],
            r["dropped_pct"],
            r["lag"]["p99"],
            r["machine_pct"],
            r["others"],
        )
        for r in results
    ]
    print(
        h.table(
            (
                "size",
                "threads=",
                "x264 says",
                "native thr",
                "process %",
                "encoding %",
                "enc thread %",
                "x264 thr %",
                "feeder %",
                "CPU ms/frame",
                "wall ms/frame p50",
                "p99",
                "encoded fps",
                "dropped %",
                "loop p99 ms",
                "machine %",
                "others %",
            ),
            rows,
        ),
        flush=True,
    )


# -- b. each output's cost ---------------------------------------------------------------------


async def wait_live(output: Any, timeout: float = 15.0) -> None:
    from hostdesk.program import OutputState

    await h.wait_until(
        lambda: output.status.state is OutputState.LIVE, timeout, f"{output.label} live"
    )


async def outputs_cost(
    args: argparse.Namespace, probe: h.LagProbe, folder: Path, server: Any, frames: list[bytes]
) -> list[dict[str, Any]]:
    from hostdesk.program import Destination, ProgramEncoder, Recording

    width, height = SIZES[args.b_size]
    encoder = ProgramEncoder(width, height, FPS, pixel_format="bgra", threads=args.threads)
    before = tids()
    encoder.start()
    new = tids() - before
    feeder = Feeder(encoder, frames)
    feeder.start()
    spid = nginx_pid(server)
    steps: list[tuple[str, Any]] = [
        ("encoder only", None),
        ("+ recording", Recording(folder / f"b-{args.b_size}.mp4")),
        ("+ destination 1", Destination("Destination 1", server.url, "b1")),
        ("+ destination 2", Destination("Destination 2", server.url, "b2")),
    ]
    results: list[dict[str, Any]] = []
    outputs: list[Any] = []
    try:
        for name, output in steps:
            extra: dict[str, set[int]] = {"feeder": {feeder.tid}}
            if output is not None:
                encoder.request_keyframe()
                encoder.add_output(output)
                outputs.append(output)
                await wait_live(output)
                extra["new output"] = {output._thread.native_id}  # its muxing thread
            extra["outputs"] = {o._thread.native_id for o in outputs}
            groups = program_groups(new, extra)
            await asyncio.sleep(args.warmup)
            span = Span(probe, groups, spid)
            dropped0 = encoder.stats.dropped
            out_dropped0 = sum(o.status.dropped_packets for o in outputs)
            span.begin()
            await asyncio.sleep(args.seconds)
            result = span.end()
            result.update(
                phase="b",
                step=name,
                size=args.b_size,
                dropped=encoder.stats.dropped - dropped0,
                out_dropped=sum(o.status.dropped_packets for o in outputs) - out_dropped0,
                kbps=8 * output.status.bitrate / 1000 if output is not None else float("nan"),
            )
            result["delta"] = result["app_pct"] - results[-1]["app_pct"] if results else 0.0
            results.append(result)
            print(
                f"b {name}: process {result['app_pct']:.1f}% ({result['delta']:+.1f})",
                flush=True,
            )
    finally:
        for output in reversed(outputs):
            await asyncio.to_thread(encoder.remove_output, output)
        await asyncio.to_thread(feeder.stop)
        await asyncio.to_thread(encoder.stop)
    return results


def print_b(results: list[dict[str, Any]]) -> None:
    if results:
        print(
            f"\nb. each output's cost ({results[0]['size']}, 30 fps, x264 threads as "
            "--threads; both destinations to one local nginx-rtmp)"
        )
    rows = [
        (
            r["step"],
            r["app_pct"],
            r["delta"],
            r["threads"].get("new output", float("nan")),
            r["threads"]["outputs"],
            r["threads"]["encoder"] + r["threads"]["x264"],
            r["kbps"],
            r["dropped"],
            r["out_dropped"],
            r["server_pct"],
            r["lag"]["p99"],
            r["machine_pct"],
            r["others"],
        )
        for r in results
    ]
    print(
        h.table(
            (
                "step",
                "process %",
                "change %",
                "its thread %",
                "all outputs %",
                "encoding %",
                "its kbit/s",
                "frames dropped",
                "packets dropped",
                "nginx %",
                "loop p99 ms",
                "machine %",
                "others %",
            ),
            rows,
        ),
        flush=True,
    )


# -- c and d: the window, a guest, the studio --------------------------------------------------


def nearest(rgb: tuple[float, float, float]) -> int:
    """The palette colour this pixel is, or -1."""
    for i, colour in enumerate(PALETTE):
        if max(abs(a - b) for a, b in zip(rgb, colour, strict=True)) <= TOLERANCE:
            return i
    return -1


class ArrivalLog:
    """Notes when each new colour of the guest's camera reaches the host's session (the centre
    of the colour block in the BGRA frame `guest_frame` hands over)."""

    def __init__(self) -> None:
        self.changes: list[tuple[int, float]] = []
        self._last = -1

    def frame(self, _identity: str, width: int, height: int, bgra: memoryview) -> None:
        at = time.monotonic()
        offset = (int(height * SAMPLE[1]) * width + int(width * SAMPLE[0])) * 4
        b, g, r = bgra[offset], bgra[offset + 1], bgra[offset + 2]
        colour = nearest((r, g, b))
        if colour >= 0 and colour != self._last:
            self._last = colour
            self.changes.append((colour, at))


async def bring_colour_guest(desk: h.Desk, args: argparse.Namespace) -> tuple[h.Child, str]:
    """bench/_harness.py's `Desk.bring_guest` with this file's guest instead of _publisher.py."""
    joined = await desk.backend.service.join(desk.room, "Guest One", "viewer")
    child = await h.Child.start(
        "program_load.py",
        "guest",
        joined.ws_url,
        joined.token,
        "--flip-s",
        f"{args.flip_s:g}",
        nice=args.nice_helpers,
        cpus=args.helper_cpus,
    )
    desk.children.append(child)
    await child.wait_line("connected", 30)
    await h.wait_until(lambda: desk.mirror.get(joined.identity), 15, "the guest in the mirror")
    await desk.backend.service.promote(desk.room, joined.identity, desk.control.identity)
    await child.wait_line("published", 30)
    return child, joined.identity


class ProgramTap:
    """Notes when the guest's new colour is in a program frame the picture hands the encoder
    (one pixel read per frame, at `point` once it is set)."""

    def __init__(self) -> None:
        self.point: tuple[int, int] | None = None
        self.changes: list[tuple[int, float]] = []
        self._last = -1

    def wrap(self, width: int, sink: Callable[[bytes], None]) -> Callable[[bytes], None]:
        def tapped(bgra: bytes) -> None:
            if self.point is not None:
                at = time.monotonic()
                offset = (self.point[1] * width + self.point[0]) * 4
                colour = nearest((bgra[offset + 2], bgra[offset + 1], bgra[offset]))
                if colour >= 0 and colour != self._last:
                    self._last = colour
                    self.changes.append((colour, at))
            sink(bgra)

        return tapped


def layout_picture_factory(made: list[Any], tap: ProgramTap) -> Callable[..., Any]:
    """ProgramPicture, remembering the layout it was given (where the guest's cell is), its
    frames passing the tap on their way to the encoder."""
    from hostdesk.ui.program_picture import ProgramPicture

    class LayoutPicture(ProgramPicture):
        placed: tuple[Any, ...] = ()

        def set_layout(self, placed: Sequence[Any]) -> None:
            self.placed = tuple(placed)
            super().set_layout(placed)

    def factory(width: int, height: int, fps: int, sink: Callable[[bytes], None]) -> Any:
        picture = LayoutPicture(width, height, fps, tap.wrap(width, sink))
        made.append(picture)
        return picture

    return factory


def open_desk(backend: Any, picture_factory: Callable[..., Any]) -> tuple[h.Desk, Any]:
    """bench/_harness.py's `open_desk`, with the program's `Studio` made here and handed to the
    window, as app.py does (the window then feeds it and its program bar drives it)."""
    from hostdesk.host import HostControl
    from hostdesk.livekit.session import HostSession
    from hostdesk.program.studio import Studio
    from hostdesk.show.mirror import ShowMirror
    from hostdesk.ui import stage_tile
    from hostdesk.ui.main_window import MainWindow

    vars(stage_tile)["VideoView"] = h.TimedVideoView  # the tiles are built from it, as in open_desk
    mirror = ShowMirror()
    session = HostSession(mirror)
    control = HostControl(backend.service, session, mirror)
    studio = Studio(mirror, picture_factory)
    window = MainWindow(control, session, backend, h.temp_prefs(), None, studio)
    window.show()
    return h.Desk(backend, mirror, session, control, window), studio


async def close_desk(desk: h.Desk, studio: Any) -> list[dict[str, Any]]:
    """The helpers stopped, then app.py's order: the window, the recording finished, the
    studio closed, the session left."""
    results = [await child.finish() for child in desk.children]
    desk.window.close()
    await desk.window.bridge.aclose()
    await desk.window.program_control.settle()
    await studio.aclose()
    await desk.control.leave()
    return results


@contextlib.contextmanager
def encoder_threads(threads: int) -> Iterator[None]:
    """The studio's encoder made with x264 `threads` (0: the encoder's default) while inside:
    the bench swaps the name the studio calls, the studio itself is unchanged."""
    import hostdesk.program.studio as studio_module

    names = vars(studio_module)
    original = names["ProgramEncoder"]
    if threads:
        names["ProgramEncoder"] = functools.partial(original, threads=threads)
    try:
        yield
    finally:
        names["ProgramEncoder"] = original


async def start_program(desk: h.Desk, size: str, folder: Path, threads: int = 0) -> set[int]:
    """The program at `size` started as the host starts it from the window's program bar
    (ProgramView: Record, then the two destinations); returns the threads that started with
    it, once the recording and both destinations are live."""
    from hostdesk.program import OutputState

    studio, bar = desk.window.studio, desk.window.program_control
    studio.set_size(size)
    before = tids()
    with encoder_threads(threads):
        if not bar.start_recording(folder / f"program-{size}-{uuid.uuid4().hex[:6]}.mp4"):
            raise RuntimeError("the window did not start the recording")
    bar.toggle_destination(0, True)
    bar.toggle_destination(1, True)

    def live() -> bool:
        status = studio.status()
        states = [s.state for s in status.destinations.values()]
        if status.recording_status is not None:
            states.append(status.recording_status.state)
        return len(states) == 3 and all(s is OutputState.LIVE for s in states)

    await h.wait_until(live, 20, "the recording and both destinations live")
    return tids() - before


async def stop_program(desk: h.Desk) -> None:
    """Stop recording and both destinations, from the program bar; waits until the program
    has stopped and the recording is finished."""
    bar = desk.window.program_control
    finishing = bar.stop_recording()
    bar.toggle_destination(0, False)
    bar.toggle_destination(1, False)
    await finishing
    await h.wait_until(lambda: not desk.window.studio.status().running, 20, "the program stop")
    await bar.settle()


def program_counts(studio: Any) -> tuple[int, int, int]:
    """(frames encoded, frames dropped by the encoder, slots the picture skipped)."""
    run = studio._run  # the studio's current run: its encoder and picture
    stats = run.encoder.stats
    return stats.encoded, stats.dropped, run.picture.stats.late


async def window_phase(
    name: str,
    args: argparse.Namespace,
    desk: h.Desk,
    probe: h.LagProbe,
    spid: int,
    views: list[h.TimedVideoView],
    helpers: dict[str, h.Child],
    studio: Any,
    groups: ThreadGroups | None,
    nginx: int,
    seconds: float = 0.0,
) -> dict[str, Any]:
    """bench/loop_lag.py's measurement (the loop's lateness, the app's CPU, the helpers'), with
    the program's threads, nginx and the program's frames."""
    running = studio._run is not None
    counts0 = program_counts(studio) if running else (0, 0, 0)
    nginx0 = pid_tree_cpu_s(nginx)
    if groups is not None:
        groups.groups["picture"] |= qt_pool_threads()
        groups.begin()
    result = await measure(name, seconds or args.seconds, desk, probe, spid, views, helpers)
    wall = result["t1"] - result["t0"]
    result["program"] = groups.end(wall) if groups is not None else {}
    result["nginx_pct"] = 100 * (pid_tree_cpu_s(nginx) - nginx0) / wall
    if running:
        counts1 = program_counts(studio)
        encoded, dropped, late = (b - a for a, b in zip(counts0, counts1, strict=True))
        result["program_fps"] = encoded / wall
        slots = encoded + dropped + late
        result["program_dropped_pct"] = 100 * (dropped + late) / slots if slots else float("nan")
    else:
        result["program_fps"] = result["program_dropped_pct"] = float("nan")
    # The machine's other load: less nginx too (measure() counts the app, livekit and helpers).
    result["others_load"] = max(0.0, result["others_load"] - result["nginx_pct"])
    print(
        f"{name}: loop p99 {result['lag']['p99']:.2f} ms, app {result['app_pct']:.1f}%, "
        f"program dropped {result['program_dropped_pct']:.1f}%",
        flush=True,
    )
    return result


def print_d(results: list[dict[str, Any]]) -> None:
    print(
        "\nd. the window's loop with the program off and on (recording + two destinations; "
        "one guest on stage, 720p30, painted in the window)"
    )
    rows = []
    for r in results:
        p = r["program"]
        rows.append(
            (
                r["phase"],
                r["lag"]["p50"],
                r["lag"]["p99"],
                r["lag"]["max"],
                r["app_pct"],
                r["gui_pct"],
                r["gui_wait"],
                p.get("picture", float("nan")),
                p.get("encoder", float("nan")) + p.get("x264", float("nan")),
                p.get("outputs", float("nan")),
                r["program_fps"],
                r["program_dropped_pct"],
                " / ".join(f"{f:.1f}" for f in r["painted_fps"]),
                sum(r["helpers_pct"].values()),
                r["server_pct"],
                r["nginx_pct"],
                r["machine_pct"],
                r["others_load"],
            )
        )
    print(
        h.table(
            (
                "phase",
                "lag p50 ms",
                "p99 ms",
                "max ms",
                "app %",
                "GUI thr %",
                "GUI wait ms/s",
                "picture %",
                "encoding %",
                "outputs %",
                "program fps",
                "prog dropped %",
                "guest painted fps",
                "helpers %",
                "livekit %",
                "nginx %",
                "machine %",
                "others %",
            ),
            rows,
        ),
        flush=True,
    )


def guest_sample_point(picture: Any, identity: str) -> tuple[int, int]:
    """Where the centre of the guest's colour block is in the program's picture."""
    from hostdesk.show.program_layout import fit

    for item in picture.placed:
        if item.identity == identity and not item.share:
            area = fit(*GUEST, item.cell)
            return int(area.x + area.width * SAMPLE[0]), int(area.y + area.height * SAMPLE[1])
    raise RuntimeError("the guest has no cell in the program's layout")


def delays(
    flips: list[tuple[int, float]], seen: list[tuple[int, float]], flip_s: float
) -> list[float | None]:
    """For each flip (colour, time), the time until `seen` first has that colour after it
    (None if it never did within the colour's next turn)."""
    window = (len(PALETTE) - 1) * flip_s
    out: list[float | None] = []
    for colour, at in flips:
        found = next((t for c, t in seen if c == colour and at <= t < at + window), None)
        out.append(None if found is None else found - at)
    return out


async def delay_phase(
    args: argparse.Namespace,
    desk: h.Desk,
    probe: h.LagProbe,
    spid: int,
    views: list[h.TimedVideoView],
    guest: h.Child,
    identity: str,
    studio: Any,
    pictures: list[Any],
    arrivals: ArrivalLog,
    tap: ProgramTap,
    groups: ThreadGroups,
    server: Any,
) -> dict[str, Any]:
    x, y = guest_sample_point(pictures[-1], identity)
    tap.point = (x, y)
    reader = await h.Child.start(
        "program_load.py",
        "reader",
        f"{server.url}/a",
        str(x),
        str(y),
        nice=args.nice_helpers,
        cpus=args.helper_cpus,
    )
    try:
        await reader.wait_line("ready", 30)
        await asyncio.sleep(2 * args.flip_s)  # past the reader's start
        start = time.monotonic()
        result = await window_phase(
            "c: 720p + reader",
            args,
            desk,
            probe,
            spid,
            views,
            {"guest": guest, "reader": reader},
            studio,
            groups,
            nginx_pid(server),
            max(args.seconds, 15 * args.flip_s),  # at least 15 colour changes
        )
        await asyncio.sleep(2.0)  # the last flips' way through
    finally:
        reader_end = await reader.finish()
    end = result["t1"]
    flips = [
        (int(line["flip"]), float(line["at"]))
        for line in guest.lines
        if "flip" in line and start <= line["at"] <= end
    ]
    seen = [(int(line["seen"]), float(line["at"])) for line in reader.lines if "seen" in line]
    total = delays(flips, seen, args.flip_s)
    to_host = delays(flips, arrivals.changes, args.flip_s)
    to_program = delays(flips, tap.changes, args.flip_s)

    def between(first: list[float | None], then: list[float | None]) -> list[float]:
        return [
            1000 * (b - a)
            for a, b in zip(first, then, strict=True)
            if a is not None and b is not None
        ]

    result.update(
        flips=len(flips),
        total_ms=[1000 * d for d in total if d is not None],
        to_host_ms=[1000 * d for d in to_host if d is not None],
        host_to_program_ms=between(to_host, to_program),
        program_to_rtmp_ms=between(to_program, total),
        missed=sum(1 for d in total if d is None),
        reader=reader_end,
        cell=(x, y),
        flip_s=args.flip_s,
    )
    print_c(result)
    return result


def print_c(r: dict[str, Any]) -> None:
    print(
        f"\nc. a guest's frame to the RTMP server: {r['flips']} colour changes every "
        f"{r['flip_s']:g} s, program 720p30 (recording + two destinations), the "
        f"reader on destination A, sampled at {r['cell']}; {r['missed']} not seen"
    )
    rows = []
    for name, key in (
        ("guest -> host's session (guest_frame)", "to_host_ms"),
        ("host's session -> program frame (picture)", "host_to_program_ms"),
        ("program frame -> decoded from nginx", "program_to_rtmp_ms"),
        ("guest -> decoded from nginx (end to end)", "total_ms"),
    ):
        values = r[key]
        rows.append(
            (
                name,
                len(values),
                h.percentile(values, 50),
                h.percentile(values, 95),
                min(values) if values else float("nan"),
                max(values) if values else float("nan"),
            )
        )
    print(h.table(("span", "n", "median ms", "p95 ms", "min ms", "max ms"), rows), flush=True)
    print(
        f"meanwhile: program {r['program_fps']:.1f} fps ({r['program_dropped_pct']:.1f}% "
        f"dropped), loop p99 {r['lag']['p99']:.1f} ms, app {r['app_pct']:.0f}%, machine "
        f"{r['machine_pct']:.0f}% busy, others {r['others_load']:.0f}% of a core"
    )
    reader = r.get("reader", {})
    if reader:
        print(
            f"reader: {reader.get('frames', 0)} frames decoded, {reader.get('fps', 0):.1f} fps, "
            f"CPU {reader.get('cpu_pct', 0):.0f}% of a core"
        )


async def window_phases(args: argparse.Namespace, folder: Path) -> dict[str, Any]:
    from dataclasses import replace

    from hostdesk.backend import start_backend
    from hostdesk.ui.settings import CUSTOM, StreamDestination

    out: dict[str, Any] = {"d": [], "c": None}
    with rtmp_server(folder / "rtmp-cd") as server:
        async with h.livekit_in_netns() as lk:
            backend = await start_backend(h.backend_settings(lk, stage_size=3))
            pictures: list[Any] = []
            tap = ProgramTap()
            desk, studio = open_desk(backend, layout_picture_factory(pictures, tap))
            width, height = (int(v) for v in args.window.split("x"))
            desk.window.resize(width, height)
            store = desk.window.prefs_store
            destinations = tuple(
                StreamDestination(CUSTOM, f"Destination {key.upper()}", server.url, key)
                for key in ("a", "b")
            )
            store.save(replace(store.load(), destinations=destinations))
            spid = lk.pid or 0
            arrivals = ArrivalLog()
            try:
                probe = h.LagProbe()
                probe.start()
                await desk.go_live(f"bench-{uuid.uuid4().hex[:8]}")
                # What the window does once live (MainWindow._go_live): the program knows its
                # host, the program bar shows with the stored destinations.
                desk.window.program_feed.went_live()
                desk.window.program_control.went_live()
                desk.session.guest_frame.connect(arrivals.frame)
                await asyncio.sleep(2)
                guest, identity = await bring_colour_guest(desk, args)
                view = desk.window.stage.guest_tiles[0].view
                assert isinstance(view, h.TimedVideoView)
                views = [view]
                await h.wait_until(lambda: view.last_size == GUEST, 90, "the guest's 720p track")
                await asyncio.sleep(args.warmup)
                helpers = {"guest": guest}
                nginx = nginx_pid(server)
                d = out["d"]
                if "d" in args.phases:
                    d.append(
                        await window_phase(
                            "program off",
                            args,
                            desk,
                            probe,
                            spid,
                            views,
                            helpers,
                            studio,
                            None,
                            nginx,
                        )
                    )
                    cases = [(size, int(t)) for t in args.d_threads.split(",") for size in SIZES]
                    for size, threads in cases:
                        new = await start_program(desk, size, folder, threads)
                        groups = program_groups(new)
                        await asyncio.sleep(args.warmup)
                        d.append(
                            await window_phase(
                                f"program {size}" + (f" threads={threads}" if threads else ""),
                                args,
                                desk,
                                probe,
                                spid,
                                views,
                                helpers,
                                studio,
                                groups,
                                nginx,
                            )
                        )
                        await stop_program(desk)
                        await asyncio.sleep(2)
                    print_d(d)
                if "c" in args.phases:
                    new = await start_program(desk, "720p", folder)
                    groups = program_groups(new)
                    await asyncio.sleep(args.warmup)
                    try:
                        out["c"] = await delay_phase(
                            args,
                            desk,
                            probe,
                            spid,
                            views,
                            guest,
                            identity,
                            studio,
                            pictures,
                            arrivals,
                            tap,
                            groups,
                            server,
                        )
                    except (RuntimeError, TimeoutError) as exc:  # the figures so far still count
                        print(f"c. failed: {exc}", flush=True)
                    await stop_program(desk)
            finally:
                outs = await close_desk(desk, studio)
                await backend.aclose()
            out["guest"] = outs[0] if outs else {}
    return out


# -- the whole run -----------------------------------------------------------------------------


def conditions(when: str) -> str:
    """`uptime` and the busiest processes, as they are now."""
    uptime = subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()
    ps = subprocess.run(
        ["ps", "-eo", "pid,pcpu,etime,args", "--sort=-pcpu"], capture_output=True, text=True
    ).stdout.splitlines()
    busy = [line[:140] for line in ps[1:7]]
    return f"{when}: {uptime}\n  " + "\n  ".join([ps[0][:140], *busy])


async def bench(args: argparse.Namespace) -> dict[str, Any]:
    results: dict[str, Any] = {"a": [], "b": [], "d": [], "c": None}
    print(conditions(f"before ({time.strftime('%Y-%m-%d %H:%M:%S UTC', time.gmtime())})"))
    with tempfile.TemporaryDirectory(prefix="hostdesk-program-bench-") as tmp:
        folder = Path(tmp)
        probe = h.LagProbe()
        probe.start()
        if "a" in args.phases or "b" in args.phases:
            cache: dict[str, list[bytes]] = {}
            if "a" in args.phases:
                for size in args.sizes.split(","):
                    cache = {size: program_frames(*SIZES[size])}
                    for threads in (int(t) for t in args.thread_settings.split(",")):
                        results["a"].append(
                            await encoder_alone(args, probe, size, threads, cache[size])
                        )
                print_a(results["a"])
            if "b" in args.phases:
                frames = cache.get(args.b_size) or program_frames(*SIZES[args.b_size])
                cache.clear()
                with rtmp_server(folder / "rtmp-b") as server:
                    results["b"] = await outputs_cost(args, probe, folder, server, frames)
                print_b(results["b"])
                del frames
        probe.stop()
        if "c" in args.phases or "d" in args.phases:
            window = await window_phases(args, folder)
            results["d"], results["c"] = window["d"], window["c"]
            results["guest"] = window.get("guest", {})
    return results


def report(results: dict[str, Any], args: argparse.Namespace) -> None:
    print(
        f"\nprogram_load: {args.seconds:g} s per phase after {args.warmup:g} s; app on cores "
        f"{args.app_cpus or 'any'}, helpers on cores {args.helper_cpus or 'any'} at nice "
        f"{args.nice_helpers}; QT_QPA_PLATFORM={os.environ['QT_QPA_PLATFORM']}"
    )
    if results["a"]:
        print_a(results["a"])
    if results["b"]:
        print_b(results["b"])
    if results["d"]:
        print_d(results["d"])
        for r in results["d"]:
            print(f"{r['phase']}: app threads by name: {r['threads']}")
    if results["c"]:
        print_c(results["c"])
    guest = results.get("guest") or {}
    if guest:
        print(
            f"guest publisher: {guest.get('fps', 0):.1f} fps sent, CPU "
            f"{guest.get('cpu_pct', 0):.0f}% of a core, encoded {guest.get('encoded')}"
        )
    print("(CPU % is of one core; machine % is of both cores; others %: processes outside this")
    print(" benchmark, of one core; change %: the process's CPU against the step before)")
    print(conditions("after"))


# -- the helper processes ----------------------------------------------------------------------


def say(**line: object) -> None:
    sys.stdout.write(json.dumps(line) + "\n")
    sys.stdout.flush()


def watch_stdin(on_eof: Callable[[], object]) -> None:
    def run() -> None:
        for _ in sys.stdin:
            pass
        on_eof()

    threading.Thread(target=run, daemon=True).start()


async def guest_main(argv: list[str]) -> None:
    """A guest's camera: bench/_publisher.py's `talking` picture (a still room, a moving person
    in its middle third) with a block of one colour in its top left (BLOCK), the colour changed
    every --flip-s. Prints {"flip": i, "at": monotonic} as the first frame of each colour is
    handed to libwebrtc."""
    from _publisher import talking
    from livekit import rtc

    from hostdesk.livekit.joining import join

    parser = argparse.ArgumentParser()
    parser.add_argument("url")
    parser.add_argument("token")
    parser.add_argument("--flip-s", type=float, default=1.5)
    args = parser.parse_args(argv)
    loop = asyncio.get_running_loop()
    stop = asyncio.Event()
    watch_stdin(lambda: loop.call_soon_threadsafe(stop.set))

    room = rtc.Room()
    await join(room, args.url, args.token, 20)
    say(connected=room.local_participant.identity)
    while not room.local_participant.permissions.can_publish:
        if stop.is_set():
            await room.disconnect()
            return
        await asyncio.sleep(0.05)
    width, height = GUEST
    source = rtc.VideoSource(width, height)
    track = rtc.LocalVideoTrack.create_video_track("camera", source)
    options = rtc.TrackPublishOptions(
        source=rtc.TrackSource.SOURCE_CAMERA,
        simulcast=False,
        video_codec=rtc.VideoCodec.VP8,
        video_encoding=rtc.VideoEncoding(max_framerate=FPS, max_bitrate=2_500_000),
        degradation_preference=rtc.DegradationPreference.MAINTAIN_RESOLUTION,  # type: ignore[arg-type]
    )
    publication = await room.local_participant.publish_track(track, options)
    say(published=publication.sid)

    scene = [
        np.frombuffer(bytes(f.data), np.uint8).reshape(height, width, 4)
        for f in talking(width, height)
    ]
    rgba = np.empty((height, width, 4), dtype=np.uint8)
    bw, bh = width // BLOCK[0], height // BLOCK[1]
    period = 1 / FPS
    colour = -1
    started, cpu0 = time.monotonic(), time.process_time()
    due = started
    sent = 0
    while not stop.is_set():
        wanted = int((time.monotonic() - started) / args.flip_s) % len(PALETTE)
        flipped = wanted != colour
        colour = wanted
        rgba[:] = scene[sent % len(scene)]
        rgba[:bh, :bw, :3] = PALETTE[colour]
        frame = rtc.VideoFrame(width, height, rtc.VideoBufferType.RGBA, rgba.tobytes())
        at = time.monotonic()
        source.capture_frame(frame)
        if flipped:
            say(flip=colour, at=at)
        sent += 1
        due += period
        wait = due - time.monotonic()
        if wait < -period:
            due = time.monotonic()
            wait = 0.0
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), max(0.0, wait))
    wall = time.monotonic() - started
    cpu = time.process_time() - cpu0
    encoded: list[dict[str, object]] = []
    for s in (await room.get_rtc_stats()).publisher_stats:
        if s.WhichOneof("stats") == "outbound_rtp" and s.outbound_rtp.stream.kind == "video":
            o = s.outbound_rtp.outbound
            encoded.append(
                {
                    "encoded_fps": round(o.frames_encoded / wall, 1),
                    "size": f"{o.frame_width}x{o.frame_height}",
                    "limited_by": o.quality_limitation_reason,
                }
            )
    await room.disconnect()
    await source.aclose()
    say(frames=sent, fps=sent / wall, cpu_pct=100 * cpu / wall, encoded=encoded)


def reader_main(argv: list[str]) -> None:
    """Plays rtmp://.../live/KEY as a low-delay viewer would and prints {"seen": i, "at":
    monotonic} each time the pixel at (x, y) of the decoded picture turns a palette colour."""
    import av

    parser = argparse.ArgumentParser()
    parser.add_argument("url")
    parser.add_argument("x", type=int)
    parser.add_argument("y", type=int)
    args = parser.parse_args(argv)
    started, cpu0 = time.monotonic(), time.process_time()
    frames = 0
    first = 0.0

    def finish() -> None:
        now = time.monotonic()
        cpu = 100 * (time.process_time() - cpu0) / (now - started)
        say(frames=frames, fps=frames / (now - first) if first else 0.0, cpu_pct=cpu)
        os._exit(0)

    watch_stdin(finish)
    options = {
        "fflags": "nobuffer",
        "flags": "low_delay",
        # The FLV demuxer finds its streams in the packets: a 32-byte probe finds none. A
        # probe is read once, at the start; the delay is measured long after.
        "probesize": "262144",
        "analyzeduration": "2000000",
        "rtmp_live": "live",
        "rtmp_buffer": "100",
    }
    for _ in range(5):  # a probe that met only audio packets found no video: again
        container = av.open(args.url, options=options, timeout=10)
        if container.streams.video:
            break
        container.close()
    else:
        raise SystemExit(f"no video stream found in {args.url}")
    video = container.streams.video[0]
    video.codec_context.thread_count = 1  # no frame threads: each frame out as it comes in
    last = -1
    for packet in container.demux(video):
        try:
            decoded = packet.decode()
        except av.error.InvalidDataError:
            continue
        for frame in decoded:
            at = time.monotonic()
            if frames == 0:
                first = at
                say(ready=f"{frame.width}x{frame.height}")
            frames += 1
            colour = nearest(yuv_pixel(frame, args.x, args.y))
            if colour >= 0 and colour != last:
                last = colour
                say(seen=colour, at=at)
    finish()


def yuv_pixel(frame: Any, x: int, y: int) -> tuple[float, float, float]:
    """The RGB of one pixel of a yuv420p frame (BT.601, limited range, as swscale made it)."""
    luma, cb, cr = frame.planes[0], frame.planes[1], frame.planes[2]
    yy = memoryview(luma)[y * luma.line_size + x]
    u = memoryview(cb)[(y // 2) * cb.line_size + x // 2] - 128
    v = memoryview(cr)[(y // 2) * cr.line_size + x // 2] - 128
    c = 1.164 * (yy - 16)
    return (c + 1.596 * v, c - 0.392 * u - 0.813 * v, c + 2.017 * u)


# -- entry -------------------------------------------------------------------------------------


def main() -> int:
    if len(sys.argv) > 1 and sys.argv[1] == "guest":
        asyncio.run(guest_main(sys.argv[2:]))
        return 0
    if len(sys.argv) > 1 and sys.argv[1] == "reader":
        reader_main(sys.argv[2:])
        return 0
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--phases", default="abdc", help="which of a, b, c, d to run")
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--warmup", type=float, default=4.0)
    parser.add_argument("--sizes", default="720p,1080p", help="phase a's program sizes")
    parser.add_argument("--thread-settings", default="0,1,2", help="phase a's x264 threads")
    parser.add_argument("--threads", type=int, default=0, help="x264 threads in phase b")
    parser.add_argument("--b-size", choices=tuple(SIZES), default="720p")
    parser.add_argument(
        "--d-threads",
        default="0",
        help="x264 threads of the studio's encoder in phase d, e.g. 0,1 (0: its default)",
    )
    parser.add_argument("--flip-s", type=float, default=1.5, help="the guest's colour period")
    parser.add_argument("--window", default="1920x1080")
    parser.add_argument("--nice-helpers", type=int, default=0)
    parser.add_argument("--app-cpus", default="", help="cores for the app, nginx, livekit")
    parser.add_argument("--helper-cpus", default="", help="cores for the guest and the reader")
    args = parser.parse_args()
    sys.argv = sys.argv[:1]  # Qt gets no benchmark options
    if args.app_cpus:  # before any thread starts: every thread and child inherits it
        os.sched_setaffinity(0, {int(c) for c in args.app_cpus.split(",")})
    cases = len(args.sizes.split(",")) * len(args.thread_settings.split(",")) + 4  # a, b
    cases += 1 + 2 * len(args.d_threads.split(",")) + 2  # d, c
    timeout = cases * (args.seconds + args.warmup + 15) + 300
    return h.run_bench("program_load", lambda: bench(args), timeout, lambda r: report(r, args))


if __name__ == "__main__":
    raise SystemExit(main())
