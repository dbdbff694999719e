"""The program's fixtures: a real RTMP server (tests/support/rtmp_fixtures.py)."""

from tests.support.rtmp_fixtures import rtmp_servers

__all__ = ["rtmp_servers"]
