"""A real RTMP server for the program's destinations: Debian's nginx with libnginx-mod-rtmp.

``rtmp_servers(accepted_key=None)`` (per test) makes an :class:`RtmpServer` on a free loopback
port; ``.start()`` runs nginx (``daemon off``) with its own config, pid file, logs and temp
folders under the test's tmp folder, ``.stop()`` ends it, and ``.start()`` again brings it back
on the same port. Its application ``live`` records every stream it receives (``record all``,
one FLV per publish, named after the stream key and the time) for the test to read back.
With ``accepted_key``, nginx asks its own HTTP server (``on_publish``) and refuses any other key,
as YouTube or Twitch do. A missing nginx or RTMP module fails the test with how to install it;
nothing is skipped.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import NoReturn

import pytest

from hostdesk.tls import Certificate, machine_certificate

__all__ = ["NGINX", "RTMP_MODULE", "STREAM_MODULE", "NewRtmpServer", "RtmpServer", "rtmp_servers"]

NGINX = "/usr/sbin/nginx"
RTMP_MODULE = "/usr/lib/nginx/modules/ngx_rtmp_module.so"
STREAM_MODULE = "/usr/lib/nginx/modules/ngx_stream_module.so"

# rtmps:// as YouTube and Facebook serve it: TLS in front of the RTMP server (nginx's stream
# module terminating TLS with a certificate made for 127.0.0.1).
_TLS = """\
stream {{
    server {{
        listen 127.0.0.1:{tls_port} ssl;
        ssl_certificate     {cert};
        ssl_certificate_key {key};
        proxy_pass 127.0.0.1:{port};
    }}
}}
"""

_CONFIG = """\
load_module {module};
{stream_module}{user}worker_processes 1;
daemon off;
pid {folder}/nginx.pid;
error_log {folder}/error.log info;
events {{
    worker_connections 64;
}}
http {{
    access_log off;
    client_body_temp_path {folder}/temp/body;
    proxy_temp_path {folder}/temp/proxy;
    fastcgi_temp_path {folder}/temp/fastcgi;
    uwsgi_temp_path {folder}/temp/uwsgi;
    scgi_temp_path {folder}/temp/scgi;
    server {{
        listen 127.0.0.1:{http_port};
        location /publish {{
            if ($arg_name = "{accepted_key}") {{
                return 204;
            }}
            return 403;
        }}
    }}
}}
rtmp {{
    server {{
        listen 127.0.0.1:{port};
        application live {{
            live on;
            record all;
            record_path {folder}/recordings;
            record_unique on;
{on_publish}        }}
    }}
}}
{tls}"""


def _fail(message: str) -> NoReturn:
    pytest.fail(message, pytrace=False)


def _free_tcp_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@dataclass
class RtmpServer:
    folder: Path
    port: int
    http_port: int
    accepted_key: str | None = None
    certificate: Certificate | None = None  # with one, rtmps:// on tls_port too
    tls_port: int = 0
    _proc: subprocess.Popen[bytes] | None = field(default=None, repr=False)

    @property
    def url(self) -> str:
        """The server's URL without a stream key, as a service shows it."""
        return f"rtmp://127.0.0.1:{self.port}/live"

    @property
    def tls_url(self) -> str:
        assert self.certificate is not None, "made with rtmp_servers(tls=True)"
        return f"rtmps://127.0.0.1:{self.tls_port}/live"

    @property
    def error_log(self) -> Path:
        return self.folder / "error.log"

    def config(self) -> str:
        on_publish = ""
        if self.accepted_key is not None:
            on_publish = (
                "            notify_method get;\n"
                f"            on_publish http://127.0.0.1:{self.http_port}/publish;\n"
            )
        tls = ""
        if self.certificate is not None:
            tls = _TLS.format(
                tls_port=self.tls_port,
                port=self.port,
                cert=self.certificate.cert_path,
                key=self.certificate.key_path,
            )
        return _CONFIG.format(
            module=RTMP_MODULE,
            stream_module=f"load_module {STREAM_MODULE};\n" if tls else "",
            tls=tls,
            # As root, workers would switch to `nobody`, who cannot write pytest's tmp folders.
            user="user root;\n" if os.geteuid() == 0 else "",
            folder=self.folder,
            port=self.port,
            http_port=self.http_port,
            accepted_key=self.accepted_key or "",
            on_publish=on_publish,
        )

    def _log_tail(self) -> str:
        try:
            return self.error_log.read_text(errors="replace")[-3000:]
        except OSError as exc:
            return f"(no error log: {exc})"

    def start(self, timeout: float = 10.0) -> None:
        """Runs nginx; returns once it accepts RTMP connections."""
        (self.folder / "temp").mkdir(parents=True, exist_ok=True)
        (self.folder / "recordings").mkdir(exist_ok=True)
        conf = self.folder / "nginx.conf"
        conf.write_text(self.config())
        with (self.folder / "stderr.log").open("ab") as stderr:
            self._proc = subprocess.Popen(
                [NGINX, "-p", str(self.folder), "-c", str(conf), "-e", str(self.error_log)],
                stdin=subprocess.DEVNULL,
                stdout=stderr,
                stderr=stderr,
                start_new_session=True,  # its workers are in its process group: stop() ends both
            )
        deadline = time.monotonic() + timeout
        while True:
            if self._proc.poll() is not None:
                raise RuntimeError(
                    f"nginx exited with code {self._proc.returncode} while starting "
                    f"(config {conf}); its error log:\n{self._log_tail()}"
                )
            try:
                socket.create_connection(("127.0.0.1", self.port), 0.5).close()
            except OSError:
                if time.monotonic() > deadline:
                    self.stop()
                    raise RuntimeError(
                        f"nginx did not accept RTMP connections on 127.0.0.1:{self.port} "
                        f"within {timeout:g} s; its error log:\n{self._log_tail()}"
                    ) from None
                time.sleep(0.05)
                continue
            return

    def stop(self) -> None:
        """SIGTERM (nginx's fast shutdown: its connections close), then SIGKILL to its
        process group. Idempotent."""
        proc, self._proc = self._proc, None
        if proc is None:
            return
        if proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                proc.terminate()
            try:
                proc.wait(5.0)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()

    def recordings(self, key: str) -> list[Path]:
        """The FLV files nginx recorded for streams published with `key`, oldest first."""
        return sorted((self.folder / "recordings").glob(f"{key}-*.flv"))


NewRtmpServer = Callable[..., RtmpServer]


@pytest.fixture
def rtmp_servers(tmp_path: Path) -> Iterator[NewRtmpServer]:
    """`server = rtmp_servers()` (or `rtmp_servers(accepted_key="k")`), then `server.start()`."""
    if not Path(NGINX).exists():
        _fail(
            f"{NGINX} not found: the program's streaming tests run Debian's nginx with its RTMP "
            "module. Install them with `apt-get install nginx libnginx-mod-rtmp`."
        )
    if not Path(RTMP_MODULE).exists():
        _fail(
            f"{RTMP_MODULE} not found: the program's streaming tests need nginx's RTMP module. "
            "Install it with `apt-get install libnginx-mod-rtmp`."
        )
    made: list[RtmpServer] = []

    def new(accepted_key: str | None = None, tls: bool = False) -> RtmpServer:
        folder = tmp_path / f"rtmp{len(made)}"
        certificate = None
        if tls:
            if not Path(STREAM_MODULE).exists():
                _fail(
                    f"{STREAM_MODULE} not found: the rtmps:// test puts nginx's stream module "
                    "(TLS) in front of its RTMP server. "
                    "Install it with `apt-get install libnginx-mod-stream`."
                )
            certificate = machine_certificate(folder / "tls", ["127.0.0.1"])
        server = RtmpServer(
            folder,
            _free_tcp_port(),
            _free_tcp_port(),
            accepted_key,
            certificate,
            _free_tcp_port() if tls else 0,
        )
        made.append(server)
        return server

    try:
        yield new
    finally:
        for server in made:
            server.stop()
