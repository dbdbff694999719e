"""Settings from the command line and the environment (LIVEKIT_URL, LIVEKIT_API_KEY, ...)."""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, replace

from hostdesk.show.rules import DEFAULT_STAGE_SIZE, stage_size_problem

#: The environment's stage size (below --stage-size, above the window's stored settings).
ENV_STAGE_SIZE = "HOSTDESK_STAGE_SIZE"


@dataclass(frozen=True)
class LiveKitSettings:
    url: str
    api_key: str
    api_secret: str
    #: where viewers reach LiveKit when that is not `url` (LIVEKIT_PUBLIC_URL); "" = `url`
    public_url: str = ""

    @property
    def viewer_url(self) -> str:
        return self.public_url or self.url


@dataclass(frozen=True)
class Settings:
    #: the address the API listens on; "" = what the audience implies (hostdesk.reach)
    api_host: str = "127.0.0.1"
    api_port: int = 3001
    #: who can watch ("local", "network", "public"; "" = what api_host implies)
    audience: str = ""
    #: the https origin viewers open when it is not this machine's (reverse proxy, NAT)
    public_url: str = ""
    #: a certificate and key to serve https with; none: HostDesk's own for this machine
    tls_cert: str = ""
    tls_key: str = ""
    #: addresses whose X-Forwarded-For is believed (a reverse proxy in front of HostDesk)
    trusted_proxies: tuple[str, ...] = ()
    auth: bool = True
    api_key: str = ""
    api_key_generated: bool = False
    rate_limits: bool = True
    #: guests on stage at once (hostdesk.show.rules: STAGE_SIZE_MIN to STAGE_SIZE_MAX)
    stage_size: int = DEFAULT_STAGE_SIZE
    #: None: start a local livekit-server (--dev).
    livekit: LiveKitSettings | None = None

    def __repr__(self) -> str:  # never print secrets
        livekit = self.livekit.url if self.livekit else "dev"
        return (
            f"Settings(api={self.api_host}:{self.api_port}, auth={self.auth}, "
            f"rate_limits={self.rate_limits}, livekit={livekit})"
        )

    def with_livekit(self, livekit: LiveKitSettings) -> Settings:
        return replace(self, livekit=livekit)


class ConfigError(ValueError):
    """Settings that cannot work together; the message says what to change."""


def livekit_from_env(env: Mapping[str, str]) -> LiveKitSettings | None:
    url = env.get("LIVEKIT_URL", "").strip()
    if not url:
        return None
    key = env.get("LIVEKIT_API_KEY", "").strip()
    secret = env.get("LIVEKIT_API_SECRET", "").strip()
    if not key or not secret:
        raise ConfigError("LIVEKIT_URL is set: set LIVEKIT_API_KEY and LIVEKIT_API_SECRET too")
    return LiveKitSettings(url, key, secret, env.get("LIVEKIT_PUBLIC_URL", "").strip())


def resolve_api_key(given: str | None, env: Mapping[str, str] = os.environ) -> tuple[str, bool]:
    """The host API key: --api-key, else HOSTDESK_API_KEY, else a new random one (generated)."""
    key = (given or env.get("HOSTDESK_API_KEY", "")).strip()
    if key:
        return key, False
    return secrets.token_urlsafe(24), True


def resolve_stage_size(given: str | None, env: Mapping[str, str] = os.environ) -> int:
    """Guests on stage at once: --stage-size, else HOSTDESK_STAGE_SIZE, else the contract's one.
    Raises ConfigError, naming where the bad value came from, when it is not 1 to 6."""
    if given is not None:
        source, text = "--stage-size", given
    elif env.get(ENV_STAGE_SIZE, "").strip():
        source, text = ENV_STAGE_SIZE, env[ENV_STAGE_SIZE]
    else:
        return DEFAULT_STAGE_SIZE
    try:
        size = int(text)
    except ValueError:
        size = 0  # not a whole number: refused with the range like any size outside it
    if problem := stage_size_problem(source, size):
        raise ConfigError(problem)
    return size
