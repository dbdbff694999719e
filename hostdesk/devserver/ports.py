"""Ports free for both TCP and UDP, which is what a livekit-server needs for each of its own."""

from __future__ import annotations

import socket


def _port_is_free(host: str, port: int, kind: socket.SocketKind) -> bool:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, kind) as sock:
        try:
            sock.bind((host, port))
        except OSError:
            return False
    return True


def free_port(host: str = "127.0.0.1") -> int:
    """A port number that is currently free for both TCP and UDP on ``host``.

    There is a window between this call and the moment a server binds the port; within the
    test run's own network namespace nothing else competes for it.
    """
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    for _ in range(100):
        with socket.socket(family, socket.SOCK_STREAM) as sock:
            sock.bind((host, 0))
            port: int = sock.getsockname()[1]
            if _port_is_free(host, port, socket.SOCK_DGRAM):
                return port
    raise RuntimeError(f"no port free for both TCP and UDP found on {host}")


def usable(host: str, port: int) -> bool:
    """Whether a chosen port (a fixed one a host wrote into a firewall rule) is free for both."""
    return _port_is_free(host, port, socket.SOCK_STREAM) and _port_is_free(
        host, port, socket.SOCK_DGRAM
    )


def free_ports(host: str, count: int) -> list[int]:
    """`count` different ports, each free for both TCP and UDP on `host`."""
    ports: list[int] = []
    while len(ports) < count:
        port = free_port(host)
        if port not in ports:
            ports.append(port)
    return ports
