"""A service remembers the assertions it verified (yishe_kit.assertion.Verifier): a repeat costs no ECDSA
verification, yet an expired or different token is still refused."""

from __future__ import annotations

import time

import jwt
import pytest

from yishe_kit import assertion
from yishe_kit.assertion import Minter, Refused, Verifier, generate_pem_pair, load_public_key


@pytest.fixture
def pair():
    private, public = generate_pem_pair()
    return Minter(private), Verifier("credit", load_public_key(public))


def test_a_repeated_token_is_verified_once(pair, monkeypatch):
    minter, verifier = pair
    decoded = []
    real = jwt.decode
    monkeypatch.setattr(assertion.jwt, "decode", lambda *a, **k: decoded.append(1) or real(*a, **k))
    token = minter.mint(["registry", "credit"], role="internal", actor="gateway")
    first = verifier.principal(token)
    again = verifier.principal(token)
    assert (first.role, first.actor) == ("internal", "gateway") and again == first
    assert len(decoded) == 1
    verifier.principal(minter.mint(["credit"], role="internal", actor="gateway"))  # another token: verified anew
    assert len(decoded) == 2


def test_a_remembered_token_is_refused_once_expired(pair, monkeypatch):
    minter, verifier = pair
    token = minter.mint("credit", role="internal", actor="gateway")
    verifier.principal(token)
    later = time.time() + assertion.TTL_SECONDS + verifier.leeway + 1
    monkeypatch.setattr(assertion.time, "time", lambda: later)
    with pytest.raises(Refused) as refused:
        verifier.principal(token)
    assert refused.value.code == "assertion_expired"


def test_a_refused_token_is_not_remembered(pair):
    minter, verifier = pair
    _, other_public = generate_pem_pair()
    foreign = Verifier("credit", load_public_key(other_public))
    token = minter.mint("credit", role="internal", actor="gateway")
    for _ in range(2):
        with pytest.raises(Refused):
            foreign.principal(token)
    assert foreign.verified == {}
    with pytest.raises(Refused):
        verifier.principal(minter.mint("registry", role="internal", actor="gateway"))  # another audience
