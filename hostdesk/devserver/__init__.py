"""A local livekit-server for ``--dev`` and the integration tests.

`binary` finds the pinned livekit-server, `ports` picks ports free for TCP and UDP,
`credentials` says how to reach a server, and `server` runs one as a child process on one
address with a generated config. This package does not import the ``livekit`` Python SDK.
"""

from hostdesk.devserver.binary import (
    LIVEKIT_SERVER_VERSION,
    LiveKitServerMissing,
    cached_livekit_server_path,
    find_livekit_server,
)
from hostdesk.devserver.credentials import LiveKitCredentials
from hostdesk.devserver.ports import free_port
from hostdesk.devserver.server import LocalLiveKitServer

__all__ = [
    "LIVEKIT_SERVER_VERSION",
    "LiveKitCredentials",
    "LiveKitServerMissing",
    "LocalLiveKitServer",
    "cached_livekit_server_path",
    "find_livekit_server",
    "free_port",
]
