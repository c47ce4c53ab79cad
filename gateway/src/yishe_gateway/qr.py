"""Signed 一社一码 QR codes. The code only carries a signed profile URL: the colour is looked up on every
scan and never baked into the image (CODE-4), so a printed code never shows a stale colour."""

from __future__ import annotations

import hashlib
import hmac
import io
from functools import lru_cache

import segno

SIG_HEX_CHARS = 16  # 64 bits: a short URL keeps the QR version low, forging still needs the key
SCALE, BORDER = 8, 4


def sign_code(key: str, uscc: str) -> str:
    return hmac.new(key.encode(), uscc.encode(), hashlib.sha256).hexdigest()[:SIG_HEX_CHARS]


def verify_code(key: str, uscc: str, sig: str) -> bool:
    # Bytes, not str: compare_digest refuses non-ASCII str, and a forged sig may contain anything.
    return hmac.compare_digest(sign_code(key, uscc).encode(), sig.encode("utf-8", "surrogatepass"))


def signed_url(public_base_url: str, key: str, uscc: str) -> str:
    return f"{public_base_url.rstrip('/')}/v1/code/{uscc}?sig={sign_code(key, uscc)}"


def make(url: str) -> segno.QRCode:
    # error="m" survives a scuffed print; micro=False because phone scanners often cannot read Micro QR.
    return segno.make_qr(url, error="m")


@lru_cache(maxsize=4096)  # a code's image never changes (no colour in it), and a PNG costs ~7 ms of CPU
def render(url: str, kind: str) -> bytes:
    """`kind` is "svg" or "png"; black on white at a fixed scale with the standard 4-module quiet zone."""
    buf = io.BytesIO()
    make(url).save(buf, kind=kind, scale=SCALE, border=BORDER)
    return buf.getvalue()
