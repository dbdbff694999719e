"""Tokens: the fast minting path gives exactly the SDK's token; verification checks what matters."""

from __future__ import annotations

from typing import Any

import jwt
import pytest
from livekit import api

from hostdesk.livekit.tokens import InvalidToken, Tokens
from hostdesk.show.roles import Role

SECRET = "a-secret-of-more-than-thirty-two-characters"

#: Names whose JSON needs escaping: quotes, backslashes, non-ASCII, emoji (surrogate pairs).
AWKWARD_NAMES = ['Sam "the host" O\'Neil', "back\\slash / slash", "Zoë Ñúñez", "主持人 🎙️ 🇫🇷"]


def _decode(token: str) -> dict[str, Any]:
    claims: dict[str, Any] = jwt.decode(token, SECRET, ["HS256"], options={"verify_iss": False})
    return claims


@pytest.mark.parametrize("name", ["Sam", *AWKWARD_NAMES])
@pytest.mark.parametrize("role", list(Role))
def test_minted_claims_equal_the_sdk_access_token(role: Role, name: str) -> None:
    tokens = Tokens("HDkey", SECRET, "ws://lk")
    room = f"show of {name}"
    fast_token = tokens.mint(room, "viewer-sam-1", name, role)
    slow_token = tokens.reference_token(room, "viewer-sam-1", name, role)
    fast, slow = _decode(fast_token), _decode(slow_token)
    for stamp in ("nbf", "exp"):
        assert abs(fast.pop(stamp) - slow.pop(stamp)) <= 1
    assert fast == slow
    assert jwt.get_unverified_header(fast_token) == jwt.get_unverified_header(slow_token)


def test_minted_token_keeps_the_sdk_claim_order_and_lives_ten_minutes() -> None:
    tokens = Tokens("HDkey", SECRET, "ws://lk")
    fast = _decode(tokens.mint("show", "guest-sam-1", "Sam", Role.GUEST))
    slow = _decode(tokens.reference_token("show", "guest-sam-1", "Sam", Role.GUEST))
    assert list(fast) == list(slow)
    assert list(fast["video"]) == list(slow["video"])
    assert fast["exp"] - fast["nbf"] == slow["exp"] - slow["nbf"] == 10 * 60


def test_the_sdk_verifier_accepts_minted_tokens() -> None:
    tokens = Tokens("HDkey", SECRET, "ws://lk")
    claims = api.TokenVerifier("HDkey", SECRET).verify(
        tokens.mint("show", "viewer-zoe-1", "Zoë", Role.VIEWER)
    )
    assert (claims.identity, claims.name) == ("viewer-zoe-1", "Zoë")
    assert claims.video is not None and claims.video.room == "show"
    assert claims.video.can_publish is False and claims.video.can_subscribe is True


def test_verify_reads_identity_room_and_admin() -> None:
    tokens = Tokens("HDkey", SECRET, "ws://lk")
    claims = tokens.verify(tokens.mint("show", "host-jane-1", "Jane Ö", Role.HOST))
    assert (claims.identity, claims.room, claims.room_admin) == ("host-jane-1", "show", True)
    assert claims.name == "Jane Ö"
    assert tokens.verify(tokens.mint("show", "viewer-1", "V", Role.VIEWER)).room_admin is False


def test_tokens_signed_with_another_secret_are_refused() -> None:
    other = Tokens("HDkey", "another-secret-of-more-than-thirty-two-chars", "ws://lk")
    with pytest.raises(InvalidToken):
        Tokens("HDkey", SECRET, "ws://lk").verify(other.mint("show", "v", "V", Role.VIEWER))


@pytest.mark.parametrize("name", AWKWARD_NAMES)
def test_minted_token_is_byte_for_byte_what_pyjwt_makes_of_its_claims(name: str) -> None:
    tokens = Tokens("HDkey", SECRET, "ws://lk")
    token = tokens.mint("show", "viewer-x-1", name, Role.VIEWER)
    assert jwt.encode(_decode(token), SECRET, algorithm="HS256") == token
