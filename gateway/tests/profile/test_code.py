"""The code routes refuse a malformed USCC before any upstream call; QR images carry the signed URL only."""

from __future__ import annotations

import hashlib
import hmac
import io

import pytest
import segno

from yishe_gateway.qr import verify_code

VALID = "51330300MJ8A2T0116"


class Tripwire:
    """Stands in for the aiohttp session: any upstream call is recorded and fails the request."""

    def __init__(self) -> None:
        self.calls: list[str] = []

    def get(self, url, **_):
        self.calls.append(url)
        raise AssertionError(f"upstream called: {url}")

    request = get


@pytest.fixture
def tripwire(dead_gateway) -> Tripwire:
    app, _ = dead_gateway
    app.state.http = Tripwire()
    return app.state.http


@pytest.mark.parametrize(("uscc", "rule"), [
    ("51330300MJ8A2T0117", "USCC-5"),  # wrong check character
    ("5133030", "USCC-1"),  # too short
    ("91330300MA2AXXXX1T", None),  # not a social organisation's code (USCC-2 among others)
])
@pytest.mark.parametrize("suffix", ["", "/qr.svg", "/qr.png"])
async def test_code_refused_400_naming_rule_when_malformed(dead_gateway, tripwire, uscc, rule, suffix) -> None:
    _, client = dead_gateway
    resp = await client.get(f"/v1/code/{uscc}{suffix}")
    assert resp.status_code == 400, resp.text
    assert resp.headers["content-type"].startswith("application/problem+json")
    rules = [e["rule"] for e in resp.json()["errors"]]
    assert rules[0] == rule if rule else "USCC-2" in rules
    assert tripwire.calls == []


async def test_profile_503_naming_registry_when_registry_unreachable(dead_gateway) -> None:
    _, client = dead_gateway
    resp = await client.get(f"/v1/code/{VALID}")
    assert resp.status_code == 503
    assert resp.headers["content-type"].startswith("application/problem+json")
    assert "registry" in resp.json()["detail"]
    assert resp.json()["errors"][0]["message_zh"].startswith("上游服务 registry")


def _signed_url(key: str, uscc: str) -> str:
    sig = hmac.new(key.encode(), uscc.encode(), hashlib.sha256).hexdigest()[:16]
    return f"http://127.0.0.1:8000/v1/code/{uscc}?sig={sig}"


def _render(content: str, kind: str) -> bytes:
    buf = io.BytesIO()
    segno.make_qr(content, error="m").save(buf, kind=kind, scale=8, border=4)
    return buf.getvalue()


async def test_qr_png_encodes_signed_profile_url_when_code_valid(dead_gateway) -> None:
    _, client = dead_gateway
    resp = await client.get(f"/v1/code/{VALID}/qr.png")
    assert resp.status_code == 200
    assert resp.headers["content-type"] == "image/png"
    assert resp.content.startswith(b"\x89PNG\r\n\x1a\n")
    assert resp.content == _render(_signed_url("test-key", VALID), "png")
    assert resp.content != _render(_signed_url("dev-only-signing-key", VALID), "png")


async def test_qr_svg_is_svg_of_the_same_code_when_code_valid(dead_gateway) -> None:
    _, client = dead_gateway
    resp = await client.get(f"/v1/code/{VALID}/qr.svg")
    assert resp.status_code == 200
    assert resp.headers["content-type"].startswith("image/svg+xml")
    assert b"<svg" in resp.content and resp.content.rstrip().endswith(b"</svg>")
    assert resp.content == _render(_signed_url("test-key", VALID), "svg")


def test_qr_is_regular_qr_with_medium_correction_when_made() -> None:
    qr = segno.make_qr(_signed_url("test-key", VALID), error="m")
    assert not qr.is_micro and qr.error in ("M", "Q", "H")  # segno may boost correction, never lower it


@pytest.mark.parametrize("sig", ["", "0123456789abcdef", "伪造的签名", "\udcff", "A" * 1000])
def test_verify_code_false_without_raising_when_sig_forged(sig: str) -> None:
    assert verify_code("test-key", VALID, sig) is False


def test_verify_code_true_when_signed_with_same_key() -> None:
    sig = _signed_url("test-key", VALID).rsplit("=", 1)[1]
    assert verify_code("test-key", VALID, sig) is True
    assert verify_code("other-key", VALID, sig) is False
