"""Tokens: the fast minting path gives exactly the SDK's token; verification checks what matters."""

from __future__ import annotations

import jwt
import pytest

from hostdesk.livekit.tokens import InvalidToken, Tokens
from hostdesk.show.roles import Role

SECRET = "a-secret-of-more-than-thirty-two-characters"


@pytest.mark.parametrize("role", list(Role))
def test_minted_claims_equal_the_sdk_access_token(role: Role) -> None:
    tokens = Tokens("HDkey", SECRET, "ws://lk")
    fast = jwt.decode(
        tokens.mint("show", "viewer-sam-1", "Sam", role),
        SECRET,
        ["HS256"],
        options={"verify_iss": False},
    )
    slow = jwt.decode(
        tokens.reference_token("show", "viewer-sam-1", "Sam", role),
        SECRET,
        ["HS256"],
        options={"verify_iss": False},
    )
    for stamp in ("nbf", "exp"):
        assert abs(fast.pop(stamp) - slow.pop(stamp)) <= 1
    assert fast == slow


def test_verify_reads_identity_room_and_admin() -> None:
    tokens = Tokens("HDkey", SECRET, "ws://lk")
    claims = tokens.verify(tokens.mint("show", "host-jane-1", "Jane", Role.HOST))
    assert (claims.identity, claims.room, claims.room_admin) == ("host-jane-1", "show", True)
    assert tokens.verify(tokens.mint("show", "viewer-1", "V", Role.VIEWER)).room_admin is False


def test_tokens_signed_with_another_secret_are_refused() -> None:
    other = Tokens("HDkey", "another-secret-of-more-than-thirty-two-chars", "ws://lk")
    with pytest.raises(InvalidToken):
        Tokens("HDkey", SECRET, "ws://lk").verify(other.mint("show", "v", "V", Role.VIEWER))
