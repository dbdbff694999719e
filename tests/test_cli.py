"""`hostdesk serve`: starts its own LiveKit server by default, serves, and stops cleanly."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest

from hostdesk.devserver import LocalLiveKitServer, find_livekit_server, free_port
from tests.support.processes import api_url


def _start(*args: str, env: dict[str, str] | None = None) -> tuple[subprocess.Popen[str], str, str]:
    find_livekit_server()  # fails with how to install it, rather than a timeout below
    environment = {k: v for k, v in os.environ.items() if not k.startswith("LIVEKIT_")}
    environment.update(env or {})
    proc = subprocess.Popen(
        [sys.executable, "-m", "hostdesk", "serve", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=environment,
    )
    url, printed = api_url(proc, 30)
    if not url:
        proc.kill()
        raise AssertionError("hostdesk serve did not start:\n" + printed)
    return proc, url, printed


def _children(pid: int) -> list[int]:
    out = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True).stdout
    return [int(p) for p in out.split()]


@pytest.mark.integration
def test_serve_starts_a_local_livekit_when_none_is_configured_and_stops_on_sigterm() -> None:
    port = free_port()
    proc, url, _ = _start("--port", str(port), "--no-auth")
    try:
        assert url == f"http://127.0.0.1:{port}"
        with urllib.request.urlopen(url + "/health", timeout=5) as response:
            health = json.load(response)
        assert health["status"] == "ok" and health["livekitReachable"] is True
        livekit_children = _children(proc.pid)
        assert livekit_children, "the local livekit-server should be a child process"
    finally:
        proc.send_signal(signal.SIGTERM)
        code = proc.wait(10)  # a hang guard; the stop time is benchmarked, not tested
    assert code == 0
    for child in livekit_children:
        assert not os.path.exists(f"/proc/{child}"), "livekit-server was left running"


@pytest.mark.integration
def test_ctrl_c_stops_serve() -> None:
    proc, _url, _ = _start("--port", "0", "--no-auth")
    proc.send_signal(signal.SIGINT)
    assert proc.wait(10) == 0


@pytest.mark.integration
def test_a_generated_api_key_is_printed_and_required_for_host_joins() -> None:
    proc, url, printed = _start("--port", "0")
    try:
        body = json.dumps({"roomName": "r", "participantName": "Jane", "role": "host"}).encode()
        request = urllib.request.Request(url + "/api/rooms/join", data=body, method="POST")
        try:
            urllib.request.urlopen(request, timeout=5)
            raise AssertionError("a host join without the key must be refused")
        except urllib.error.HTTPError as exc:
            assert exc.code == 401
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.communicate(timeout=10)
    assert "Host API key (X-API-Key): " in printed


def test_livekit_url_without_keys_is_a_clear_configuration_error() -> None:
    environment = {k: v for k, v in os.environ.items() if not k.startswith("LIVEKIT_")}
    environment["LIVEKIT_URL"] = "ws://127.0.0.1:7880"
    result = subprocess.run(
        [sys.executable, "-m", "hostdesk", "serve"],
        capture_output=True,
        text=True,
        env=environment,
        timeout=30,
    )
    assert result.returncode == 2
    assert "LIVEKIT_API_KEY" in result.stderr and "Traceback" not in result.stderr


def test_version_comes_from_the_package_metadata() -> None:
    from importlib.metadata import version

    result = subprocess.run(
        [sys.executable, "-m", "hostdesk", "--version"], capture_output=True, text=True, timeout=30
    )
    assert result.stdout.strip() == f"hostdesk {version('hostdesk')}"


@pytest.mark.integration
def test_the_desktop_app_starts_its_window_and_api_and_leaves_nothing_behind() -> None:
    find_livekit_server()
    environment = {k: v for k, v in os.environ.items() if not k.startswith("LIVEKIT_")}
    environment["QT_QPA_PLATFORM"] = "offscreen"
    proc = subprocess.Popen(
        [sys.executable, "-m", "hostdesk", "--dev", "--port", "0", "--no-auth"],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        env=environment,
    )
    url, printed = api_url(proc)
    try:
        assert url, "the desktop app did not start its API:\n" + printed
        with urllib.request.urlopen(url + "/health", timeout=5) as response:
            assert json.load(response)["livekitReachable"] is True
        children = _children(proc.pid)
        assert children, "the local livekit-server should be a child process"
    finally:
        proc.send_signal(signal.SIGTERM)
        code = proc.wait(15)
    assert code == 0
    for child in children:
        assert not os.path.exists(f"/proc/{child}"), "livekit-server was left running"


def test_only_options_given_on_the_command_line_beat_the_stored_settings() -> None:
    from hostdesk.cli import build_parser, options_given

    def given(*argv: str) -> set[str]:
        return options_given(build_parser().parse_args(list(argv)))

    assert given() == set()
    assert given("--port", "4000", "--no-auth") == {"port", "auth"}
    assert given("--host=0.0.0.0", "--dev") == {"host", "livekit"}
    assert given("--go-live", "show", "--host-name", "Jane") == set()
    # argparse's abbreviations are options given too (they once lost to stored settings)
    assert given("--po", "4000") == {"port"}
    assert given("--watch", "network", "--tls-cert", "c.pem", "--tls-key", "k.pem") == {
        "audience",
        "tls",
    }
    assert given("--stage-size", "3") == {"stage_size"}
    assert given("--program-size", "1080p") == {"program_size"}
    assert given("--go-live", "show", "--host-name", "Jane", "--record", "show.mp4") == set()


def test_record_needs_go_live_and_the_program_size_is_720p_or_1080p(
    capsys: pytest.CaptureFixture[str],
) -> None:
    from hostdesk.cli import build_parser, main

    with pytest.raises(SystemExit) as exited:
        main(["--record", "show.mp4"])
    assert exited.value.code == 2
    assert "hostdesk: error: --record needs --go-live" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        build_parser().parse_args(["--program-size", "4k"])
    assert "invalid choice: '4k' (choose from '720p', '1080p')" in capsys.readouterr().err
    args = build_parser().parse_args(
        ["--go-live", "Late", "--host-name", "Jane", "--record", "~/late.mp4"]
    )
    assert (args.record, args.program_size) == ("~/late.mp4", None)


def test_the_stage_size_comes_from_the_command_line_then_the_environment_then_the_default() -> None:
    from hostdesk.cli import build_parser, options_given, settings_from

    def stage_size(env: dict[str, str], *argv: str) -> int:
        return settings_from(build_parser().parse_args(list(argv)), env).stage_size

    assert stage_size({}) == 1
    assert stage_size({"HOSTDESK_STAGE_SIZE": "4"}) == 4
    assert stage_size({"HOSTDESK_STAGE_SIZE": "4"}, "--stage-size", "2") == 2
    assert stage_size({"HOSTDESK_STAGE_SIZE": "4"}, "serve", "--stage-size", "6") == 6
    assert stage_size({"HOSTDESK_STAGE_SIZE": " "}) == 1
    # the environment beats the window's stored settings too; nothing said, they decide
    parsed = build_parser().parse_args([])
    assert options_given(parsed, {"HOSTDESK_STAGE_SIZE": "3"}) == {"stage_size"}
    assert options_given(parsed, {"HOSTDESK_STAGE_SIZE": ""}) == set()


@pytest.mark.parametrize(
    ("argv", "env", "line"),
    [
        (["serve", "--stage-size", "7"], {}, "hostdesk: --stage-size must be from 1 to 6"),
        (["serve", "--stage-size", "0"], {}, "hostdesk: --stage-size must be from 1 to 6"),
        (["serve", "--stage-size", "two"], {}, "hostdesk: --stage-size must be from 1 to 6"),
        (["--stage-size", "-1"], {}, "hostdesk: --stage-size must be from 1 to 6"),
        (
            ["serve"],
            {"HOSTDESK_STAGE_SIZE": "12"},
            "hostdesk: HOSTDESK_STAGE_SIZE must be from 1 to 6",
        ),
    ],
)
def test_a_stage_size_out_of_range_is_one_line_and_exit_2(
    argv: list[str], env: dict[str, str], line: str
) -> None:
    environment = {k: v for k, v in os.environ.items() if not k.startswith("LIVEKIT_")}
    environment.update(env, QT_QPA_PLATFORM="offscreen")
    result = subprocess.run(
        [sys.executable, "-m", "hostdesk", *argv],
        capture_output=True,
        text=True,
        env=environment,
        timeout=30,
    )
    assert result.returncode == 2, result.stderr
    assert result.stderr.splitlines() == [line]


def _serve_fails(*args: str) -> str:
    """`hostdesk serve ARGS` exits 1 with one line on stderr and no traceback; returns it."""
    environment = {k: v for k, v in os.environ.items() if not k.startswith("LIVEKIT_")}
    result = subprocess.run(
        [sys.executable, "-m", "hostdesk", "serve", *args],
        capture_output=True,
        text=True,
        env=environment,
        timeout=60,
    )
    lines = [line for line in result.stderr.splitlines() if " INFO " not in line]
    assert result.returncode == 1, result.stderr
    assert len(lines) == 1 and "Traceback" not in result.stderr, result.stderr
    return lines[0]


def test_a_certificate_that_does_not_load_is_one_line_and_exit_1(tmp_path: Path) -> None:
    bad = tmp_path / "cert.pem"
    bad.write_text("not a certificate\n")
    line = _serve_fails("--host", "0.0.0.0", "--tls-cert", str(bad), "--tls-key", str(bad))
    assert line.startswith("hostdesk: ") and str(bad) in line


def test_an_address_that_is_not_this_computers_is_one_line_and_exit_1() -> None:
    line = _serve_fails("--host", "203.0.113.7")
    assert line.startswith("hostdesk: 203.0.113.7 is not an address of this computer")


def test_a_port_already_taken_is_one_line_and_exit_1_and_starts_no_livekit() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        line = _serve_fails("--port", str(port), "--no-auth")
    assert line == (
        f"hostdesk: Port {port} is already in use on 127.0.0.1 (is HostDesk already running?): "
        "choose another port"
    )


@pytest.mark.integration
def test_serve_runs_the_stage_size_it_is_given(tmp_path: Path) -> None:
    proc, url, _ = _start(
        "--port",
        "0",
        "--no-auth",
        "--stage-size",
        "3",
        env={"HOSTDESK_STAGE_SIZE": "5", "HOSTDESK_CONFIG": str(tmp_path)},
    )
    try:
        with urllib.request.urlopen(url + "/watch/show", timeout=5) as response:
            page = response.read().decode()
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.communicate(timeout=10)
    assert '"stageSize":3' in page  # the limits the page is served with


@pytest.mark.integration
def test_serving_the_network_prints_an_https_link_with_the_machines_address(
    tmp_path: Path,
) -> None:
    proc, url, printed = _start(
        "--watch", "network", "--port", "0", "--no-auth", env={"HOSTDESK_CONFIG": str(tmp_path)}
    )
    try:
        host = url.removeprefix("https://").rsplit(":", 1)[0]
        assert url.startswith("https://") and host not in ("0.0.0.0", "127.0.0.1"), printed
        assert f"Viewers: {url}/watch/SHOW" in printed and "Certificate SHA-256 " in printed
        assert (tmp_path / "tls" / "cert.pem").exists()
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.communicate(timeout=10)


async def test_the_window_does_not_start_with_an_address_not_of_this_computer(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import asyncio

    from PySide6.QtCore import QSettings

    from hostdesk.app import _desktop
    from hostdesk.config import Settings
    from hostdesk.ui.settings import PrefsStore

    prefs = PrefsStore(QSettings(str(tmp_path / "prefs.ini"), QSettings.Format.IniFormat))
    closed: asyncio.Future[None] = asyncio.get_running_loop().create_future()
    settings = Settings(api_host="203.0.113.7", api_port=0)
    code = await _desktop(settings, None, {"host", "port"}, closed, prefs)
    assert code == 1
    assert "hostdesk: 203.0.113.7 is not an address of this computer" in capsys.readouterr().err


async def test_record_at_launch_records_the_program_from_going_live_and_finishes_it_at_exit(
    livekit_server: LocalLiveKitServer, tmp_path: Path
) -> None:
    """`hostdesk --go-live ROOM --host-name NAME --record FILE --program-size 1080p`
    (app._desktop): recording once live, at the size asked for; closing the app finishes it."""
    import asyncio

    import av
    from PySide6.QtCore import QSettings
    from PySide6.QtWidgets import QApplication

    from hostdesk.app import _desktop
    from hostdesk.config import LiveKitSettings, Settings
    from hostdesk.ui.main_window import MainWindow
    from hostdesk.ui.settings import PrefsStore
    from tests.support.api_fixtures import API_KEY, new_room
    from tests.support.desk_fixtures import eventually

    creds = livekit_server.credentials
    settings = Settings(
        api_host="127.0.0.1",
        api_port=0,
        api_key=API_KEY,
        livekit=LiveKitSettings(creds.url, creds.api_key, creds.api_secret),
    )
    prefs = PrefsStore(QSettings(str(tmp_path / "prefs.ini"), QSettings.Format.IniFormat))
    target = tmp_path / "made here" / "launch.mp4"
    room = new_room()
    closed: asyncio.Future[None] = asyncio.get_running_loop().create_future()
    overrides = {"host", "port", "livekit", "program_size"}
    launched = asyncio.ensure_future(
        _desktop(
            settings,
            (room, "Jane Host"),
            overrides,
            closed,
            prefs,
            program_size="1080p",
            record=str(target),
        )
    )

    def window() -> MainWindow | None:
        return next(
            (
                w
                for w in QApplication.topLevelWidgets()
                if isinstance(w, MainWindow) and w.isVisible() and w.show_label.text() == room
            ),
            None,
        )

    try:
        desk = await eventually(window, 15, "the launched window")
        status = desk.studio.status
        await eventually(lambda: status().recording == target, 20, "recording once live")
        assert status().size == "1080p"
        await eventually(lambda: status().recording_seconds > 2, 10, "2 s recorded")
    finally:
        if not closed.done():
            closed.set_result(None)
        assert await asyncio.wait_for(launched, 30) == 0
    with av.open(str(target)) as played:
        video = played.streams.video[0]
        assert (video.width, video.height) == (1920, 1080)
        assert video.frames > 0 and len(played.chapters()) == 1  # finished: chapters written
