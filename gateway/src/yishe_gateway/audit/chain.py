"""The hash chain: canonical content of an entry, and the link to the one before it.

A link is HMAC-SHA256 under a key kept outside the database (`GATEWAY_AUDIT__HMAC_KEY`): someone who can write the
database but not read the gateway's settings cannot recompute the links after rewriting an entry."""

from __future__ import annotations

import hashlib
import hmac
from datetime import UTC, datetime
from typing import Any

import orjson

GENESIS = "0" * 64
FIELDS = ("seq", "at", "request_id", "action", "kind", "actor", "role", "division", "client", "method", "path",
          "uscc", "purpose", "status", "detail")


def canonical(entry: dict[str, Any]) -> bytes:
    content = {k: entry[k] for k in FIELDS}
    at: datetime = content["at"]
    content["at"] = at.astimezone(UTC).isoformat(timespec="microseconds")
    return orjson.dumps(content, option=orjson.OPT_SORT_KEYS)


def link(prev_hash: str, entry: dict[str, Any], key: bytes) -> str:
    return hmac.new(key, prev_hash.encode("ascii") + b"\n" + canonical(entry), hashlib.sha256).hexdigest()


def legacy_link(prev_hash: str, entry: dict[str, Any]) -> str:
    """The unkeyed link of entries written before the key existed (up to the anchor, models.AuditAnchor)."""
    return hashlib.sha256(prev_hash.encode("ascii") + b"\n" + canonical(entry)).hexdigest()
