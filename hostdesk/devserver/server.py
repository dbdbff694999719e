"""A local livekit-server as a child process (``--dev`` mode and integration tests).

The server is started with a generated config that keeps it on one address: it listens only on
``ip``, announces only ``ip`` as its ICE candidate, never looks up its external address and tells
clients to use a STUN server on ``ip`` itself (nothing listens there), so neither it nor its
clients ever contact public STUN servers. ``netns`` runs it inside a network namespace
(``ip netns exec``), which is how the tests give it an address that libwebrtc will use (libwebrtc
ignores loopback interfaces when it gathers ICE candidates).
"""

from __future__ import annotations

import asyncio
import atexit
import contextlib
import json
import os
import secrets
import shutil
import signal
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from types import TracebackType
from typing import Any

import aiohttp

from hostdesk.devserver.binary import find_livekit_server
from hostdesk.devserver.credentials import LiveKitCredentials
from hostdesk.devserver.ports import free_ports, usable

_LOG_TAIL_BYTES = 4000


# livekit-server reads these (and LIVEKIT_<any config key>) from the environment, over the
# config file; LIVEKIT_CONFIG even replaces the file. The child gets none of them.
_SERVER_ENV_VARS = frozenset({"NODE_IP", "UDP_PORT", "REDIS_HOST", "REDIS_PASSWORD"})


def _server_env() -> dict[str, str]:
    return {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("LIVEKIT_") and k not in _SERVER_ENV_VARS
    }


def _is_loopback(ip: str) -> bool:
    return ip == "::1" or ip.startswith("127.")


def _host_in_url(ip: str) -> str:
    return f"[{ip}]" if ":" in ip else ip


# Processes still running at interpreter exit are terminated (a test run or app that crashed
# before calling stop() must not leave a server behind).
_live_pids: set[int] = set()


@atexit.register
def _kill_leftovers() -> None:
    for pid in list(_live_pids):
        with contextlib.suppress(OSError):
            os.kill(pid, signal.SIGKILL)
    _live_pids.clear()


class LocalLiveKitServer:
    """A livekit-server child process on one address, with a generated config.

    Ports and keys are chosen once, in the constructor, and kept across :meth:`restart`, so
    the credentials stay valid while the server forgets its rooms.
    """

    def __init__(
        self,
        binary: Path | None = None,
        *,
        ip: str = "127.0.0.1",
        netns: str | None = None,
        api_key: str | None = None,
        api_secret: str | None = None,
        http_port: int | None = None,
        log_path: Path | None = None,
        announce: Sequence[str] = (),
        external_ip: str = "",
        preferred_ports: tuple[int, int, int] | None = None,
    ) -> None:
        self.binary = binary if binary is not None else find_livekit_server()
        self.ip = ip
        self.netns = netns
        #: the addresses announced for media (ICE); empty: `ip` itself
        self.announce: tuple[str, ...] = tuple(announce)
        #: the address told to clients instead, when media reaches us through NAT
        self.external_ip = external_ip
        # Inside a namespace of our own every port is free; outside, pick ports free on ip.
        probe_host = "127.0.0.1" if netns is not None else ip
        taken = {http_port} if http_port is not None else set()
        ports = [p for p in free_ports(probe_host, 3 + len(taken)) if p not in taken][:3]
        if preferred_ports is not None:
            # Fixed ports are what a host can write into a firewall rule: use them when free.
            ports = [
                want if want not in ports and usable(probe_host, want) else got
                for want, got in zip(preferred_ports, ports, strict=True)
            ]
        self.http_port = http_port if http_port is not None else ports[0]
        self.rtc_tcp_port = ports[1]
        self.rtc_udp_port = ports[2]
        key = api_key if api_key is not None else "HD" + secrets.token_hex(8)
        secret = api_secret if api_secret is not None else secrets.token_urlsafe(36)
        if len(secret) < 32:
            raise ValueError("livekit-server wants an API secret of at least 32 characters")
        self.credentials = LiveKitCredentials(
            url=f"ws://{_host_in_url(ip)}:{self.http_port}", api_key=key, api_secret=secret
        )
        # Holds the generated config (and the log unless log_path is given).
        self._workdir = Path(tempfile.mkdtemp(prefix="hostdesk-livekit-"))
        self.config_path = self._workdir / "livekit.yaml"
        self.log_path = log_path if log_path is not None else self._workdir / "livekit.log"
        self._proc: asyncio.subprocess.Process | None = None
        self._log_offset = 0

    # ----------------------------------------------------------------- config

    def config(self) -> dict[str, Any]:
        """The livekit-server config this instance runs with (written as YAML).

        Signalling listens on `ip` only (HostDesk relays it to viewers); media is announced on
        `announce` (default `ip`). livekit-server binds its RTC UDP port on each announced
        address and its RTC TCP port on every address."""
        media = self.announce or (self.ip,)
        loopback = any(_is_loopback(a) for a in media)
        rtc: dict[str, Any] = {}
        # livekit-server rewrites every IPv4 host candidate to node_ip: set it for one address
        # (or the NAT's public one) only, else viewers are offered just the first address.
        if self.external_ip or len(media) == 1:
            rtc["node_ip"] = self.external_ip or media[0]
        return {
            "port": self.http_port,
            "bind_addresses": [self.ip],
            "keys": {self.credentials.api_key: self.credentials.api_secret},
            "log_level": "info",
            "rtc": {
                "udp_port": self.rtc_udp_port,
                "tcp_port": self.rtc_tcp_port,
                # Announce ip and nothing else; never ask a STUN server for our address.
                "use_external_ip": False,
                **rtc,
                "enable_loopback_candidate": loopback,
                "ips": {"includes": [f"{a}/{128 if ':' in a else 32}" for a in media]},
                "use_mdns": False,
                # Handed to clients as their ICE servers; without it they are told to use
                # public STUN servers. Nothing listens there: a local host candidate is enough.
                "stun_servers": [f"{_host_in_url(media[0])}:3478"],
            },
            "turn": {"enabled": False},
            # livekit-client 2.x always opens a data-track channel; without this v1.9 closes it
            # and every client logs an error.
            "enable_data_tracks": True,
        }

    def _write_config(self) -> None:
        # JSON is YAML: no YAML library needed.
        self.config_path.write_text(json.dumps(self.config(), indent=2) + "\n")

    def _command(self) -> list[str]:
        cmd = [str(self.binary), "--config", str(self.config_path)]
        if self.netns is not None:
            ip_tool = shutil.which("ip") or shutil.which("ip", path="/usr/sbin:/sbin") or "ip"
            cmd = [ip_tool, "netns", "exec", self.netns, *cmd]
        return cmd

    # ------------------------------------------------------------- lifecycle

    @property
    def running(self) -> bool:
        return self._proc is not None and self._proc.returncode is None

    @property
    def pid(self) -> int | None:
        return self._proc.pid if self.running and self._proc is not None else None

    def log_tail(self, max_bytes: int = _LOG_TAIL_BYTES) -> str:
        """The end of what the server logged since its last start."""
        try:
            with self.log_path.open("rb") as f:
                f.seek(0, os.SEEK_END)
                end = f.tell()
                f.seek(max(self._log_offset, end - max_bytes))
                return f.read().decode("utf-8", "replace")
        except OSError as exc:
            return f"(no log: {exc})"

    async def start(self, timeout: float = 30.0) -> None:
        """Start the server and wait until its HTTP endpoint answers 200."""
        if self.running:
            return
        self._workdir.mkdir(parents=True, exist_ok=True)
        self._write_config()
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        with self.log_path.open("ab") as log:
            self._log_offset = log.tell()
            log.write(f"--- hostdesk: starting {' '.join(self._command())}\n".encode())
            log.flush()
            self._proc = await asyncio.create_subprocess_exec(
                *self._command(),
                stdin=asyncio.subprocess.DEVNULL,
                env=_server_env(),
                stdout=log,
                stderr=asyncio.subprocess.STDOUT,
                start_new_session=True,  # our stop(), not the terminal's Ctrl+C, ends it
            )
        _live_pids.add(self._proc.pid)
        try:
            await self._wait_ready(timeout)
        except BaseException:
            await self.stop()
            raise

    async def _wait_ready(self, timeout: float) -> None:
        assert self._proc is not None
        url = self.credentials.http_url + "/"
        deadline = time.monotonic() + timeout
        last = "no answer yet"
        per_try = aiohttp.ClientTimeout(total=1.0)
        async with aiohttp.ClientSession(timeout=per_try) as session:
            while True:
                if self._proc.returncode is not None:
                    raise RuntimeError(
                        f"livekit-server exited with code {self._proc.returncode} while "
                        f"starting ({' '.join(self._command())}); log {self.log_path}:\n"
                        f"{self.log_tail()}"
                    )
                try:
                    async with session.get(url) as resp:
                        if resp.status == 200:
                            return
                        last = f"HTTP {resp.status}"
                except (aiohttp.ClientError, TimeoutError) as exc:
                    last = f"{type(exc).__name__}: {exc}"
                if time.monotonic() >= deadline:
                    raise RuntimeError(
                        f"livekit-server did not answer 200 on {url} within {timeout:g} s "
                        f"(last: {last}); log {self.log_path}:\n{self.log_tail()}"
                    )
                await asyncio.sleep(0.1)

    async def stop(self) -> None:
        """Stop the server: SIGTERM, up to 5 s of grace, then SIGKILL. Idempotent.

        livekit-server treats a first SIGTERM as "drain": it waits for every participant to
        leave (and one sent in the first moments after start is ignored). A second one forces the
        shutdown, so it gets one after half a second.
        """
        proc = self._proc
        if proc is None:
            return
        try:
            if proc.returncode is None:
                for delay in (0.5, 4.5):
                    with contextlib.suppress(ProcessLookupError):
                        proc.send_signal(signal.SIGTERM)
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(asyncio.shield(proc.wait()), delay)
                        break
                else:
                    with contextlib.suppress(ProcessLookupError):
                        proc.kill()
            await proc.wait()
        finally:
            _live_pids.discard(proc.pid)
            if self._proc is proc:
                self._proc = None
            # The temp dir holds only the config unless the log is kept there too.
            if not self.log_path.is_relative_to(self._workdir):
                shutil.rmtree(self._workdir, ignore_errors=True)

    async def kill(self) -> None:
        """SIGKILL the server, as a crash would (clients are not told; they try to resume).

        :meth:`start` brings it back on the same ports and keys.
        """
        proc = self._proc
        if proc is None:
            return
        if proc.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                proc.kill()
        await self.stop()

    async def restart(self) -> None:
        """Stop and start again on the same ports and keys; the server forgets its rooms."""
        await self.stop()
        await self.start()

    async def __aenter__(self) -> LocalLiveKitServer:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.stop()

    def __repr__(self) -> str:
        where = f" in netns {self.netns}" if self.netns else ""
        state = "running" if self.running else "stopped"
        return f"<LocalLiveKitServer {self.credentials.url}{where} {state}>"
