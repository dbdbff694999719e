"""The desktop app's preferences: what the host set in the Settings and Go Live dialogs, kept
between runs, and how they combine with the command line and the environment.

The LiveKit API secret is stored in QSettings with the other preferences, in clear: there is no
keyring to rely on here, and the app needs the secret itself at every start to mint tokens. What
protects it is where it is kept and where it is never put: where the settings are a plain file
(Linux, or an INI file anywhere) it is made readable by its owner only after each save; the secret
is never logged, `repr` shows it as `'***'`, and the Settings dialog never puts it into a field
(an empty field keeps it). A host who wants nothing on disk leaves the preference empty and sets
LIVEKIT_API_SECRET instead.

The stream keys of the program's destinations (YouTube, Twitch, a custom RTMP server) are kept
the same way and for the same reason (the app needs them in clear to stream): in the same file,
never logged, `'***'` in any repr, and never put back into a field once stored (the
destinations dialog shows an empty key field; an empty field keeps the stored key).
"""

from __future__ import annotations

import logging
import os
import stat
from dataclasses import dataclass, fields, replace
from pathlib import Path
from urllib.parse import urlsplit

from PySide6.QtCore import QSettings

from hostdesk.config import ConfigError, LiveKitSettings, Settings
from hostdesk.reach import resolve
from hostdesk.show.rules import (
    DEFAULT_STAGE_SIZE,
    STAGE_SIZE_MAX,
    STAGE_SIZE_MIN,
    STAGE_TIME_LIMIT_MAX_S,
)

log = logging.getLogger("hostdesk.ui")

#: The camera id that picks the built-in test pattern.
TEST_PATTERN = "test-pattern"
#: The microphone id that picks the built-in tone.
TONE = "tone"

#: The command-line options `apply_prefs` lets win over stored preferences.
CLI_NAMES = frozenset(
    {"host", "port", "auth", "livekit", "audience", "public_url", "tls", "stage_size"}
    | {"program_size"}
)

#: The program's sizes (hostdesk.show.program_layout.FRAME_SIZES), the first the default.
PROGRAM_SIZES = ("720p", "1080p")

#: The streaming services a destination can be, with their ingest URLs ("" = the host's own).
#: YouTube's primary RTMP ingest; Twitch's global one, which sends a stream to the nearest of its
#: ingest servers (dev.twitch.tv/docs/video-broadcast: rtmp://<ingest-server>/app/<stream-key>).
YOUTUBE, TWITCH, CUSTOM = "youtube", "twitch", "custom"
SERVICES: dict[str, tuple[str, str]] = {
    YOUTUBE: ("YouTube", "rtmp://a.rtmp.youtube.com/live2"),
    TWITCH: ("Twitch", "rtmp://ingest.global-contribute.live-video.net/app"),
    CUSTOM: ("Custom server", ""),
}


@dataclass(frozen=True)
class StreamDestination:
    """Where the program can be streamed: a service (a key of SERVICES), the host's name for
    it, the server's URL and the stream key the service gave (never logged, never shown)."""

    service: str
    label: str
    url: str
    stream_key: str = ""

    def __repr__(self) -> str:
        key = "'***'" if self.stream_key else "''"
        return (
            f"StreamDestination(service={self.service!r}, label={self.label!r}, "
            f"url={self.url!r}, stream_key={key})"
        )


def destination_problem(label: str, url: str) -> str | None:
    """Why a destination cannot be streamed to, as a sentence for the host; None if it can."""
    if not label.strip():
        return "Give the destination a name"
    text = url.strip()
    if not text:
        return "The server URL is missing"
    try:
        parts = urlsplit(text)
        parts.port  # noqa: B018 (a port that is not a number raises here)
    except ValueError:
        return "The server URL is not a valid address"
    if parts.scheme.lower() not in ("rtmp", "rtmps"):
        return "The server URL must start with rtmp:// or rtmps://"
    if not parts.hostname:
        return f"The server URL has no server name after {parts.scheme}://"
    return None


def default_recordings_folder(home: Path | None = None) -> Path:
    """~/Videos/HostDesk where there is a ~/Videos, else ~/HostDesk recordings."""
    home = home if home is not None else Path.home()
    videos = home / "Videos"
    return videos / "HostDesk" if videos.is_dir() else home / "HostDesk recordings"


def recordings_path(prefs: DesktopPrefs) -> Path:
    """Where recordings go: the chosen folder, or the default one."""
    chosen = prefs.recordings_folder.strip()
    return Path(chosen).expanduser() if chosen else default_recordings_folder()


def chosen_program_size(prefs: DesktopPrefs, given: str | None, cli_overrides: set[str]) -> str:
    """The program's size: the command line's (`given`, when "program_size" is in
    `cli_overrides`) over the stored one."""
    if "program_size" in cli_overrides and given:
        return given
    return prefs.program_size


_URL_SCHEMES = ("ws://", "wss://", "http://", "https://")
_DESTINATIONS = "program/destinations"
_PORTS = range(0, 65536)


@dataclass(frozen=True)
class DesktopPrefs:
    #: empty: start a local LiveKit server (dev mode)
    livekit_url: str = ""
    livekit_api_key: str = ""
    #: never logged, never shown in clear
    livekit_api_secret: str = ""
    #: "" = what the audience implies (hostdesk.reach)
    api_host: str = "127.0.0.1"
    #: 0: any free port
    api_port: int = 3001
    auth: bool = True
    #: who can watch: "local", "network", "public" ("" = what api_host implies)
    audience: str = ""
    #: the https origin viewers open behind a reverse proxy or NAT
    public_url: str = ""
    #: the host's own certificate and key for https ("" = HostDesk's own)
    tls_cert: str = ""
    tls_key: str = ""
    #: device id; "" = first camera, TEST_PATTERN = the built-in pattern
    camera: str = ""
    #: device id; "" = first microphone, TONE = the built-in tone
    microphone: str = ""
    #: the last show's name
    room: str = ""
    #: the host's last display name
    host_name: str = ""
    #: guests on stage at once (hostdesk.show.rules' range)
    stage_size: int = DEFAULT_STAGE_SIZE
    #: the limit on a guest's time on stage the host's shows get, in seconds (0: none)
    stage_time_limit_s: int = 0
    #: an accepted invitation sends the viewer backstage first (False: straight on stage)
    invite_to_backstage: bool = True
    #: the program's size (PROGRAM_SIZES)
    program_size: str = PROGRAM_SIZES[0]
    #: where recordings go ("" = default_recordings_folder())
    recordings_folder: str = ""
    #: where the program can be streamed, in the host's order
    destinations: tuple[StreamDestination, ...] = ()

    def __repr__(self) -> str:
        shown: dict[str, object] = {f.name: getattr(self, f.name) for f in fields(self)}
        if self.livekit_api_secret:
            shown["livekit_api_secret"] = "***"
        return f"DesktopPrefs({', '.join(f'{k}={v!r}' for k, v in shown.items())})"


def livekit_problem(prefs: DesktopPrefs) -> str | None:
    """Why these LiveKit preferences cannot work, as a sentence for the host; None if they can."""
    url = prefs.livekit_url.strip()
    if not url:
        return None
    scheme = next((s for s in _URL_SCHEMES if url.lower().startswith(s)), None)
    if scheme is None:
        return "The LiveKit URL must start with ws://, wss://, http:// or https://"
    if not url[len(scheme) :].strip("/"):
        return "The LiveKit URL has no server address after " + scheme
    if not prefs.livekit_api_key.strip():
        return "A LiveKit URL needs its API key"
    if not prefs.livekit_api_secret.strip():
        return "A LiveKit URL needs its API secret"
    return None


def prefs_problem(prefs: DesktopPrefs) -> str | None:
    """Why these preferences cannot be saved, as a sentence for the host; None if they can."""
    if prefs.api_port not in _PORTS:
        return "The API port must be between 0 and 65535"
    try:
        resolve(
            Settings(
                api_host=prefs.api_host,
                audience=prefs.audience,
                public_url=prefs.public_url,
                tls_cert=prefs.tls_cert,
                tls_key=prefs.tls_key,
            )
        )
    except ConfigError as exc:
        return str(exc)
    return livekit_problem(prefs)


class PrefsStore:
    """Reads and writes DesktopPrefs in QSettings (the platform's usual place by default)."""

    def __init__(self, settings: QSettings | None = None) -> None:
        self._settings = settings if settings is not None else QSettings("HostDesk", "HostDesk")

    def location(self) -> str:
        """Where the preferences are kept (a file, or on Windows a registry key)."""
        return self._settings.fileName()

    def load(self) -> DesktopPrefs:
        """The stored preferences; a value missing or unreadable falls back to its default."""
        default = DesktopPrefs()
        return DesktopPrefs(
            livekit_url=self._str("livekit/url", default.livekit_url),
            livekit_api_key=self._str("livekit/api_key", default.livekit_api_key),
            livekit_api_secret=self._str("livekit/api_secret", default.livekit_api_secret),
            api_host=self._str("api/host", default.api_host) or default.api_host,
            api_port=self._port("api/port", default.api_port),
            auth=self._bool("api/auth", default.auth),
            audience=self._str("api/audience", default.audience),
            public_url=self._str("api/public_url", default.public_url),
            tls_cert=self._str("api/tls_cert", default.tls_cert),
            tls_key=self._str("api/tls_key", default.tls_key),
            camera=self._str("media/camera", default.camera),
            microphone=self._str("media/microphone", default.microphone),
            room=self._str("show/room", default.room),
            host_name=self._str("show/host_name", default.host_name),
            stage_size=self._int(
                "show/stage_size", default.stage_size, range(STAGE_SIZE_MIN, STAGE_SIZE_MAX + 1)
            ),
            stage_time_limit_s=self._int(
                "show/stage_time_limit",
                default.stage_time_limit_s,
                range(STAGE_TIME_LIMIT_MAX_S + 1),
            ),
            invite_to_backstage=self._bool("show/invite_to_backstage", default.invite_to_backstage),
            program_size=self._choice("program/size", default.program_size, PROGRAM_SIZES),
            recordings_folder=self._str("program/recordings_folder", default.recordings_folder),
            destinations=self._destinations(),
        )

    def save(self, prefs: DesktopPrefs) -> None:
        """Writes every preference; raises OSError with a readable message if they were not."""
        values: dict[str, str | int | bool] = {
            "livekit/url": prefs.livekit_url,
            "livekit/api_key": prefs.livekit_api_key,
            "livekit/api_secret": prefs.livekit_api_secret,
            "api/host": prefs.api_host,
            "api/port": prefs.api_port,
            "api/auth": prefs.auth,
            "api/audience": prefs.audience,
            "api/public_url": prefs.public_url,
            "api/tls_cert": prefs.tls_cert,
            "api/tls_key": prefs.tls_key,
            "media/camera": prefs.camera,
            "media/microphone": prefs.microphone,
            "show/room": prefs.room,
            "show/host_name": prefs.host_name,
            "show/stage_size": prefs.stage_size,
            "show/stage_time_limit": prefs.stage_time_limit_s,
            "show/invite_to_backstage": prefs.invite_to_backstage,
            "program/size": prefs.program_size,
            "program/recordings_folder": prefs.recordings_folder,
        }
        for key, value in values.items():
            self._settings.setValue(key, value)
        self._save_destinations(prefs.destinations)
        self._settings.sync()
        if self._settings.status() != QSettings.Status.NoError:
            raise OSError(f"The settings could not be saved to {self._settings.fileName()}")
        self._restrict_to_owner()

    def _restrict_to_owner(self) -> None:
        # The file holds the LiveKit secret. On Windows fileName() names a registry key, not a
        # file, and the registry keeps it under the user's own hive.
        path = self._settings.fileName()
        if os.name == "posix" and os.path.isfile(path):
            os.chmod(path, stat.S_IRUSR | stat.S_IWUSR)

    def _destinations(self) -> tuple[StreamDestination, ...]:
        found: list[StreamDestination] = []
        count = self._settings.beginReadArray(_DESTINATIONS)
        try:
            for index in range(count):
                self._settings.setArrayIndex(index)
                service = self._choice("service", CUSTOM, tuple(SERVICES))
                label, url = self._str("label", ""), self._str("url", "")
                key = self._str("stream_key", "")
                if destination_problem(label, url) is None:
                    found.append(StreamDestination(service, label.strip(), url.strip(), key))
                else:  # the index only: the entry holds a stream key
                    log.warning("stored destination %d is unusable; left out", index + 1)
        finally:
            self._settings.endArray()
        return tuple(found)

    def _save_destinations(self, destinations: tuple[StreamDestination, ...]) -> None:
        self._settings.remove(_DESTINATIONS)  # a removed destination leaves nothing behind
        self._settings.beginWriteArray(_DESTINATIONS, len(destinations))
        for index, destination in enumerate(destinations):
            self._settings.setArrayIndex(index)
            self._settings.setValue("service", destination.service)
            self._settings.setValue("label", destination.label)
            self._settings.setValue("url", destination.url)
            self._settings.setValue("stream_key", destination.stream_key)
        self._settings.endArray()

    def _choice(self, key: str, default: str, allowed: tuple[str, ...]) -> str:
        value = self._str(key, default)
        if value in allowed:
            return value
        self._garbled(key)
        return default

    def _raw(self, key: str) -> object:
        return self._settings.value(key)

    def _garbled(self, key: str) -> None:
        # the key only: the value may be the secret
        log.warning("stored preference %s is unreadable; using its default", key)

    def _str(self, key: str, default: str) -> str:
        value = self._raw(key)
        if value is None:
            return default
        if isinstance(value, str):
            return value
        self._garbled(key)
        return default

    def _port(self, key: str, default: int) -> int:
        return self._int(key, default, _PORTS)

    def _int(self, key: str, default: int, allowed: range) -> int:
        value = self._raw(key)
        if value is None:
            return default
        if isinstance(value, str) and value.strip().isdigit():
            value = int(value)
        if isinstance(value, int) and not isinstance(value, bool) and value in allowed:
            return value
        self._garbled(key)
        return default

    def _bool(self, key: str, default: bool) -> bool:
        value = self._raw(key)
        if value is None:
            return default
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.strip().lower() in ("true", "false"):
            return value.strip().lower() == "true"
        self._garbled(key)
        return default


def apply_prefs(settings: Settings, prefs: DesktopPrefs, *, cli_overrides: set[str]) -> Settings:
    """The settings to run with: the command line wins over the environment, which wins over the
    stored preferences.

    `cli_overrides` names the options given on the command line (see CLI_NAMES); "livekit" means
    --dev or another LiveKit option, so `settings.livekit` stays as it is. A LiveKit server from
    the environment (LIVEKIT_*, already in `settings.livekit`) also beats the stored one. Raises
    ConfigError when the stored LiveKit URL would be used but lacks its key or secret.
    """
    unknown = cli_overrides - CLI_NAMES
    if unknown:
        raise ValueError(f"unknown command-line names: {', '.join(sorted(unknown))}")
    livekit = settings.livekit
    if "livekit" not in cli_overrides and livekit is None and prefs.livekit_url.strip():
        problem = livekit_problem(prefs)
        if problem is not None:
            raise ConfigError(f"{problem}: fix it in Settings, or clear the URL for a local server")
        livekit = LiveKitSettings(
            prefs.livekit_url.strip(),
            prefs.livekit_api_key.strip(),
            prefs.livekit_api_secret.strip(),
        )
    if "host" in cli_overrides:
        api_host = settings.api_host
    elif "audience" in cli_overrides:
        api_host = ""  # the audience given on the command line picks the address
    else:
        api_host = prefs.api_host
    tls_given = "tls" in cli_overrides
    return replace(
        settings,
        api_host=api_host,
        audience=settings.audience if "audience" in cli_overrides else prefs.audience,
        public_url=settings.public_url if "public_url" in cli_overrides else prefs.public_url,
        tls_cert=settings.tls_cert if tls_given else prefs.tls_cert,
        tls_key=settings.tls_key if tls_given else prefs.tls_key,
        api_port=settings.api_port if "port" in cli_overrides else prefs.api_port,
        auth=settings.auth if "auth" in cli_overrides else prefs.auth,
        stage_size=settings.stage_size if "stage_size" in cli_overrides else prefs.stage_size,
        livekit=livekit,
    )
