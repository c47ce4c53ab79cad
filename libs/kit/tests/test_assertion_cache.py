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


def test_the_gateways_key_file_is_read_at_most_once_a_second_and_a_replaced_one_is_taken_up(tmp_path, monkeypatch):
    """The fan-out asks for the signing key on every cold lookup; the file is not read each time, yet a rotated key
    file is in use within KEY_FILE_REREAD_SECONDS."""
    first, second = generate_pem_pair()[0], generate_pem_pair()[0]
    path = tmp_path / "gateway.pem"
    path.write_text(first)
    settings = assertion.GatewayAssertionSettings(private_key_file=str(path))
    reads = []
    real = assertion.Path.read_text
    monkeypatch.setattr(assertion.Path, "read_text", lambda self, *a, **k: reads.append(1) or real(self, *a, **k))
    now = [1000.0]
    monkeypatch.setattr(assertion.time, "monotonic", lambda: now[0])
    assert [settings.pem() for _ in range(50)] == [first] * 50 and len(reads) == 1
    path.write_text(second)
    now[0] += assertion.KEY_FILE_REREAD_SECONDS / 2
    assert settings.pem() == first and len(reads) == 1
    now[0] += assertion.KEY_FILE_REREAD_SECONDS
    assert settings.pem() == second and len(reads) == 2
