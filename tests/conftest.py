"""Shared pytest fixtures. Keep this file an index: put fixture code in its own module and
import it here, one section per area."""

from __future__ import annotations

import os

# Qt runs without a display in tests (the window is grabbed offscreen).
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

# --- HostDesk's API on a real port (tests/api_fixtures.py) ------------------------------------
# start_api(auth=..., rate_limits=...): a running backend; api / open_api: the two auth modes
from tests.api_fixtures import api, open_api, start_api

# --- A real livekit-server (tests/livekit_fixtures.py, tests/netns.py) -------------------------
# livekit_netns: the test run's own network namespace + veth (198.18.<n>.1 host, .2 namespace)
# livekit_server: a started LocalLiveKitServer inside it; .credentials.url / api_key / api_secret
from tests.livekit_fixtures import livekit_netns, livekit_server

__all__ = ["api", "livekit_netns", "livekit_server", "open_api", "start_api"]


# --- Qt: every test runs on a qasync loop, the loop the desktop app runs on ---------------------
def pytest_asyncio_loop_factories(config: object, item: object) -> dict[str, object]:
    import qasync
    from PySide6.QtWidgets import QApplication

    def qt_loop() -> object:
        return qasync.QEventLoop(QApplication.instance() or QApplication([]))

    return {"qt": qt_loop}
