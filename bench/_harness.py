"""Shared pieces of the window benchmarks (bench/render_guest.py, loop_lag.py, audience_scale.py).

Not a benchmark itself. It starts a livekit-server inside a network namespace of the run's own
(tests/support/netns.py: libwebrtc ignores loopback), runs helper processes (bench/_publisher.py,
bench/_joiner.py), measures Qt event-loop lateness with a 5 ms precise timer, CPU time per
process and per thread, and RSS, and prints tables. Needs root for the namespace.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import resource
import statistics
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
if str(ROOT) not in sys.path:  # tests.support.netns lives in the repo, not in the installed package
    sys.path.insert(0, str(ROOT))

from PySide6.QtCore import QEvent, QObject, QSettings, Qt, QTimer  # noqa: E402

from hostdesk.config import LiveKitSettings, Settings  # noqa: E402
from hostdesk.devserver import LocalLiveKitServer, find_livekit_server  # noqa: E402
from hostdesk.ui.settings import PrefsStore  # noqa: E402
from hostdesk.ui.video_view import VideoView  # noqa: E402

API_KEY = "bench-host-api-key"
T = TypeVar("T")
CLK_TCK = os.sysconf("SC_CLK_TCK")


# -- numbers --------------------------------------------------------------------------------


def percentile(values: Sequence[float], p: float) -> float:
    """Nearest-rank percentile (p in 0..100); NaN for no values."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    rank = max(1, min(len(ordered), round(p / 100 * len(ordered) + 0.5)))
    return ordered[rank - 1]


def table(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    cells = [[str(h) for h in headers]] + [[_fmt(c) for c in row] for row in rows]
    widths = [max(len(r[i]) for r in cells) for i in range(len(headers))]
    lines = []
    for n, row in enumerate(cells):
        first = row[0].ljust(widths[0])
        rest = [c.rjust(w) for c, w in zip(row[1:], widths[1:], strict=True)]
        lines.append("  ".join([first, *rest]))
        if n == 0:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines)


def _fmt(value: object) -> str:
    if isinstance(value, float):
        if value != value:  # NaN
            return "-"
        return f"{value:,.2f}" if abs(value) < 100 else f"{value:,.0f}"
    return str(value)


def rss_kib(pid: int | str = "self") -> int:
    """VmRSS of a process in KiB (0 when it is gone)."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def proc_cpu_s(pid: int) -> float:
    """utime + stime of a process (all its threads), in seconds."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return 0.0
    fields = stat.rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLK_TCK


def thread_cpu() -> dict[str, float]:
    """CPU seconds per thread name of this process (threads of one name summed)."""
    out: dict[str, float] = {}
    for task in Path("/proc/self/task").iterdir():
        try:
            name = (task / "comm").read_text().strip()
            fields = (task / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        out[name] = out.get(name, 0.0) + (int(fields[11]) + int(fields[12])) / CLK_TCK
    return out


def main_thread_wait_s() -> float:
    """How long this (the calling) thread has waited on a run queue for a CPU, in seconds
    (/proc schedstat): time it was ready to run but another thread had the core."""
    try:
        fields = Path("/proc/thread-self/schedstat").read_text().split()
    except OSError:
        return float("nan")
    return int(fields[1]) / 1e9


@dataclass
class CpuWindow:
    """Wall, process CPU (all threads), GUI-thread CPU and per-thread CPU over a span."""

    wall0: float = field(default_factory=time.perf_counter)
    proc0: float = field(default_factory=time.process_time)
    main0: float = field(default_factory=time.thread_time)
    threads0: dict[str, float] = field(default_factory=thread_cpu)
    wait0: float = field(default_factory=main_thread_wait_s)
    wait: float = 0.0
    wall: float = 0.0
    proc: float = 0.0
    main: float = 0.0
    threads: dict[str, float] = field(default_factory=dict)

    def stop(self) -> CpuWindow:
        self.wall = time.perf_counter() - self.wall0
        self.proc = time.process_time() - self.proc0
        self.main = time.thread_time() - self.main0  # call from the GUI thread
        now = thread_cpu()
        self.threads = {k: v - self.threads0.get(k, 0.0) for k, v in now.items()}
        self.wait = main_thread_wait_s() - self.wait0
        return self

    @property
    def main_wait_ms_per_s(self) -> float:
        """The GUI thread's run-queue wait, ms per second of wall time."""
        return 1000 * self.wait / self.wall if self.wall else float("nan")

    @property
    def proc_pct(self) -> float:
        return 100 * self.proc / self.wall if self.wall else float("nan")

    @property
    def main_pct(self) -> float:
        return 100 * self.main / self.wall if self.wall else float("nan")

    def top_threads(self, n: int = 6) -> str:
        busy = sorted(self.threads.items(), key=lambda kv: -kv[1])[:n]
        return ", ".join(f"{k} {100 * v / self.wall:.1f}%" for k, v in busy if v > 0)


def peak_rss_kib() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


# -- the Qt loop's lateness -------------------------------------------------------------------


class LagProbe(QObject):
    """A 5 ms single-shot precise QTimer, re-armed each time it fires; records how late each
    firing was against the moment it was due (arm time + interval), in milliseconds."""

    def __init__(self, interval_ms: int = 5) -> None:
        super().__init__()
        self.interval_ms = interval_ms
        self.samples: list[float] = []
        self.recording = False
        self._due = 0.0
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setTimerType(Qt.TimerType.PreciseTimer)
        self._timer.timeout.connect(self._fired)

    def start(self) -> None:
        self._arm()

    def stop(self) -> None:
        self._timer.stop()

    def _arm(self) -> None:
        self._due = time.perf_counter() + self.interval_ms / 1000
        self._timer.start(self.interval_ms)

    def _fired(self) -> None:
        late = (time.perf_counter() - self._due) * 1000
        if self.recording:
            self.samples.append(max(0.0, late))
        self._arm()

    def take(self) -> list[float]:
        samples, self.samples = self.samples, []
        return samples


def lag_summary(samples: Sequence[float]) -> dict[str, float]:
    return {
        "n": float(len(samples)),
        "p50": percentile(samples, 50),
        "p99": percentile(samples, 99),
        "max": max(samples) if samples else float("nan"),
        "over16": 100 * sum(1 for s in samples if s > 16) / len(samples) if samples else 0.0,
    }


# -- timed video tiles ------------------------------------------------------------------------


class TimedVideoView(VideoView):
    """The window's VideoView with the GUI-thread time of `set_frame` and `paintEvent` added up
    (perf_counter around the real methods)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.set_frame_s = 0.0
        self.paint_s = 0.0
        self.paint_calls = 0
        self.arrivals: list[float] = []
        self.sizes: dict[tuple[int, int], int] = {}
        self.last_size = (0, 0)

    def set_frame(self, width: int, height: int, data: Any, fmt: Any) -> None:
        t = time.perf_counter()
        super().set_frame(width, height, data, fmt)
        self.set_frame_s += time.perf_counter() - t
        self.arrivals.append(t)
        self.sizes[(width, height)] = self.sizes.get((width, height), 0) + 1
        self.last_size = (width, height)

    def paintEvent(self, event: Any) -> None:  # noqa: N802 (Qt's name)
        t = time.perf_counter()
        super().paintEvent(event)
        self.paint_s += time.perf_counter() - t
        self.paint_calls += 1

    def snapshot(self) -> dict[str, float]:
        return {
            "received": self.frames_received,
            "painted": self.frames_painted,
            "set_frame_s": self.set_frame_s,
            "paint_s": self.paint_s,
            "paint_calls": self.paint_calls,
        }


class UpdateTimer(QObject):
    """Counts `UpdateRequest`s of a top-level window (one per repaint of its backing store)."""

    def __init__(self, window: QObject) -> None:
        super().__init__()
        self.requests = 0
        window.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt's name)
        if event.type() == QEvent.Type.UpdateRequest:
            self.requests += 1
        return False


_TEMP = tempfile.TemporaryDirectory(prefix="hostdesk-bench-")  # removed at exit


def temp_prefs() -> PrefsStore:
    """The window's preferences in this run's temporary directory, not the user's."""
    path = Path(_TEMP.name) / "prefs.ini"
    return PrefsStore(QSettings(str(path), QSettings.Format.IniFormat))


# -- livekit-server in its own namespace ------------------------------------------------------


@contextlib.asynccontextmanager
async def livekit_in_netns() -> AsyncIterator[LocalLiveKitServer]:
    from tests.support.netns import create_test_netns

    binary = find_livekit_server()
    netns = create_test_netns()
    try:
        # A log outside the server's own work directory makes stop() remove that directory;
        # the log goes with this run's temporary directory.
        log = Path(_TEMP.name) / f"livekit-{netns.name}.log"
        server = LocalLiveKitServer(binary, ip=netns.ns_ip, netns=netns.name, log_path=log)
        await server.start()
        try:
            yield server
        finally:
            await server.stop()
    finally:
        netns.cleanup()


def backend_settings(
    server: LocalLiveKitServer | None, *, stage_size: int = 1, rate_limits: bool = False
) -> Settings:
    if server is not None:
        creds = server.credentials
        livekit = LiveKitSettings(creds.url, creds.api_key, creds.api_secret)
    else:  # nothing will contact it
        livekit = LiveKitSettings("ws://127.0.0.1:9", "HDbench", "x" * 40)
    return Settings(
        api_host="127.0.0.1",
        api_port=0,
        auth=True,
        api_key=API_KEY,
        rate_limits=rate_limits,
        stage_size=stage_size,
        livekit=livekit,
    )


def server_pid(server: LocalLiveKitServer) -> int | None:
    """The livekit-server process itself (its parent is `ip netns exec`, which execs it)."""
    return server.pid


# -- helper processes -------------------------------------------------------------------------


class Child:
    """A helper process (bench/_publisher.py or bench/_joiner.py) that prints JSON lines."""

    def __init__(self, proc: asyncio.subprocess.Process, name: str) -> None:
        self.proc = proc
        self.name = name
        self.lines: list[dict[str, Any]] = []
        self._reader = asyncio.ensure_future(self._read())
        self._seen = asyncio.Event()

    @classmethod
    async def start(cls, script: str, *args: str, nice: int = 0, cpus: str = "") -> Child:
        """`nice`: the helper's (and its autogroup's) nice value; `cpus`: the cores it may run
        on (`taskset -c`), where the benchmark keeps other cores for the app."""
        prefix = ["nice", "-n", str(nice)] if nice else []  # nice execs: the pid stays ours
        if cpus:
            prefix = ["taskset", "-c", cpus, *prefix]
        proc = await asyncio.create_subprocess_exec(
            *prefix,
            sys.executable,
            str(BENCH / script),
            *args,
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            stderr=None,
            start_new_session=True,
            limit=256 * 1024 * 1024,  # the joiner's last line holds every request
        )
        if nice:
            # A new session is an autogroup of its own (kernel.sched_autogroup_enabled), and the
            # scheduler shares the cores between autogroups first: a process's own nice only
            # ranks it inside its group. The group's nice is what yields the cores to the app.
            with contextlib.suppress(OSError):
                Path(f"/proc/{proc.pid}/autogroup").write_text(str(nice))
        return cls(proc, script)

    async def _read(self) -> None:
        assert self.proc.stdout is not None
        async for raw in self.proc.stdout:
            with contextlib.suppress(ValueError):
                self.lines.append(json.loads(raw))
                self._seen.set()

    async def wait_line(self, key: str, timeout: float) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        while True:
            for line in self.lines:
                if key in line:
                    return line
            if self.proc.returncode is not None:
                raise RuntimeError(f"{self.name} exited ({self.proc.returncode}) before {key!r}")
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError(f"{self.name}: no {key!r} within {timeout:g} s")
            self._seen.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._seen.wait(), min(left, 0.5))

    def cpu_s(self) -> float:
        return proc_cpu_s(self.proc.pid)

    async def finish(self, timeout: float = 15.0) -> dict[str, Any]:
        """Closes its stdin (the signal to stop), waits, and returns its last JSON line."""
        if self.proc.stdin is not None and not self.proc.stdin.is_closing():
            self.proc.stdin.close()
        try:
            await asyncio.wait_for(self.proc.wait(), timeout)
        except TimeoutError:
            self.proc.kill()
            await self.proc.wait()
        with contextlib.suppress(Exception):
            await asyncio.wait_for(self._reader, 2)
        return self.lines[-1] if self.lines else {}

    def kill(self) -> None:
        if self.proc.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                self.proc.kill()


def run_bench(
    name: str, work: Callable[[], Awaitable[T]], timeout: float, report: Callable[[T], None]
) -> int:
    """Runs `work()` on the app's qasync loop (hostdesk.ui.runner) and reports its result; an
    interruption (Ctrl+C, SIGTERM) or `timeout` seconds stop it without a report (exit 1)."""
    from hostdesk.ui.runner import run

    async def start(closed: asyncio.Future[None]) -> int:
        task = asyncio.ensure_future(work())
        done, _ = await asyncio.wait(
            {task, closed}, timeout=timeout, return_when=asyncio.FIRST_COMPLETED
        )
        if task not in done:
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)
            print(f"{name}: stopped (interrupted or over time)", file=sys.stderr)
            return 1
        report(task.result())
        return 0

    return run(start)


async def wait_until(condition: Any, timeout: float, what: str) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise TimeoutError(f"timed out after {timeout:g} s waiting for {what}")
        await asyncio.sleep(0.05)


def mean(values: Sequence[float]) -> float:
    return statistics.fmean(values) if values else float("nan")


# -- the host's desk: the real window on the real session -------------------------------------


@dataclass
class Desk:
    """HostSession + HostControl + MainWindow as hostdesk.app wires them (without the host's own
    camera and microphone: the window's capture is not started)."""

    backend: Any
    mirror: Any
    session: Any
    control: Any
    window: Any
    room: str = ""
    children: list[Child] = field(default_factory=list)
    helper_nice: int = 0
    helper_cpus: str = ""

    async def go_live(self, room: str) -> None:
        self.room = room
        await self.control.go_live(room, "Bench Host")

    async def bring_guest(self, name: str, *options: str) -> tuple[Child, str]:
        """A publisher process (`options` for bench/_publisher.py) joins as a viewer and is
        promoted by the host: on stage."""
        joined = await self.backend.service.join(self.room, name, "viewer")
        child = await Child.start(
            "_publisher.py",
            joined.ws_url,
            joined.token,
            *options,
            nice=self.helper_nice,
            cpus=self.helper_cpus,
        )
        self.children.append(child)
        await child.wait_line("connected", 30)
        await wait_until(lambda: self.mirror.get(joined.identity), 15, f"{name} in the mirror")
        await self.backend.service.promote(self.room, joined.identity, self.control.identity)
        await child.wait_line("published", 30)
        return child, joined.identity

    async def close(self) -> list[dict[str, Any]]:
        results = []
        for child in self.children:
            results.append(await child.finish())
        self.window.close()
        await self.window.bridge.aclose()
        await self.control.leave()
        return results

    def kill_children(self) -> None:
        for child in self.children:
            child.kill()


def open_desk(backend: Any) -> Desk:
    """The real window, with its video tiles replaced by `TimedVideoView` (a subclass)."""
    from hostdesk.host import HostControl
    from hostdesk.livekit.session import HostSession
    from hostdesk.show.mirror import ShowMirror
    from hostdesk.ui import stage_tile
    from hostdesk.ui.main_window import MainWindow

    stage_tile.VideoView = TimedVideoView  # type: ignore[misc]  # the window builds its tiles here
    mirror = ShowMirror()
    session = HostSession(mirror)
    control = HostControl(backend.service, session, mirror)
    window = MainWindow(control, session, backend, temp_prefs())
    window.show()
    return Desk(backend, mirror, session, control, window)


def machine_jiffies() -> tuple[int, int]:
    """(busy, total) jiffies of all cores, from /proc/stat."""
    fields = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = fields[3] + fields[4]  # idle + iowait
    total = sum(fields[:8])
    return total - idle, total


def machine_busy_pct(before: tuple[int, int], after: tuple[int, int]) -> float:
    """How busy the whole machine was between two readings, in % of all its cores."""
    busy, total = after[0] - before[0], after[1] - before[1]
    return 100 * busy / total if total else float("nan")


async def inbound_video(session: Any) -> dict[str, float]:
    """libwebrtc's counters for the video the host receives, summed over its tracks (read from
    the session's room; the app itself never asks for them)."""
    room = getattr(session, "_room", None)
    totals = {"received": 0.0, "decoded": 0.0, "dropped": 0.0, "decode_s": 0.0}
    if room is None:
        return totals
    stats = await room.get_rtc_stats()
    # With one peer connection (this SDK's default) the inbound streams are listed under
    # publisher_stats; look at both lists.
    for s in [*stats.publisher_stats, *stats.subscriber_stats]:
        if s.WhichOneof("stats") != "inbound_rtp" or s.inbound_rtp.stream.kind != "video":
            continue
        inbound = s.inbound_rtp.inbound
        totals["received"] += inbound.frames_received
        totals["decoded"] += inbound.frames_decoded
        totals["dropped"] += inbound.frames_dropped
        totals["decode_s"] += inbound.total_decode_time
    return totals


def others_pct(machine_pct: float, ours: float) -> float:
    """CPU used by processes outside this benchmark, in % of one core: the machine's busy share
    (of all cores) less what the app and the benchmark's helpers used."""
    return max(0.0, machine_pct * (os.cpu_count() or 1) - ours)
