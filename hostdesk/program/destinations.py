"""The program streamed to an RTMP or RTMPS server (YouTube, Twitch, a custom server).

A destination is its own connection: when it cannot connect or drops, it is retried with
backoff (1, 2, 4, 8, then every 15 s) and nothing else waits for it. The stream key is part of
the URL FFmpeg connects to and nothing else: never logged, never in an error message.

FFmpeg opens an output's connection without a timeout and without a way to interrupt it, so
the server is first reached from Python with one (TCP, TLS for rtmps://, and RTMP's first
exchange): a closed port, a host that does not answer, a server that does not speak TLS or one
that accepts and then says nothing is a readable error within seconds rather than a thread stuck
in FFmpeg.
"""

from __future__ import annotations

import errno
import logging
import socket
import ssl
import time
from urllib.parse import urlsplit

import av
from av.container import OutputContainer

from hostdesk.program.outputs import MuxingOutput, OutputState, SessionError

log = logging.getLogger("hostdesk.program")

BACKOFF_S = (1.0, 2.0, 4.0, 8.0, 15.0)
CONNECT_TIMEOUT_S = 5.0
# A session that lasted this long was a success: the next failure starts the backoff again.
STEADY_S = 30.0


#: Each packet goes out as it comes: FFmpeg's muxer otherwise holds a video packet until an
#: audio packet with a later time arrives (about 90 ms of the 180 ms from a guest's frame to the
#: server, bench/program_load.py), and its write buffer holds small packets back too.
FLV_OPTIONS = {"flush_packets": "1", "max_interleave_delta": "1"}


class Destination(MuxingOutput):
    """`url` is the server's (rtmp://host[:port]/app or rtmps://...), `stream_key` the secret
    part the service gives; `label` is what the host calls it ("YouTube"). An rtmps:// server's
    certificate must be one this computer trusts, or one from `cafile` (a private server)."""

    def __init__(
        self,
        label: str,
        url: str,
        stream_key: str,
        *,
        backoff: tuple[float, ...] = BACKOFF_S,
        connect_timeout: float = CONNECT_TIMEOUT_S,
        cafile: str | None = None,
    ) -> None:
        parts = urlsplit(url)
        if parts.scheme not in ("rtmp", "rtmps") or not parts.hostname:
            raise ValueError(f"{label}: the server URL must be rtmp:// or rtmps://host/app")
        super().__init__(label)
        self.url = url.rstrip("/")
        self._key = stream_key
        self._host = parts.hostname
        self._port = parts.port or (443 if parts.scheme == "rtmps" else 1935)
        self._tls = parts.scheme == "rtmps"
        self._backoff = backoff
        self._connect_timeout = connect_timeout
        self._cafile = cafile

    def _open_container(self) -> OutputContainer:
        self._reach()
        target = f"{self.url}/{self._key}" if self._key else self.url
        return av.open(target, "w", format="flv", options=FLV_OPTIONS)

    def _reach(self) -> None:
        where = f"{self._host}:{self._port}"
        try:
            sock = socket.create_connection((self._host, self._port), self._connect_timeout)
        except TimeoutError:
            raise SessionError(f"{self.label}: {where} does not answer", retry=True) from None
        except OSError as exc:
            reason = (exc.strerror or type(exc).__name__).lower()
            raise SessionError(
                f"{self.label}: cannot connect to {where}: {reason}", retry=True
            ) from None
        with sock:
            if self._tls:
                context = ssl.create_default_context(cafile=self._cafile)
                with self._handshake(context, sock, where) as tls:
                    self._greet(tls, where)
            else:
                self._greet(sock, where)

    def _greet(self, sock: socket.socket, where: str) -> None:
        """RTMP's own first exchange (C0+C1, then S0+S1 back): a server that accepts the
        connection but never answers would otherwise hold FFmpeg for good."""
        sock.settimeout(self._connect_timeout)
        try:
            sock.sendall(b"\x03" + bytes(1536))
            received = 0
            while received < 1537:
                chunk = sock.recv(1537 - received)
                if not chunk:
                    raise SessionError(
                        f"{self.label}: {where} closed the connection: is it an RTMP server?",
                        retry=True,
                    )
                received += len(chunk)
        except TimeoutError:
            raise SessionError(
                f"{self.label}: {where} accepts connections but does not answer", retry=True
            ) from None
        except OSError as exc:
            reason = (exc.strerror or type(exc).__name__).lower()
            raise SessionError(
                f"{self.label}: the connection to {where} failed: {reason}", retry=True
            ) from None

    def _handshake(self, context: ssl.SSLContext, sock: socket.socket, where: str) -> ssl.SSLSocket:
        try:
            return context.wrap_socket(sock, server_hostname=self._host)
        except ssl.SSLCertVerificationError as exc:
            raise SessionError(
                f"{self.label}: {where} has a certificate this computer does not trust "
                f"({exc.verify_message})",
                retry=True,
            ) from None
        except (OSError, ssl.SSLError):  # a plain RTMP server waits for its own handshake
            raise SessionError(
                f"{self.label}: {where} does not speak TLS (rtmps://); is it rtmp://?", retry=True
            ) from None

    def _describe(self, exc: Exception, *, opening: bool) -> SessionError:
        if isinstance(exc, SessionError):
            return exc
        code = getattr(exc, "errno", None)
        if opening and code in (errno.EIO, errno.EPERM, errno.EACCES, errno.ECONNRESET):
            return SessionError(f"{self.label}: the server refused the stream key", retry=True)
        if opening:
            return SessionError(
                f"{self.label}: cannot start the stream to {self._host}:{self._port}", retry=True
            )
        return SessionError(
            f"{self.label}: the connection to {self._host}:{self._port} dropped", retry=True
        )

    def _run(self) -> None:
        attempt = 0
        while not self._stopping.is_set():
            began = time.monotonic()
            try:
                self._session()
            except SessionError as exc:
                if time.monotonic() - began >= STEADY_S:
                    attempt = 0
                delay = self._backoff[min(attempt, len(self._backoff) - 1)]
                attempt += 1
                log.warning(
                    "program destination retrying in %g s: %s",
                    delay,
                    exc.message,
                    extra={"output": self.label},
                )
                self._set_state(OutputState.RETRYING, exc.message)
                if self._wait(delay):
                    break
                continue
            break
        self._set_state(OutputState.STOPPED)
