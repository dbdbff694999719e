"""The signalling relay's cost: CPU of the HostDesk process per connected viewer and per message.

Runs `hostdesk serve --dev --no-auth --rate-limits off --port 0` as a real process on loopback
(its `--dev` livekit-server is its child) and connects N lightweight viewers at once, first
through HostDesk's relay (`ws://127.0.0.1:<api port>/rtc?...`), then, for the baseline, straight
to LiveKit's port (HostDesk then relays nothing). Each viewer takes a token from
`POST /api/rooms/join` (role viewer, one room per step) and opens the signalling websocket with
the query livekit-client 2.23 sends on its `/rtc` path (`access_token`, `auto_subscribe=1`,
`sdk=js`, `version`, `protocol=17`, `client_protocol=2`, `adaptive_stream=1`); it speaks
LiveKit's protobuf (`SignalRequest` / `SignalResponse`), reads the JoinResponse and then does
what livekit-client does while connected: every `ping_interval` seconds (from the JoinResponse)
it sends both a legacy `ping` and a `ping_req`, on a fixed schedule as `setInterval` keeps. It
answers nothing else: no WebRTC, so livekit-server v1.9.12 closes it (`leave`, JOIN_FAILURE)
60 s after its JoinResponse (seen: 60.0 s, pongs answered until then); every step ends inside
that (at most 56 s after the burst with the defaults), and counts the viewers the server closed.

Per step: the burst (all N websockets opened at once; time until every viewer has its
JoinResponse, per-viewer p50/p99), HostDesk's CPU seconds from the burst until the join traffic
is over (`--settle` s after the last viewer has its answer: LiveKit sends a batch of participant
updates at about 3 s and a room update at 5 s), then a window of `--seconds` s of steady
state: HostDesk's and livekit-server's CPU (psutil `cpu_times` user + system, each process
alone, / wall), HostDesk's RSS, the frames the viewers sent and received per second (each
crossed the relay once in relay mode), and HostDesk's established TCP connections to LiveKit's
port (the relay's upstream pairs). For `--chatty` viewers there is a second window of
`--chatty-seconds` with a ping every 0.1 s, for the relay's cost per message. An idle window
(no viewers) comes first, after one viewer each way has paid for the first connect's code paths.

Each relayed viewer holds one upstream connection; viewers the relay turns away (it once had a
pool of 100, see docs/benchmarks.md) are reported as refusals as they come.

    python bench/relay_cost.py [--seconds 20] [--viewers 50,100,200]

Loopback only; needs livekit-server (scripts/install-livekit-server.sh). The whole run takes
about 4 minutes with the defaults and stops every process it started.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import re
import signal
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import aiohttp
import psutil
from _harness import percentile, table
from livekit.protocol import models as proto_models
from livekit.protocol import rtc as proto_rtc

ROOT = Path(__file__).resolve().parent.parent
#: livekit-client 2.23's query on its `/rtc` (v0) path; livekit-server v1.9 answers 404 to its
#: first choice, `/rtc/v1`, so that is where a browser's signalling ends up.
CLIENT_QUERY = (
    "auto_subscribe=1&sdk=js&version=2.23.0&protocol=17&client_protocol=2&adaptive_stream=1"
)
#: livekit-server closes a participant whose media never connects this long after its join.
SERVER_GIVES_UP_S = 60.0
JOIN_TIMEOUT_S = 20.0
CHATTY_PING_S = 0.1
TOKEN_CONCURRENCY = 16


# -- numbers ----------------------------------------------------------------------------------


def machine_jiffies() -> tuple[int, int]:
    """(busy, total) jiffies of all cores, from /proc/stat."""
    fields = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = fields[3] + fields[4]  # idle + iowait
    total = sum(fields[:8])
    return total - idle, total


def cpu_s(proc: psutil.Process | None) -> float:
    """user + system CPU seconds of one process (its threads, not its children)."""
    if proc is None:
        return 0.0
    try:
        times = proc.cpu_times()
    except psutil.Error:
        return 0.0
    return times.user + times.system


# -- the server under test --------------------------------------------------------------------


class Server:
    """`hostdesk serve --dev` as a child process, and its livekit-server."""

    def __init__(self) -> None:
        self.proc: asyncio.subprocess.Process | None = None
        self.hostdesk: psutil.Process | None = None
        self.livekit: psutil.Process | None = None
        self.api_url = ""
        self.livekit_url = ""
        self.lines: list[str] = []
        self._drain: asyncio.Task[None] | None = None

    @property
    def relay_url(self) -> str:
        return "ws://" + self.api_url.removeprefix("http://")

    @property
    def livekit_port(self) -> int:
        return int(self.livekit_url.rsplit(":", 1)[1])

    async def start(self, timeout: float = 30.0) -> None:
        self.proc = await asyncio.create_subprocess_exec(
            *[sys.executable, "-m", "hostdesk", "serve", "--dev", "--no-auth"],
            *["--rate-limits", "off", "--port", "0"],
            cwd=ROOT,
            stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.STDOUT,
        )
        self.hostdesk = psutil.Process(self.proc.pid)
        assert self.proc.stdout is not None
        deadline = time.monotonic() + timeout
        while not self.api_url:
            left = deadline - time.monotonic()
            line = await asyncio.wait_for(self.proc.stdout.readline(), max(0.1, left))
            if not line:
                raise RuntimeError("hostdesk serve exited:\n" + "".join(self.lines[-20:]))
            text = line.decode(errors="replace")
            self.lines.append(text)
            if text.startswith("LiveKit: "):
                self.livekit_url = text.split()[1]
            if found := re.search(r"HostDesk API listening on (\S+)", text):
                self.api_url = found.group(1)
        self._drain = asyncio.ensure_future(self._keep_reading())
        children = self.hostdesk.children(recursive=True)
        self.livekit = next((c for c in children if "livekit" in c.name()), None)
        if self.livekit is None:
            raise RuntimeError("no livekit-server child of hostdesk serve")

    async def _keep_reading(self) -> None:
        """The child's output, kept (its last lines explain a failure) so the pipe never fills."""
        assert self.proc is not None and self.proc.stdout is not None
        while line := await self.proc.stdout.readline():
            self.lines.append(line.decode(errors="replace"))
            del self.lines[:-200]

    def upstream_connections(self) -> int:
        """HostDesk's established TCP connections to LiveKit's signalling port."""
        assert self.hostdesk is not None
        try:
            conns = self.hostdesk.net_connections(kind="tcp")
        except psutil.Error:
            return -1
        return sum(
            1
            for c in conns
            if c.status == psutil.CONN_ESTABLISHED and c.raddr and c.raddr.port == self.livekit_port
        )

    async def stop(self) -> None:
        """SIGTERM (hostdesk stops its livekit-server), then SIGKILL whatever is left."""
        proc = self.proc
        if proc is not None and proc.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                proc.send_signal(signal.SIGTERM)
            try:
                await asyncio.wait_for(proc.wait(), 15)
            except TimeoutError:
                with contextlib.suppress(ProcessLookupError):
                    proc.kill()
                await proc.wait()
        if self._drain is not None:
            self._drain.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._drain
        if self.livekit is not None and self.livekit.is_running():
            with contextlib.suppress(psutil.Error):
                self.livekit.kill()
                self.livekit.wait(5)


# -- the viewers ------------------------------------------------------------------------------


@dataclass
class Traffic:
    """Frames and bytes the viewers sent and received, and what the received ones were."""

    sent: int = 0
    received: int = 0
    bytes_sent: int = 0
    bytes_received: int = 0
    kinds: Counter[str] = field(default_factory=Counter)

    def snapshot(self) -> tuple[int, int, int, int]:
        return self.sent, self.received, self.bytes_sent, self.bytes_received


def _request(**message: object) -> bytes:
    return proto_rtc.SignalRequest(**message).SerializeToString()  # type: ignore[arg-type]


class Viewer:
    """One signalling client: JoinResponse, then pings as livekit-client sends them."""

    def __init__(self, token: str, traffic: Traffic) -> None:
        self.token = token
        self.traffic = traffic
        self.ws: aiohttp.ClientWebSocketResponse | None = None
        self.joined_after = float("nan")  # seconds from the burst's start to the JoinResponse
        self.error = ""
        self.failed_after = float("nan")  # seconds from the burst's start to the refusal
        self.closed_by_server = False
        self.ping_interval = 0.0
        self._tasks: list[asyncio.Task[None]] = []
        self._pinger: asyncio.Task[None] | None = None

    async def connect(self, session: aiohttp.ClientSession, base: str, t0: float) -> None:
        try:
            async with asyncio.timeout(JOIN_TIMEOUT_S):
                self.ws = await session.ws_connect(
                    f"{base}/rtc?access_token={self.token}&{CLIENT_QUERY}", max_msg_size=0
                )
                first = await self.ws.receive()
        except aiohttp.WSServerHandshakeError as exc:
            self.error = f"HTTP {exc.status}"
            self.failed_after = time.perf_counter() - t0
            return
        except (aiohttp.ClientError, TimeoutError, ConnectionError) as exc:
            self.error = type(exc).__name__
            self.failed_after = time.perf_counter() - t0
            return
        response = self._count(first)
        if response is None or response.WhichOneof("message") != "join":
            self.error = "no JoinResponse"
            return
        self.joined_after = time.perf_counter() - t0
        self.ping_interval = float(response.join.ping_interval)
        self._tasks.append(asyncio.ensure_future(self._read()))
        self.set_ping_interval(self.ping_interval)

    def _count(self, message: aiohttp.WSMessage) -> proto_rtc.SignalResponse | None:
        if message.type is not aiohttp.WSMsgType.BINARY:
            return None
        self.traffic.received += 1
        self.traffic.bytes_received += len(message.data)
        response = proto_rtc.SignalResponse()
        response.ParseFromString(message.data)
        self.traffic.kinds[response.WhichOneof("message") or "?"] += 1
        return response

    async def _read(self) -> None:
        assert self.ws is not None
        async for message in self.ws:
            response = self._count(message)
            if response is not None and response.WhichOneof("message") == "leave":
                self.closed_by_server = True
        self.closed_by_server = True

    def set_ping_interval(self, seconds: float) -> None:
        if self._pinger is not None:
            self._pinger.cancel()
        if seconds > 0:
            self._pinger = asyncio.ensure_future(self._ping(seconds))

    async def _ping(self, seconds: float) -> None:
        assert self.ws is not None
        loop = asyncio.get_running_loop()
        due = loop.time()
        with contextlib.suppress(ConnectionError, RuntimeError):
            while True:
                # a fixed schedule, as setInterval keeps: a late wake-up does not slow the rate
                due += seconds
                await asyncio.sleep(max(0.0, due - loop.time()))
                now = int(time.time() * 1000)
                # livekit-client sends both, "for compatibility to old and new server"
                for frame in (
                    _request(ping=now),
                    _request(ping_req=proto_rtc.Ping(timestamp=now, rtt=0)),
                ):
                    await self.ws.send_bytes(frame)
                    self.traffic.sent += 1
                    self.traffic.bytes_sent += len(frame)

    async def close(self) -> None:
        if self._pinger is not None:
            self._pinger.cancel()
        if self.ws is not None and not self.ws.closed:
            leave = proto_rtc.LeaveRequest(
                reason=proto_models.DisconnectReason.CLIENT_INITIATED,
                action=proto_rtc.LeaveRequest.Action.DISCONNECT,
            )
            with contextlib.suppress(ConnectionError, RuntimeError):
                await self.ws.send_bytes(_request(leave=leave))
                await self.ws.close()
        for task in [*self._tasks, *([self._pinger] if self._pinger else [])]:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task


async def fetch_tokens(
    session: aiohttp.ClientSession, api_url: str, room: str, n: int
) -> list[str]:
    gate = asyncio.Semaphore(TOKEN_CONCURRENCY)

    async def one(i: int) -> str:
        body = {"roomName": room, "participantName": f"Viewer {i}", "role": "viewer"}
        async with gate, session.post(f"{api_url}/api/rooms/join", json=body) as answer:
            answer.raise_for_status()
            return str((await answer.json())["token"])

    return await asyncio.gather(*(one(i) for i in range(n)))


# -- measuring --------------------------------------------------------------------------------


@dataclass
class Window:
    """CPU of HostDesk, livekit-server, this process and the machine over a span, and traffic."""

    server: Server
    traffic: Traffic
    wall0: float = 0.0
    hostdesk0: float = 0.0
    livekit0: float = 0.0
    self0: float = 0.0
    machine0: tuple[int, int] = (0, 0)
    traffic0: tuple[int, int, int, int] = (0, 0, 0, 0)
    wall: float = 0.0
    hostdesk: float = 0.0
    livekit: float = 0.0
    clients: float = 0.0
    machine_pct: float = 0.0
    frames: tuple[int, ...] = (0, 0, 0, 0)
    rss_mib: float = 0.0
    upstream: int = 0

    def start(self) -> Window:
        self.wall0 = time.perf_counter()
        self.hostdesk0 = cpu_s(self.server.hostdesk)
        self.livekit0 = cpu_s(self.server.livekit)
        self.self0 = time.process_time()
        self.machine0 = machine_jiffies()
        self.traffic0 = self.traffic.snapshot()
        return self

    def stop(self) -> Window:
        self.wall = time.perf_counter() - self.wall0
        self.hostdesk = cpu_s(self.server.hostdesk) - self.hostdesk0
        self.livekit = cpu_s(self.server.livekit) - self.livekit0
        self.clients = time.process_time() - self.self0
        busy, total = machine_jiffies()
        dt = total - self.machine0[1]
        self.machine_pct = 100 * (busy - self.machine0[0]) / dt if dt else float("nan")
        now = self.traffic.snapshot()
        self.frames = tuple(b - a for a, b in zip(self.traffic0, now, strict=True))
        assert self.server.hostdesk is not None
        self.rss_mib = self.server.hostdesk.memory_info().rss / 2**20
        return self

    def pct(self, seconds: float) -> float:
        return 100 * seconds / self.wall if self.wall else float("nan")

    @property
    def outside_pct(self) -> float:
        """CPU of processes that are not part of this run, in % of one core."""
        ours = self.pct(self.hostdesk + self.livekit + self.clients)
        return max(0.0, self.machine_pct * (os.cpu_count() or 1) - ours)

    @property
    def frames_per_s(self) -> float:
        return (self.frames[0] + self.frames[1]) / self.wall if self.wall else float("nan")


@dataclass
class Step:
    mode: str
    asked: int
    joined: int = 0
    errors: Counter[str] = field(default_factory=Counter)
    burst_s: float = float("nan")
    join_p50_ms: float = float("nan")
    join_p99_ms: float = float("nan")
    join_phase: Window | None = None
    steady: Window | None = None
    chatty: Window | None = None
    closed_by_server: int = 0
    failed_after_s: float = float("nan")
    kinds: Counter[str] = field(default_factory=Counter)


async def run_step(
    session: aiohttp.ClientSession,
    server: Server,
    mode: str,
    n: int,
    args: argparse.Namespace,
    windows: bool = True,
) -> Step:
    """N viewers at once in a new room; with `windows`, the join phase and the windows."""
    step = Step(mode, n)
    traffic = Traffic(kinds=step.kinds)
    tokens = await fetch_tokens(session, server.api_url, f"relay-bench-{mode}-{n}", n)
    viewers = [Viewer(token, traffic) for token in tokens]
    base = server.relay_url if mode == "relay" else server.livekit_url
    try:
        join_phase = Window(server, traffic).start()
        t0 = time.perf_counter()
        await asyncio.gather(*(v.connect(session, base, t0) for v in viewers))
        joined = [v.joined_after for v in viewers if not v.error]
        step.joined = len(joined)
        step.errors = Counter(v.error for v in viewers if v.error)
        failed = [v.failed_after for v in viewers if v.error]
        step.failed_after_s = max(failed, default=float("nan"))
        if joined:
            step.burst_s = max(joined)
            step.join_p50_ms = 1000 * percentile(joined, 50)
            step.join_p99_ms = 1000 * percentile(joined, 99)
        first_join = t0 + min(joined, default=0.0)
        if not windows:
            return step
        await asyncio.sleep(args.settle)
        step.join_phase = join_phase.stop()

        steady = Window(server, traffic).start()
        await asyncio.sleep(args.seconds / 2)
        upstream = server.upstream_connections()
        await asyncio.sleep(args.seconds / 2)
        step.steady = steady.stop()
        step.steady.upstream = upstream

        if n and n == args.chatty:
            for v in viewers:
                if not v.error:
                    v.set_ping_interval(CHATTY_PING_S)
            chatty = Window(server, traffic).start()
            await asyncio.sleep(args.chatty_seconds)
            step.chatty = chatty.stop()
            step.chatty.upstream = server.upstream_connections()
        step.closed_by_server = sum(1 for v in viewers if v.closed_by_server)
        if n and time.perf_counter() - first_join > SERVER_GIVES_UP_S:
            print(f"  note: {mode} {n}: the step outlasted LiveKit's {SERVER_GIVES_UP_S:g} s")
    finally:
        await asyncio.gather(*(v.close() for v in viewers))
    return step


# -- report -----------------------------------------------------------------------------------


def report(idle: Window, steps: list[Step], args: argparse.Namespace) -> None:
    print(
        f"\nIdle (no viewers, {idle.wall:.1f} s): HostDesk {idle.pct(idle.hostdesk):.2f} % of a "
        f"core, livekit-server {idle.pct(idle.livekit):.2f} %, HostDesk RSS {idle.rss_mib:.1f} "
        f"MiB, outside load {idle.outside_pct:.0f} % of a core"
    )

    print("\nBurst: all N websockets opened at once (JoinResponse per viewer)")
    rows = []
    for s in steps:
        assert s.join_phase is not None
        errors = ", ".join(f"{k} x{v}" for k, v in s.errors.items()) or "-"
        if s.errors:
            errors += f" after {s.failed_after_s:.1f} s"
        rows.append(
            [
                s.mode,
                s.asked,
                s.joined,
                errors,
                s.burst_s * 1000,
                s.join_p50_ms,
                s.join_p99_ms,
                s.join_phase.hostdesk,
                s.join_phase.livekit,
                (s.join_phase.frames[1]),
                s.join_phase.frames[3] / 2**20,
            ]
        )
    print(
        table(
            [
                "mode",
                "N",
                "joined",
                "failed",
                "all joined ms",
                "p50 ms",
                "p99 ms",
                "HostDesk CPU s",
                "livekit CPU s",
                "frames down",
                "MiB down",
            ],
            rows,
        )
    )
    print(f"(CPU and frames from the burst to {args.settle:g} s after the last answer)")

    print(f"\nSteady state, {args.seconds:g} s window (pings every ping_interval)")
    rows = []
    direct = {s.asked: s for s in steps if s.mode == "direct"}
    for s in steps:
        w = s.steady
        assert w is not None
        base = direct.get(s.asked)
        extra = float("nan")
        if s.mode == "relay" and base is not None and base.steady is not None:
            extra = w.pct(w.hostdesk) - base.steady.pct(base.steady.hostdesk)
        rows.append(
            [
                s.mode,
                s.asked,
                s.joined,
                w.upstream,
                w.pct(w.hostdesk),
                extra,
                w.pct(w.livekit),
                w.rss_mib,
                w.frames[0] / w.wall,
                w.frames[1] / w.wall,
                w.frames_per_s,
                w.pct(w.clients),
                w.outside_pct,
                s.closed_by_server,
            ]
        )
    print(
        table(
            [
                "mode",
                "N",
                "joined",
                "upstream",
                "HostDesk %",
                "relay %",
                "livekit %",
                "RSS MiB",
                "up /s",
                "down /s",
                "frames /s",
                "clients %",
                "outside %",
                "closed",
            ],
            rows,
        )
    )
    print(
        "(% of one core; 'relay %' = HostDesk relay - HostDesk direct at the same N; 'upstream' ="
        " HostDesk's TCP connections to LiveKit; 'closed' = viewers LiveKit closed in the step)"
    )

    chatty = [s for s in steps if s.chatty is not None]
    if chatty:
        print(
            f"\nChatty: {args.chatty} viewers pinging every {CHATTY_PING_S:g} s "
            f"({args.chatty_seconds:g} s window)"
        )
        rows = []
        for s in chatty:
            w = s.chatty
            assert w is not None
            rows.append(
                [
                    s.mode,
                    s.joined,
                    w.pct(w.hostdesk),
                    w.pct(w.livekit),
                    w.frames[0] / w.wall,
                    w.frames[1] / w.wall,
                    w.frames_per_s,
                    w.pct(w.clients),
                    w.outside_pct,
                    w.rss_mib,
                ]
            )
        headers = ["mode", "joined", "HostDesk %", "livekit %", "up /s", "down /s", "frames /s"]
        print(table([*headers, "clients %", "outside %", "RSS MiB"], rows))
        by_mode = {s.mode: s.chatty for s in chatty}
        relay, base = by_mode.get("relay"), by_mode.get("direct")
        if relay is not None and base is not None:
            extra_s = relay.hostdesk - base.hostdesk * relay.wall / base.wall
            frames = relay.frames[0] + relay.frames[1]
            if frames:
                print(f"relay's CPU per relayed frame: {1e6 * extra_s / frames:.1f} µs")

    print("\nRelay cost per 100 connected viewers (steady state)")
    for s in steps:
        base = direct.get(s.asked)
        if s.mode != "relay" or base is None or not s.joined or s.steady is None:
            continue
        assert base.steady is not None
        extra = s.steady.pct(s.steady.hostdesk) - base.steady.pct(base.steady.hostdesk)
        print(
            f"  N={s.asked} ({s.joined} relayed): {100 * extra / s.joined:.2f} % of a core per "
            f"100 viewers, {s.steady.frames_per_s:.0f} frames/s relayed"
        )
    kinds: Counter[str] = Counter()
    for s in steps:
        kinds.update(s.kinds)
    received = ", ".join(f"{k} {v}" for k, v in kinds.most_common()) or "-"
    print(f"\nWhat the viewers received (all steps): {received}")


# -- main -------------------------------------------------------------------------------------


async def run(args: argparse.Namespace) -> int:
    server = Server()
    steps: list[Step] = []
    started = time.perf_counter()
    # No pool limit of our own: every viewer needs its own connection, held for the step.
    connector = aiohttp.TCPConnector(limit=0)
    async with aiohttp.ClientSession(connector=connector) as session:
        try:
            await server.start()
            print(f"hostdesk serve pid {server.proc.pid if server.proc else '?'}: ", end="")
            print(f"API {server.api_url}, LiveKit {server.livekit_url}")
            for mode in ("relay", "direct"):  # the first connect pays for code paths once
                warm = await run_step(session, server, mode, 1, args, windows=False)
                print(f"first {mode} connect (cold): {warm.burst_s * 1000:.0f} ms")
            await asyncio.sleep(2)  # let start-up work finish
            idle = Window(server, Traffic()).start()
            await asyncio.sleep(args.seconds)
            idle.stop()
            print(f"idle: HostDesk {idle.pct(idle.hostdesk):.2f} % of a core")
            for n in args.viewers:
                for mode in ("relay", "direct"):
                    step = await run_step(session, server, mode, n, args)
                    steps.append(step)
                    assert step.steady is not None
                    print(
                        f"{mode:6} N={n:4d}: joined {step.joined}, all in "
                        f"{step.burst_s * 1000:.0f} ms, HostDesk "
                        f"{step.steady.pct(step.steady.hostdesk):.2f} % of a core, "
                        f"{step.steady.frames_per_s:.0f} frames/s"
                        + (f", failed {dict(step.errors)}" if step.errors else "")
                    )
                    await asyncio.sleep(1)  # LiveKit forgets the room's participants
        finally:
            await server.stop()
    report(idle, steps, args)
    print(f"\nwhole run: {time.perf_counter() - started:.0f} s")
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--seconds", type=float, default=20.0, help="steady window per step")
    parser.add_argument(
        "--viewers",
        type=lambda text: [int(x) for x in text.split(",") if x],
        default=[50, 100, 200],
        help="viewer counts, comma-separated (default 50,100,200)",
    )
    parser.add_argument("--settle", type=float, default=6.0, help="join phase after the burst")
    parser.add_argument("--chatty", type=int, default=100, help="viewers of the chatty window")
    parser.add_argument("--chatty-seconds", type=float, default=10.0)
    args = parser.parse_args()
    longest = JOIN_TIMEOUT_S + args.settle + args.seconds + args.chatty_seconds
    if longest >= SERVER_GIVES_UP_S:
        parser.error(
            f"a step would last up to {longest:g} s; LiveKit closes these viewers after "
            f"{SERVER_GIVES_UP_S:g} s (shorten --seconds, --settle or --chatty-seconds)"
        )
    return asyncio.run(run(args))


if __name__ == "__main__":
    raise SystemExit(main())
