"""Shared pytest fixtures. Keep this file an index: put fixture code in its own module and
import it here, one section per area."""

from __future__ import annotations

import os

import pytest

# Qt runs without a display in tests (the window is grabbed offscreen).
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

# --- HostDesk's API on a real port (tests/support/api_fixtures.py) --------------------------------
# start_api(auth=..., rate_limits=...): a running backend; api / open_api: the two auth modes
from tests.support.api_fixtures import api, open_api, start_api

# --- Headless Chromium for the viewer page (tests/support/browser_fixtures.py) --------------------
# browser: one Chromium per session (fake camera of CAMERA_RGB); viewer_pages: open_page(url)
from tests.support.browser_fixtures import browser, viewer_pages

# --- The host's window, offscreen, on the real server and API (tests/support/desk_fixtures.py) ----
from tests.support.desk_fixtures import desk

# --- Another computer on the host's network (tests/support/lan_fixtures.py) -----------------------
# viewer_computer: a namespace whose veth reaches only host_ip; remote_browser(spki): Chromium in it
from tests.support.lan_fixtures import remote_browser, viewer_computer

# --- A real livekit-server (tests/support/livekit_fixtures.py, tests/support/netns.py) ------------
# livekit_netns: the test run's own network namespace + veth (198.18.<n>.1 host, .2 namespace)
# livekit_server: a started LocalLiveKitServer inside it; .credentials.url / api_key / api_secret
from tests.support.livekit_fixtures import livekit_netns, livekit_server

# --- A reverse proxy in front of HostDesk: Debian's nginx (tests/support/proxy_fixtures.py) -------
# reverse_proxy(listen_ip): an Nginx with its own certificate; await .start(upstream_port)
from tests.support.proxy_fixtures import reverse_proxy

# --- An RTMP server for the program's destinations: Debian's nginx (tests/support/rtmp_fixtures.py)
# rtmp_servers(accepted_key=None, tls=False): a new one; .start(), .url, .recordings(key)
from tests.support.rtmp_fixtures import rtmp_servers

__all__ = [
    "api",
    "browser",
    "desk",
    "livekit_netns",
    "livekit_server",
    "open_api",
    "remote_browser",
    "reverse_proxy",
    "rtmp_servers",
    "start_api",
    "viewer_computer",
    "viewer_pages",
]


# --- Markers: `integration` on everything that needs a real livekit-server or a browser -------
# Read off the fixtures a test uses (directly or through other fixtures), so no test can forget
# it; tests that start those parts themselves (a `hostdesk serve` process, the packaged app)
# carry `pytestmark = pytest.mark.integration`. `make unit` runs `-m "not integration"`.
_INTEGRATION_FIXTURES = frozenset(
    {
        "livekit_netns",
        "livekit_server",
        "browser",
        "viewer_computer",
        "reverse_proxy",
        "rtmp_servers",
    }
)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        if _INTEGRATION_FIXTURES.intersection(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.integration)


# --- Qt: every test runs on a qasync loop, the loop the desktop app runs on ---------------------
def _qt_loop() -> object:
    import asyncio

    import qasync
    from PySide6.QtWidgets import QApplication

    class TestLoop(qasync.QEventLoop):  # type: ignore[misc]
        """qasync's run_until_complete processes Qt events once more after the loop stopped.
        The app runs the loop once, so that never matters there; pytest-asyncio runs it once
        per test and fixture, and LiveKit callbacks run in that pass find no running loop and
        kill the SDK's listener tasks ("bound to a different event loop"). Without that pass
        they simply run on the next turn of the loop."""

        def run_until_complete(self, future: object) -> object:
            if self.is_running():
                raise RuntimeError("Event loop already running")
            task = asyncio.ensure_future(future, loop=self)

            def stop(_done: object) -> None:
                self.stop()

            task.add_done_callback(stop)
            try:
                self.run_forever()
            finally:
                task.remove_done_callback(stop)
            if not task.done():
                raise RuntimeError("Event loop stopped before Future completed.")
            return task.result()

    app = QApplication.instance() or QApplication([])
    app.setQuitOnLastWindowClosed(False)  # closing a test's window must not stop the loop
    return TestLoop(app)


# One factory object for every test, so that the session-scoped loop is shared by all of them
# (a new function per test would make pytest-asyncio start a new session loop per test).
_LOOP_FACTORIES = {"qt": _qt_loop}


def pytest_asyncio_loop_factories(config: object, item: object) -> dict[str, object]:
    return _LOOP_FACTORIES


def _no_bare_event_processing() -> None:
    """pytest-qt calls processEvents() around each test, outside the asyncio loop; under qasync
    that runs LiveKit's queued callbacks with no running loop and kills the SDK's tasks. Every
    Qt event is processed by the qasync loop while tests and fixtures run, so none is lost."""
    import pytestqt.plugin

    pytestqt.plugin._process_events = lambda: None  # type: ignore[attr-defined]


_no_bare_event_processing()
