"""One merged OpenAPI (EDGE-4): the gateway's own routes plus each service's, under `/api/<service>`.

Each service's live `/openapi.json` is fetched once (retried while missing); its paths are prefixed, its component
schemas renamed `<service>__<Name>` (references rewritten) and its tags prefixed, so nothing collides.
"""

from __future__ import annotations

import asyncio
import copy
from typing import Any

import aiohttp
from fastapi import FastAPI

from ..upstream import SERVICES, get_json

REF = "#/components/schemas/"


def _rename_refs(node: Any, service: str) -> Any:
    if isinstance(node, dict):
        return {k: (f"{REF}{service}__{v[len(REF):]}" if k == "$ref" and isinstance(v, str) and v.startswith(REF)
                    else _rename_refs(v, service)) for k, v in node.items()}
    if isinstance(node, list):
        return [_rename_refs(v, service) for v in node]
    return node


def merge(own: dict[str, Any], services: dict[str, dict[str, Any] | None]) -> dict[str, Any]:
    merged = copy.deepcopy(own)
    paths, schemas = merged.setdefault("paths", {}), merged.setdefault("components", {}).setdefault("schemas", {})
    tags = merged.setdefault("tags", [])
    missing = []
    for service, doc in services.items():
        if doc is None:
            missing.append(service)
            continue
        doc = _rename_refs(doc, service)
        for path, item in doc.get("paths", {}).items():
            if path.startswith("/health"):
                continue
            for op in item.values():
                if isinstance(op, dict) and "operationId" in op:
                    op["operationId"] = f"{service}-{op['operationId']}"
                    op["tags"] = [f"{service}: {t}" for t in op.get("tags", [])] or [service]
            paths[f"/api/{service}{path}"] = item
        for name, schema in doc.get("components", {}).get("schemas", {}).items():
            schemas[f"{service}__{name}"] = schema
        tags.append({"name": service, "description": doc.get("info", {}).get("title", service)})
    merged["x-missing-sources"] = missing
    return merged


class MergedOpenAPI:
    def __init__(self) -> None:
        self.docs: dict[str, dict[str, Any]] = {}

    async def build(self, app: FastAPI, session: aiohttp.ClientSession) -> dict[str, Any]:
        settings = app.state.settings
        wanted = [s for s in SERVICES if s not in self.docs]
        answers = await asyncio.gather(*[
            get_json(session, s, settings.upstreams.get(s).rstrip("/") + "/openapi.json", headers={},
                     timeout=settings.timeout_for(s)) for s in wanted])
        for answer in answers:
            if answer.ok:
                self.docs[answer.source] = answer.body
        return merge(app.openapi(), {s: self.docs.get(s) for s in SERVICES})
