"""One merged OpenAPI (EDGE-4): the gateway's own routes plus each service's, under `/api/<service>`.

Each service's live `/openapi.json` is fetched (paths prefixed, component schemas renamed `<service>__<Name>` with
references rewritten, tags prefixed, so nothing collides) and kept. Built reliably (issue 15: right after a start the
document had 19 of 189 paths, each service's schema request having timed out at the 1 s upstream timeout):

- fetched with its own, longer timeout (a service builds its schema on the first request: seconds on a busy
  machine) and retried with backoff on a failure; one fetch per service at a time, shared by every request;
- fetched in the background as soon as the gateway starts (`warm`), retried until every service has answered;
- kept, refreshed in the background every `REFRESH_SECONDS` (a redeployed service's new operations appear), the
  merged document cached until a service's document changes;
- a service that has not answered is named in the document itself: `x-missing-services` (and the older
  `x-missing-sources`), and a line in `info.description` that Swagger UI shows above everything.

Security schemes (so `/docs` has an Authorize button and generated clients know the credentials): `bearerAuth`
(the JWT from `POST /v1/auth/token`) and the four headers of a signed AppKey call (`appKey`, `appTimestamp`,
`appNonce`, `appSignature`, required together); anonymous access stays possible where the gateway allows it.
"""

from __future__ import annotations

import asyncio
import copy
import time
from typing import Any

import aiohttp
import orjson
import structlog
from fastapi import FastAPI

from yishe_kit.tasks import stop as stop_tasks

from ..upstream import SERVICES, get_json, internal_headers

log = structlog.get_logger("yishe.gateway.openapi")
REF = "#/components/schemas/"
FETCH_TIMEOUT_SECONDS = 10.0
ATTEMPTS = 3
BACKOFF_SECONDS = 0.5
REFRESH_SECONDS = 300.0
WARM_MAX_PAUSE_SECONDS = 30.0

BEARER: dict[str, list[str]] = {"bearerAuth": []}
SIGNED: dict[str, list[str]] = {"appKey": [], "appTimestamp": [], "appNonce": [], "appSignature": []}
_SIGNED_HOW = ("Signed system call (AppKey + HMAC-SHA256): send all four headers X-App-Key, X-Timestamp, X-Nonce, "
               "X-Signature; X-Signature = base64(HMAC-SHA256(secret, METHOD\\nPATH\\nCANONICAL_QUERY\\n"
               "hex(SHA-256(body))\\nTIMESTAMP\\nNONCE)). Each call needs a fresh nonce and signature: compute them "
               "with `python -m yishe_gateway.sign` (or your client's request hook), see gateway/README.md.")
SECURITY_SCHEMES = {
    "bearerAuth": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT",
                   "description": "A person's token from `POST /v1/auth/token` (username and password)."},
    "appKey": {"type": "apiKey", "in": "header", "name": "X-App-Key", "description": _SIGNED_HOW},
    "appTimestamp": {"type": "apiKey", "in": "header", "name": "X-Timestamp",
                     "description": "Unix seconds; refused outside ±300 s. " + _SIGNED_HOW},
    "appNonce": {"type": "apiKey", "in": "header", "name": "X-Nonce",
                 "description": "16–64 of A-Z a-z 0-9 _ -, never reused. " + _SIGNED_HOW},
    "appSignature": {"type": "apiKey", "in": "header", "name": "X-Signature", "description": _SIGNED_HOW},
}
# Who may call what (the gateway decides at run time; this tells clients): anonymous where allowed, else a person's
# token or a signed call; webhooks are for signed system clients only.
ANYONE = [BEARER, SIGNED, {}]
AUTHENTICATED = [BEARER, SIGNED]
REQUIREMENTS = (("/v1/webhooks", [SIGNED]), ("/v1/feed", AUTHENTICATED), ("/v1/audit", AUTHENTICATED),
                ("/v1/admin", [BEARER]), ("/v1/auth/me", AUTHENTICATED))


def add_security(doc: dict[str, Any]) -> dict[str, Any]:
    """The security schemes and, per operation, what it takes (in place; returns `doc`)."""
    doc.setdefault("components", {})["securitySchemes"] = copy.deepcopy(SECURITY_SCHEMES)
    doc["security"] = copy.deepcopy(ANYONE)
    for path, item in doc.get("paths", {}).items():
        wanted = next((req for prefix, req in REQUIREMENTS if path.startswith(prefix)), None)
        if wanted is None:
            continue
        for op in item.values():
            if isinstance(op, dict) and "responses" in op:
                op["security"] = copy.deepcopy(wanted)
    return doc


def install_security(app: FastAPI) -> None:
    """The app's own document (`/openapi/gateway.json`) carries the security schemes too."""
    build = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = add_security(build())
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


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
    merged["x-missing-services"] = missing
    merged["x-missing-sources"] = missing  # the older name
    if missing:
        info = merged.setdefault("info", {})
        note = (f"**暂缺以下服务的接口（服务尚未应答，稍后刷新本页）/ not loaded yet (the service has not answered; "
                f"reload later): {', '.join(missing)}**")
        info["description"] = note + ("\n\n" + info["description"] if info.get("description") else "")
    return add_security(merged)


class MergedOpenAPI:
    def __init__(self) -> None:
        self.docs: dict[str, dict[str, Any]] = {}
        self.fetched_at: dict[str, float] = {}
        self._fetching: dict[str, asyncio.Task[bool]] = {}
        self._versions: dict[str, int] = {}
        self._cached: tuple[tuple[Any, ...], bytes] | None = None

    async def _fetch(self, app: FastAPI, session: aiohttp.ClientSession, service: str) -> bool:
        settings = app.state.settings
        url = settings.upstreams.get(service).rstrip("/") + "/openapi.json"
        timeout = max(FETCH_TIMEOUT_SECONDS, settings.timeout_for(service))
        answer = None
        for attempt in range(ATTEMPTS):
            answer = await get_json(session, service, url, headers=internal_headers(settings, service),
                                    timeout=timeout)
            if answer.ok and isinstance(answer.body.get("paths"), dict):
                self.docs[service], self.fetched_at[service] = answer.body, time.monotonic()
                self._versions[service] = self._versions.get(service, 0) + 1
                return True
            if attempt + 1 < ATTEMPTS:
                await asyncio.sleep(BACKOFF_SECONDS * 2 ** attempt)
        log.warning("service OpenAPI not loaded", service=service, status=answer.status if answer else None)
        return False

    def fetch(self, app: FastAPI, session: aiohttp.ClientSession, service: str) -> asyncio.Task[bool]:
        """The one fetch of `service` in flight (started if none): every caller shares it."""
        task = self._fetching.get(service)
        if task is None or task.done():
            task = self._fetching[service] = asyncio.create_task(self._fetch(app, session, service),
                                                                 name=f"openapi-{service}")
        return task

    async def warm(self, app: FastAPI, session: aiohttp.ClientSession) -> None:
        """From the start: fetch every service's document, again after a growing pause, until all have answered."""
        pause = 1.0
        while missing := [s for s in SERVICES if s not in self.docs]:
            await asyncio.gather(*[self.fetch(app, session, s) for s in missing])
            if all(s in self.docs for s in SERVICES):
                return
            await asyncio.sleep(pause)
            pause = min(pause * 2, WARM_MAX_PAUSE_SECONDS)

    async def build(self, app: FastAPI, session: aiohttp.ClientSession) -> dict[str, Any]:
        return orjson.loads(await self.build_bytes(app, session))

    async def build_bytes(self, app: FastAPI, session: aiohttp.ClientSession) -> bytes:
        now = time.monotonic()
        missing = [s for s in SERVICES if s not in self.docs]
        if missing:  # wait for them (a fetch already in flight is joined), at most one fetch's timeout: a service
            # that hangs is named missing rather than holding the page; its fetch goes on for the next request
            tasks = [self.fetch(app, session, s) for s in missing]
            await asyncio.wait(tasks, timeout=FETCH_TIMEOUT_SECONDS + 1)
        for s in SERVICES:  # old documents: refreshed in the background, the kept one served meanwhile
            if s in self.docs and now - self.fetched_at[s] > REFRESH_SECONDS:
                self.fetch(app, session, s)
        key = tuple(self._versions.get(s, 0) for s in SERVICES)
        if self._cached is None or self._cached[0] != key:
            self._cached = key, orjson.dumps(merge(app.openapi(), {s: self.docs.get(s) for s in SERVICES}))
        return self._cached[1]

    async def close(self) -> None:
        await stop_tasks(list(self._fetching.values()))
