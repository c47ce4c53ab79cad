"""Signed system calls (AppKey + HMAC-SHA256) and the derivation of client and webhook secrets.

The string to sign is six lines joined by "\\n":
    METHOD                      upper case
    PATH                        the request path exactly as sent (percent-encoded), without the query
    CANONICAL QUERY             pairs decoded as a form, sorted by name then value, re-encoded (RFC 3986), joined "&"
    BODY SHA-256                lower-case hex of the raw body (of b"" when there is none)
    TIMESTAMP                   unix seconds, as sent in X-Timestamp
    NONCE                       as sent in X-Nonce (16–64 of A-Z a-z 0-9 _ -)
X-Signature = base64(HMAC-SHA256(secret, that string)). Headers: X-App-Key, X-Timestamp, X-Nonce, X-Signature.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
import time
from urllib.parse import parse_qsl, quote

NONCE = re.compile(r"[A-Za-z0-9_\-]{16,64}")
HEADERS = ("x-app-key", "x-timestamp", "x-nonce", "x-signature")


def canonical_query(raw: str) -> str:
    pairs = sorted(parse_qsl(raw, keep_blank_values=True))
    return "&".join(f"{quote(k, safe='-_.~')}={quote(v, safe='-_.~')}" for k, v in pairs)


def string_to_sign(method: str, path: str, query: str, body: bytes, timestamp: str, nonce: str) -> str:
    return "\n".join([method.upper(), path, canonical_query(query), hashlib.sha256(body).hexdigest(), timestamp,
                      nonce])


def signature(secret: str, method: str, path: str, query: str, body: bytes, timestamp: str, nonce: str) -> str:
    mac = hmac.new(secret.encode(), string_to_sign(method, path, query, body, timestamp, nonce).encode(),
                   hashlib.sha256)
    return base64.b64encode(mac.digest()).decode("ascii")


def signed_headers(app_key: str, secret: str, method: str, path: str, query: str = "", body: bytes = b"",
                   *, timestamp: int | None = None, nonce: str | None = None) -> dict[str, str]:
    """What a client sends; used by `python -m yishe_gateway.sign`, the tests and the benchmark."""
    ts = str(int(time.time()) if timestamp is None else timestamp)
    nonce = nonce or secrets.token_urlsafe(18)
    return {"X-App-Key": app_key, "X-Timestamp": ts, "X-Nonce": nonce,
            "X-Signature": signature(secret, method, path, query, body, ts, nonce)}


def derive_secret(master: str, purpose: str, ident: str, salt: str) -> str:
    """A secret that exists only while the gateway holds `master`: rotating the master invalidates every one."""
    mac = hmac.new(master.encode(), f"yishe/{purpose}\x00{ident}\x00{salt}".encode(), hashlib.sha256)
    return base64.urlsafe_b64encode(mac.digest()).decode("ascii").rstrip("=")


def new_salt() -> str:
    return secrets.token_hex(16)
