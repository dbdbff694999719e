"""Who can watch, and the addresses viewers are given (hostdesk/reach.py): pure rules."""

from __future__ import annotations

import pytest

from hostdesk import netaddr
from hostdesk.config import ConfigError, Settings
from hostdesk.reach import Audience, resolve, viewer_livekit_url

LAN = "192.0.2.2"


@pytest.fixture(autouse=True)
def a_machine_on_a_lan(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(netaddr, "machine_addresses", lambda: ["127.0.0.1", LAN])
    monkeypatch.setattr(netaddr, "network_addresses", lambda: [LAN])


def test_nothing_chosen_is_this_computer_only_over_plain_http() -> None:
    reach = resolve(Settings(api_host=""))
    assert reach.audience is Audience.THIS_COMPUTER
    assert (reach.listen_host, reach.tls) == ("127.0.0.1", False)
    assert reach.watch_link(3001, "my show") == "http://127.0.0.1:3001/watch/my%20show"


def test_the_network_listens_everywhere_but_links_name_the_lan_address_over_https() -> None:
    reach = resolve(Settings(api_host="", audience="network"))
    assert (reach.listen_host, reach.tls) == ("0.0.0.0", True)
    assert reach.origin(3001) == f"https://{LAN}:3001"
    assert reach.media_ips == (LAN,)


def test_a_network_address_given_implies_the_network_audience() -> None:
    reach = resolve(Settings(api_host=LAN))
    assert reach.audience is Audience.NETWORK and reach.origin(4000) == f"https://{LAN}:4000"


def test_loopback_for_the_network_is_refused_with_what_to_do() -> None:
    with pytest.raises(ConfigError, match="Other computers cannot reach 127.0.0.1"):
        resolve(Settings(api_host="127.0.0.1", audience="network"))


def test_an_address_not_of_this_computer_is_refused() -> None:
    with pytest.raises(ConfigError, match="203.0.113.7 is not an address of this computer"):
        resolve(Settings(api_host="203.0.113.7"))


def test_behind_a_reverse_proxy_links_use_the_public_url_and_the_api_stays_plain_on_loopback() -> (
    None
):
    reach = resolve(Settings(api_host="127.0.0.1", public_url="https://show.example.com/"))
    assert reach.audience is Audience.PUBLIC
    assert (reach.listen_host, reach.tls) == ("127.0.0.1", False)
    assert reach.watch_link(3001, "s") == "https://show.example.com/watch/s"


def test_port_forwarding_serves_tls_and_announces_the_public_ip_for_media() -> None:
    reach = resolve(Settings(api_host="", audience="public", public_url="https://203.0.113.9:3001"))
    assert reach.tls and reach.media_ips == (LAN,) and reach.media_public_ip == "203.0.113.9"


@pytest.mark.parametrize(
    ("public_url", "problem"),
    [
        ("http://show.example.com", "must be https"),
        ("https://show.example.com/watch", "without a path"),
    ],
)
def test_a_bad_public_url_says_what_it_must_be(public_url: str, problem: str) -> None:
    with pytest.raises(ConfigError, match=problem):
        resolve(Settings(api_host="127.0.0.1", public_url=public_url))


def test_anyone_without_a_public_url_asks_for_one() -> None:
    with pytest.raises(ConfigError, match="needs the public URL"):
        resolve(Settings(api_host="", audience="public"))


def test_a_certificate_without_its_key_is_refused() -> None:
    with pytest.raises(ConfigError, match="both the TLS certificate and its key"):
        resolve(Settings(api_host=LAN, tls_cert="cert.pem"))


def test_a_bad_trusted_proxy_is_refused() -> None:
    with pytest.raises(ConfigError, match="--trusted-proxy"):
        resolve(Settings(api_host="127.0.0.1", trusted_proxies=("proxy",)))


@pytest.mark.parametrize(
    ("livekit", "origin", "expected"),
    [
        # a TLS LiveKit (Cloud) is reachable as it is, from any page
        ("wss://x.livekit.cloud", "https://192.0.2.2:3001", "wss://x.livekit.cloud"),
        # a plain-ws LiveKit from an https page: relayed through the page's own origin
        ("ws://127.0.0.1:7880", "https://192.0.2.2:3001", "wss://192.0.2.2:3001"),
        ("ws://192.0.2.5:7880", "https://show.example.com", "wss://show.example.com"),
        # a page on this computer over http reaches a local LiveKit directly
        ("ws://127.0.0.1:7880", "http://127.0.0.1:3001", "ws://127.0.0.1:7880"),
    ],
)
def test_the_livekit_url_a_viewer_gets_works_from_where_the_page_is(
    livekit: str, origin: str, expected: str
) -> None:
    assert viewer_livekit_url(livekit, origin) == expected


def test_livekit_public_url_is_what_viewers_are_given_when_set() -> None:
    from hostdesk.config import livekit_from_env

    env = {"LIVEKIT_URL": "ws://10.0.0.5:7880", "LIVEKIT_API_KEY": "k", "LIVEKIT_API_SECRET": "s"}
    assert livekit_from_env(env).viewer_url == "ws://10.0.0.5:7880"  # type: ignore[union-attr]
    env["LIVEKIT_PUBLIC_URL"] = "wss://livekit.example.com"
    livekit = livekit_from_env(env)
    assert livekit is not None and livekit.url == "ws://10.0.0.5:7880"
    assert viewer_livekit_url(livekit.viewer_url, "https://192.0.2.2:3001") == (
        "wss://livekit.example.com"
    )
