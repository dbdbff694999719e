"""The desktop preferences (hostdesk/ui/settings.py): what is stored and read back, what falls
back to its default, that the secret stays the owner's, and what wins over what (command line
> environment > stored preferences)."""

from __future__ import annotations

import logging
import stat
from dataclasses import replace
from pathlib import Path

import pytest

from hostdesk.cli import build_parser, settings_from
from hostdesk.config import ConfigError, LiveKitSettings, Settings
from hostdesk.ui.settings import (
    DesktopPrefs,
    PrefsStore,
    apply_prefs,
    chosen_program_size,
    default_recordings_folder,
    destination_problem,
    recordings_path,
)
from tests.ui.prefs_cases import CUSTOM_KEY, REMOTE, SECRET, STREAM_KEY, YOUTUBE_CHANNEL, ini

# --- the store -----------------------------------------------------------------------------------


def test_prefs_round_trip_through_the_store(tmp_path: Path) -> None:
    PrefsStore(ini(tmp_path)).save(REMOTE)

    assert PrefsStore(ini(tmp_path)).load() == REMOTE


def test_an_empty_store_gives_the_defaults(tmp_path: Path) -> None:
    assert PrefsStore(ini(tmp_path)).load() == DesktopPrefs()


def test_values_written_by_hand_are_read(tmp_path: Path) -> None:
    store = PrefsStore(ini(tmp_path, "[api]\nport=4000\nauth=false\n[show]\nroom=Late Show\n"))

    prefs = store.load()

    assert (prefs.api_port, prefs.auth, prefs.room) == (4000, False, "Late Show")


def test_invitations_go_backstage_unless_the_host_chose_the_stage(tmp_path: Path) -> None:
    assert DesktopPrefs().invite_to_backstage
    store = PrefsStore(ini(tmp_path, "[show]\ninvite_to_backstage=false\n"))
    assert store.load().invite_to_backstage is False


@pytest.mark.parametrize("text", ["stage_size=7", "stage_size=0", "stage_time_limit=14401"])
def test_a_stage_setting_out_of_its_range_falls_back_to_the_default(
    tmp_path: Path, text: str
) -> None:
    prefs = PrefsStore(ini(tmp_path, f"[show]\n{text}\n")).load()

    assert (prefs.stage_size, prefs.stage_time_limit_s) == (1, 0)


def test_garbled_values_fall_back_to_their_defaults(tmp_path: Path) -> None:
    # An unquoted comma makes QSettings read a list, not a string.
    store = PrefsStore(
        ini(
            tmp_path,
            "[api]\nport=three thousand\nauth=maybe\nhost=a, b\n"
            "[livekit]\napi_secret=x, y\n[media]\ncamera=1, 2\n",
        )
    )

    assert store.load() == DesktopPrefs()


@pytest.mark.parametrize("port", ["65536", "-1", "99999999999999999999", "3001.5", ""])
def test_a_port_out_of_range_falls_back_to_the_default(tmp_path: Path, port: str) -> None:
    store = PrefsStore(ini(tmp_path, f"[api]\nport={port}\n"))

    assert store.load().api_port == DesktopPrefs().api_port


def test_an_unreadable_secret_is_reported_by_key_not_by_value(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    store = PrefsStore(ini(tmp_path, f"[livekit]\napi_secret={SECRET}, tail\n"))

    with caplog.at_level(logging.WARNING, logger="hostdesk.ui"):
        assert store.load().livekit_api_secret == ""

    assert "livekit/api_secret" in caplog.text
    assert SECRET not in caplog.text


def test_the_saved_file_is_readable_by_its_owner_only(tmp_path: Path) -> None:
    PrefsStore(ini(tmp_path)).save(REMOTE)

    mode = stat.S_IMODE((tmp_path / "hostdesk.ini").stat().st_mode)
    assert mode == stat.S_IRUSR | stat.S_IWUSR


def test_repr_masks_the_secret() -> None:
    assert SECRET not in repr(REMOTE)
    assert SECRET not in str(REMOTE)
    assert "livekit_api_secret='***'" in repr(REMOTE)
    assert "livekit_api_secret=''" in repr(DesktopPrefs())


# --- the program: its size, where recordings go, the stream destinations and their keys --------


def test_the_destinations_and_their_keys_round_trip_in_the_owners_file_only(
    tmp_path: Path,
) -> None:
    PrefsStore(ini(tmp_path)).save(REMOTE)

    loaded = PrefsStore(ini(tmp_path)).load()
    assert loaded.destinations == REMOTE.destinations
    assert (loaded.program_size, loaded.recordings_folder) == ("1080p", "/srv/shows/recordings")
    mode = stat.S_IMODE((tmp_path / "hostdesk.ini").stat().st_mode)
    assert mode == 0o600


def test_a_removed_destination_leaves_nothing_of_its_key_in_the_file(tmp_path: Path) -> None:
    store = PrefsStore(ini(tmp_path))
    store.save(REMOTE)
    store.save(replace(REMOTE, destinations=(YOUTUBE_CHANNEL,)))

    assert PrefsStore(ini(tmp_path)).load().destinations == (YOUTUBE_CHANNEL,)
    text = (tmp_path / "hostdesk.ini").read_text(encoding="utf-8")
    assert CUSTOM_KEY not in text and STREAM_KEY in text


def test_repr_masks_the_stream_keys() -> None:
    for shown in (repr(REMOTE), str(REMOTE), repr(REMOTE.destinations[0])):
        assert STREAM_KEY not in shown and CUSTOM_KEY not in shown
    assert "stream_key='***'" in repr(YOUTUBE_CHANNEL)
    assert "stream_key=''" in repr(replace(YOUTUBE_CHANNEL, stream_key=""))


def test_an_unusable_stored_destination_is_left_out_and_named_by_place_not_by_key(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    store = PrefsStore(
        ini(
            tmp_path,
            "[program]\ndestinations\\size=2\n"
            "destinations\\1\\service=youtube\ndestinations\\1\\label=Mine\n"
            f"destinations\\1\\url=http://nope\ndestinations\\1\\stream_key={STREAM_KEY}\n"
            "destinations\\2\\service=teletext\ndestinations\\2\\label=Own\n"
            "destinations\\2\\url=rtmp://own.example/app\nsize=4k\n",
        )
    )

    with caplog.at_level(logging.WARNING, logger="hostdesk.ui"):
        prefs = store.load()

    assert [(d.service, d.label, d.url) for d in prefs.destinations] == [
        ("custom", "Own", "rtmp://own.example/app")
    ]
    assert prefs.program_size == "720p"
    assert "stored destination 1 is unusable" in caplog.text
    assert STREAM_KEY not in caplog.text


@pytest.mark.parametrize(
    ("label", "url", "problem"),
    [
        ("Mine", "rtmp://a.rtmp.youtube.com/live2", None),
        ("Mine", "rtmps://live.example.org:443/app", None),
        ("Mine", "RTMP://Server/app", None),
        ("", "rtmp://server/app", "Give the destination a name"),
        ("Mine", " ", "The server URL is missing"),
        ("Mine", "https://server/app", "The server URL must start with rtmp:// or rtmps://"),
        ("Mine", "server/app", "The server URL must start with rtmp:// or rtmps://"),
        ("Mine", "rtmp:///app", "The server URL has no server name after rtmp://"),
        ("Mine", "rtmp://server:port/app", "The server URL is not a valid address"),
    ],
)
def test_a_destination_needs_a_name_and_an_rtmp_server(
    label: str, url: str, problem: str | None
) -> None:
    assert destination_problem(label, url) == problem


def test_recordings_go_to_videos_where_there_is_such_a_folder(tmp_path: Path) -> None:
    assert default_recordings_folder(tmp_path) == tmp_path / "HostDesk recordings"
    (tmp_path / "Videos").mkdir()
    assert default_recordings_folder(tmp_path) == tmp_path / "Videos" / "HostDesk"
    chosen = replace(DesktopPrefs(), recordings_folder="~/shows")
    assert recordings_path(chosen) == Path.home() / "shows"
    assert recordings_path(DesktopPrefs()) == default_recordings_folder()


def test_the_program_size_given_on_the_command_line_wins_over_the_stored_one() -> None:
    stored = replace(DesktopPrefs(), program_size="1080p")
    assert chosen_program_size(stored, None, set()) == "1080p"
    assert chosen_program_size(stored, "720p", {"program_size"}) == "720p"
    # a name the command line may give: apply_prefs takes it without complaint
    apply_prefs(Settings(), stored, cli_overrides={"program_size"})


# --- precedence: command line > environment > stored prefs ---------------------------------------

ENV_LIVEKIT = {
    "LIVEKIT_URL": "wss://env.example.com",
    "LIVEKIT_API_KEY": "envkey",
    "LIVEKIT_API_SECRET": "envsecret",
}


def from_cli(argv: list[str], env: dict[str, str] | None = None) -> Settings:
    return settings_from(build_parser().parse_args(["serve", *argv]), env or {})


def test_stored_prefs_apply_when_nothing_else_is_given() -> None:
    settings = apply_prefs(from_cli([]), REMOTE, cli_overrides=set())

    assert (settings.api_host, settings.api_port, settings.auth) == ("0.0.0.0", 4100, False)
    assert settings.livekit == LiveKitSettings("wss://shows.example.com", "APIkey123", SECRET)


def test_the_command_line_wins_over_stored_prefs() -> None:
    cli = from_cli(["--host", "127.0.0.2", "--port", "5000", "--dev"], ENV_LIVEKIT)

    settings = apply_prefs(cli, REMOTE, cli_overrides={"host", "port", "auth", "livekit"})

    assert (settings.api_host, settings.api_port, settings.auth) == ("127.0.0.2", 5000, True)
    assert settings.livekit is None  # --dev beats the environment and the stored server


def test_the_environment_wins_over_the_stored_livekit_server() -> None:
    settings = apply_prefs(from_cli([], ENV_LIVEKIT), REMOTE, cli_overrides=set())

    assert settings.livekit == LiveKitSettings("wss://env.example.com", "envkey", "envsecret")
    assert settings.api_port == 4100  # the rest still comes from the prefs


def test_the_stored_stage_size_applies_unless_the_command_line_gives_one() -> None:
    assert apply_prefs(from_cli([]), REMOTE, cli_overrides=set()).stage_size == 3
    cli = replace(from_cli([]), stage_size=5)
    assert apply_prefs(cli, REMOTE, cli_overrides={"stage_size"}).stage_size == 5


def test_options_not_named_keep_the_stored_value() -> None:
    settings = apply_prefs(from_cli(["--port", "5000"]), REMOTE, cli_overrides={"port"})

    assert (settings.api_host, settings.api_port, settings.auth) == ("0.0.0.0", 5000, False)


def test_no_stored_url_keeps_the_local_server() -> None:
    settings = apply_prefs(from_cli([]), DesktopPrefs(), cli_overrides=set())

    assert settings.livekit is None


def test_a_stored_url_without_its_secret_is_a_config_error() -> None:
    prefs = DesktopPrefs(livekit_url="wss://shows.example.com", livekit_api_key="k")

    with pytest.raises(ConfigError, match="secret"):
        apply_prefs(from_cli([]), prefs, cli_overrides=set())


def test_unknown_command_line_names_are_refused() -> None:
    with pytest.raises(ValueError, match="hots"):
        apply_prefs(from_cli([]), DesktopPrefs(), cli_overrides={"hots"})
