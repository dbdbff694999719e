"""HostDesk: the host's control room for live shows on LiveKit."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("hostdesk")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0.0.0"
