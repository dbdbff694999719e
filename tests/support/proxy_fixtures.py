"""A real reverse proxy in front of HostDesk: Debian's nginx, as docs/reaching-viewers.md
configures it.

``reverse_proxy(listen_ip)`` (per test): an :class:`Nginx` that will listen on
``https://<listen_ip>:<a free port>`` with a self-signed certificate made for that address
(``.certificate``; a browser trusts it by ``.certificate.spki_sha256_b64``). The port is known
before nginx starts, so HostDesk can be started with ``public_url=proxy.url`` first;
``await proxy.start(upstream_port)`` then runs nginx, proxying to ``http://127.0.0.1:<upstream>``
with the docs' ``location /`` block verbatim (websocket upgrade, ``X-Forwarded-For``).

nginx runs as a child process of the test (``daemon off``) with its own config, pid file, logs
and temp folders under the test's tmp folder: a system nginx (Debian's package starts one on
port 80 where systemd runs) neither conflicts with it nor is touched. ``.access()`` reads what
it forwarded, one :class:`Forwarded` per request. A missing nginx fails the test with how to
install it; nothing is skipped.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import socket
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import NoReturn

import pytest
import pytest_asyncio

from hostdesk.tls import Certificate, machine_certificate

__all__ = ["NGINX", "Forwarded", "NewProxy", "Nginx", "reverse_proxy"]

NGINX = "/usr/sbin/nginx"

# The docs' example (docs/reaching-viewers.md, "A reverse proxy"), with the upstream's port.
_LOCATION = """\
        location / {{
            proxy_pass http://127.0.0.1:{upstream};
            proxy_http_version 1.1;
            proxy_set_header Upgrade $http_upgrade;
            proxy_set_header Connection $http_connection;
            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
            proxy_read_timeout 1h;
        }}
"""

_CONFIG = """\
{user}worker_processes 1;
daemon off;
pid {folder}/nginx.pid;
error_log {folder}/error.log info;
events {{
    worker_connections 512;
}}
http {{
    log_format forwarded '$remote_addr $request_method $uri $status';
    access_log {folder}/access.log forwarded;
    client_body_temp_path {folder}/temp/body;
    proxy_temp_path {folder}/temp/proxy;
    fastcgi_temp_path {folder}/temp/fastcgi;
    uwsgi_temp_path {folder}/temp/uwsgi;
    scgi_temp_path {folder}/temp/scgi;
    server {{
        listen {listen}:{port} ssl;
        server_name {listen};
        ssl_certificate     {cert};
        ssl_certificate_key {key};
        ssl_protocols TLSv1.2 TLSv1.3;
{location}    }}
}}
"""


def _fail(message: str) -> NoReturn:
    pytest.fail(message, pytrace=False)


def _free_tcp_port(ip: str) -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((ip, 0))
        port: int = sock.getsockname()[1]
        return port


@dataclass(frozen=True)
class Forwarded:
    """One request nginx forwarded, from its access log."""

    client: str
    method: str
    path: str
    status: int


@dataclass
class Nginx:
    """nginx terminating TLS on ``listen_ip:port`` for HostDesk on loopback."""

    listen_ip: str
    port: int
    folder: Path
    certificate: Certificate
    _proc: asyncio.subprocess.Process | None = field(default=None, repr=False)

    @property
    def url(self) -> str:
        return f"https://{self.listen_ip}:{self.port}"

    @property
    def error_log(self) -> Path:
        return self.folder / "error.log"

    def config(self, upstream: int) -> str:
        return _CONFIG.format(
            # As root, workers would switch to `nobody`, who cannot write pytest's tmp folders.
            user="user root;\n" if os.geteuid() == 0 else "",
            folder=self.folder,
            listen=self.listen_ip,
            port=self.port,
            cert=self.certificate.cert_path,
            key=self.certificate.key_path,
            location=_LOCATION.format(upstream=upstream),
        )

    def _log_tail(self) -> str:
        try:
            return self.error_log.read_text(errors="replace")[-3000:]
        except OSError as exc:
            return f"(no error log: {exc})"

    async def start(self, upstream: int, timeout: float = 10.0) -> None:
        """Runs nginx proxying to ``http://127.0.0.1:<upstream>``; returns once it accepts
        connections."""
        (self.folder / "temp").mkdir(parents=True, exist_ok=True)
        conf = self.folder / "nginx.conf"
        conf.write_text(self.config(upstream))
        with (self.folder / "stderr.log").open("ab") as stderr:
            self._proc = await asyncio.create_subprocess_exec(
                NGINX,
                "-p",
                str(self.folder),
                "-c",
                str(conf),
                "-e",
                str(self.error_log),
                stdin=asyncio.subprocess.DEVNULL,
                stdout=stderr,
                stderr=stderr,
                start_new_session=True,  # its workers are in its process group: stop() ends both
            )
        deadline = time.monotonic() + timeout
        while True:
            if self._proc.returncode is not None:
                raise RuntimeError(
                    f"nginx exited with code {self._proc.returncode} while starting "
                    f"(config {conf}); its error log:\n{self._log_tail()}"
                )
            try:
                _, writer = await asyncio.open_connection(self.listen_ip, self.port)
            except OSError:
                if time.monotonic() > deadline:
                    await self.stop()
                    raise RuntimeError(
                        f"nginx did not accept connections on {self.listen_ip}:{self.port} "
                        f"within {timeout:g} s; its error log:\n{self._log_tail()}"
                    ) from None
                await asyncio.sleep(0.05)
                continue
            writer.close()
            with contextlib.suppress(OSError):
                await writer.wait_closed()
            return

    async def stop(self) -> None:
        """SIGTERM (nginx's fast shutdown), then SIGKILL to its process group. Idempotent."""
        proc, self._proc = self._proc, None
        if proc is None:
            return
        if proc.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                proc.terminate()
            try:
                await asyncio.wait_for(proc.wait(), 5.0)
            except TimeoutError:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(proc.pid, signal.SIGKILL)
                await proc.wait()

    def access(self) -> list[Forwarded]:
        """Every request nginx answered so far, oldest first."""
        log = self.folder / "access.log"
        if not log.exists():
            return []
        entries = []
        for line in log.read_text().splitlines():
            client, method, rest = line.split(" ", 2)
            path, status = rest.rsplit(" ", 1)
            entries.append(Forwarded(client, method, path, int(status)))
        return entries


NewProxy = Callable[[str], Nginx]


@pytest_asyncio.fixture(loop_scope="session")
async def reverse_proxy(tmp_path: Path) -> AsyncIterator[NewProxy]:
    """`proxy = reverse_proxy(listen_ip)`, then `await proxy.start(upstream_port)`."""
    if not Path(NGINX).exists():
        _fail(
            f"{NGINX} not found: the reverse-proxy tests run Debian's nginx. "
            "Install it with `apt-get install nginx`."
        )
    made: list[Nginx] = []

    def new(listen_ip: str) -> Nginx:
        folder = tmp_path / f"nginx{len(made)}"
        certificate = machine_certificate(folder / "tls", [listen_ip])
        proxy = Nginx(listen_ip, _free_tcp_port(listen_ip), folder, certificate)
        made.append(proxy)
        return proxy

    try:
        yield new
    finally:
        for proxy in made:
            await proxy.stop()
