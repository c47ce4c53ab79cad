"""The committed OpenAPI documents (`contracts/openapi/`), generated from the apps' code like the event schemas.

    contracts/openapi/<service>.openapi.json   each service's own document (what it serves at /openapi.json)
    contracts/openapi/gateway.openapi.json     the gateway's own routes (its /openapi/gateway.json)
    contracts/openapi/yishe.openapi.json       the merged document the gateway serves at /openapi.json with every
                                               service up: what a department generates its client from

Used by `scripts/contracts.py generate|check`; needs the workspace environment (`make env`: the services and the
gateway installed). Building an app's document touches no database and no NATS.
"""

from __future__ import annotations

import importlib
import json
import os
from pathlib import Path
from typing import Any

DIR = "openapi"


def _dump(doc: dict[str, Any]) -> str:
    return json.dumps(doc, ensure_ascii=False, indent=2, sort_keys=True) + "\n"


def documents() -> dict[str, dict[str, Any]]:
    """name → document, for every service the gateway publishes, the gateway itself and the merged one."""
    os.environ.setdefault("YISHE_LOG_LEVEL", "warning")
    from yishe_gateway.edge.openapi import merge
    from yishe_gateway.main import create_app as create_gateway
    from yishe_gateway.upstream import SERVICES

    docs = {s: importlib.import_module(f"yishe_{s}.main").create_app().openapi() for s in SERVICES}
    own = create_gateway().openapi()
    return {**docs, "gateway": own, "yishe": merge(own, dict(docs))}


def render_all() -> dict[str, str]:
    """Path relative to `contracts/` → exact text."""
    return {f"{DIR}/{name}.openapi.json": _dump(doc) for name, doc in sorted(documents().items())}


def existing(root: Path) -> list[str]:
    return sorted(p.relative_to(root).as_posix() for p in (root / DIR).glob("*.json")) if (root / DIR).is_dir() \
        else []


def drift(root: Path, expected: dict[str, str] | None = None) -> list[str]:
    expected = render_all() if expected is None else expected
    problems = []
    for rel, text in expected.items():
        path = root / rel
        if not path.is_file():
            problems.append(f"missing: {rel}")
        elif path.read_bytes() != text.encode("utf-8"):
            problems.append(f"changed: {rel}")
    return problems + [f"extra: {rel}" for rel in existing(root) if rel not in expected]


def write(root: Path) -> tuple[list[str], list[str]]:
    files = render_all()
    written = []
    for rel, text in files.items():
        path = root / rel
        if not path.is_file() or path.read_bytes() != text.encode("utf-8"):
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(text.encode("utf-8"))
            written.append(rel)
    removed = [rel for rel in existing(root) if rel not in files]
    for rel in removed:
        (root / rel).unlink()
    return written, removed
