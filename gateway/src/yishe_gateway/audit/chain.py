"""The hash chain: canonical content of an entry, and the link to the one before it."""

from __future__ import annotations

import hashlib
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


def link(prev_hash: str, entry: dict[str, Any]) -> str:
    return hashlib.sha256(prev_hash.encode("ascii") + b"\n" + canonical(entry)).hexdigest()
