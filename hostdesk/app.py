"""Composition root: the one place that wires the backend (hostdesk/backend.py: LiveKit, the
service, the API) and the window. `hostdesk serve` runs the backend alone; the desktop app runs
it on the Qt loop beside the window.
"""

from __future__ import annotations

import asyncio
import logging
import signal
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from hostdesk.backend import Backend, StartError, start_backend
from hostdesk.config import ConfigError, Settings

if TYPE_CHECKING:
    from hostdesk.ui.settings import PrefsStore

log = logging.getLogger("hostdesk")


def serve(settings: Settings) -> int:
    """`hostdesk serve`: the API without a window, until Ctrl+C or SIGTERM."""
    return asyncio.run(_serve(settings))


async def _serve(settings: Settings) -> int:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    try:
        backend = await start_backend(settings)
    except StartError as exc:
        print(f"hostdesk: {exc}", file=sys.stderr)
        return 1
    try:
        print(f"LiveKit: {backend.livekit.url}", flush=True)
        if settings.auth and settings.api_key_generated:
            print(f"Host API key (X-API-Key): {settings.api_key}", flush=True)
        elif not settings.auth:
            print(
                "Auth is off (--no-auth): anyone who reaches the API may run the show", flush=True
            )
        _print_access(backend)
        await stop.wait()
    finally:
        await backend.aclose()
    return 0


def _print_access(backend: Backend) -> None:
    """What both commands print once listening: where viewers go, what to trust, and what
    LiveKit's first answer says to fix."""
    print(f"Viewers: {backend.api_url}/watch/SHOW ({backend.access_details()})", flush=True)
    print(f"HostDesk API listening on {backend.api_url}", flush=True)
    if backend.livekit_problem:
        print(f"hostdesk: {backend.livekit_problem}", file=sys.stderr, flush=True)


def desktop(
    settings: Settings,
    go_live: tuple[str, str] | None = None,
    cli_overrides: frozenset[str] | set[str] = frozenset(),
    *,
    program_size: str = "",
    record: str = "",
) -> int:
    """`hostdesk`: the window and the embedded API on one Qt loop. The window's stored
    settings apply where the command line and the environment say nothing. `record`: a file
    the program is recorded to from the moment the show is live (with `go_live`)."""
    from hostdesk.ui.runner import run

    return run(
        lambda closed: _desktop(
            settings,
            go_live,
            set(cli_overrides),
            closed,
            program_size=program_size,
            record=record,
        )
    )


async def _desktop(
    settings: Settings,
    go_live: tuple[str, str] | None,
    cli_overrides: set[str],
    closed: asyncio.Future[None],
    prefs: PrefsStore | None = None,
    *,
    program_size: str = "",
    record: str = "",
) -> int:
    from hostdesk.host import HostControl
    from hostdesk.livekit.backstage_session import BackstageSession
    from hostdesk.livekit.session import HostSession
    from hostdesk.paths import install_id
    from hostdesk.program.studio import Studio
    from hostdesk.show.mirror import ShowMirror
    from hostdesk.show.validation import window_host_identity
    from hostdesk.ui.dialogs import GoLiveChoice, tell_problem
    from hostdesk.ui.main_window import MainWindow
    from hostdesk.ui.program_picture import ProgramPicture
    from hostdesk.ui.settings import PrefsStore, apply_prefs, chosen_program_size

    prefs = prefs or PrefsStore()
    try:
        settings = apply_prefs(settings, prefs.load(), cli_overrides=cli_overrides)
        backend = await start_backend(settings)
    except ConfigError as exc:  # StartError too: the stored settings or the options given
        print(f"hostdesk: {exc}", file=sys.stderr)
        await tell_problem(
            "HostDesk cannot start",
            f"{str(exc).rstrip('.')}.\n\nChange it on the command line, or in the settings file "
            f"{prefs.location()}.",
        )
        return 1 if isinstance(exc, StartError) else 2
    mirror = ShowMirror()
    session = HostSession(mirror)
    here = install_id()
    control = HostControl(
        backend.service,
        session,
        mirror,
        host_identity=lambda room: window_host_identity(here, room),
    )
    # The program (recorded, streamed) is made of what the window shows: it follows the
    # mirror, and the window feeds it the media (hostdesk.ui.program_feed).
    size = chosen_program_size(prefs.load(), program_size, cli_overrides)
    studio = Studio(mirror, ProgramPicture, size=size)
    window = MainWindow(control, session, backend, prefs, BackstageSession(), studio)
    window.closed.connect(lambda: None if closed.done() else closed.set_result(None))
    window.show()
    _print_access(backend)
    if backend.livekit_problem:
        window.bridge.error.emit(backend.livekit_problem)
    if settings.auth and settings.api_key_generated:
        print(f"Host API key (X-API-Key): {settings.api_key}", flush=True)
    if go_live is not None:
        stored = prefs.load()
        choice = GoLiveChoice(go_live[0], go_live[1], stored.camera, stored.microphone)
        window.go_live(choice, Path(record).expanduser() if record else None)
    try:
        await closed
    finally:
        window.close()
        await window.bridge.aclose()
        await window.backstage_view.aclose()
        await window.program_control.settle()  # a recording the host stopped is finished
        await studio.aclose()  # and one still running is stopped and finished
        await control.leave()
        await backend.aclose()
    return 0
