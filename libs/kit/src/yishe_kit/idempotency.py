"""`Idempotency-Key` on every writing request a service serves (POST, PUT, PATCH, DELETE; issue 12): a caller whose
answer was lost sends the same request again with the same key and gets the first answer back instead of doing the
work twice.

A key is scoped to the caller the gateway vouched for (role and actor of the assertion), the method and the path;
the request is identified by a SHA-256 of its query string, content type and body (byte for byte).

- first time: the request runs; a 2xx answer (status, content type, `Location`, body) is kept with the key;
- the same key and the same request again: the kept answer, marked `Idempotent-Replayed: true` (IDEM-1);
- the same key with another request (body, query or content type): 422 `idempotency_key_reused` (IDEM-2);
- the same key while the first request still runs: 409 `idempotency_key_in_flight` (IDEM-3);
- no key: the request runs as it always did. A key is 1–255 visible ASCII characters, else 400.

Only successes are kept: a refused request (4xx, 5xx) changed nothing, so its key is released and a retry runs
again. Nothing is done twice even when the answer is lost: the request's own session (`SessionDep`, yishe_kit.db)
is handed over here instead of committing, and the answer is written into it, so the state change and its kept
answer commit in one transaction, before the client sees a byte. A route that writes in its own sessions (a job) has
its answer kept in a second transaction right after. A key is first claimed in a short transaction of its own (the
row `running`); a claim whose request never finished (the process died: its transaction never committed) is taken
over after `in_flight_seconds`, and the loser of such a takeover rolls back (the answer is written only where the
claim is still its own). Keys are kept `ttl_hours` (default 24 h), then purged (at most once per
`purge_interval_seconds` per process, by the next keyed request).

The table is the service's own (`new_metadata(idempotency=True)`, created by the service's migration); the middleware
sits inside the assertion gate and the body limits (yishe_kit.app), and the header is in every writing operation of the
OpenAPI. A PUT is idempotent by HTTP's definition, but a repeated PUT or PATCH still writes history and emits its event
again; with a key, it does neither."""

from __future__ import annotations

import hashlib
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import structlog
from fastapi import FastAPI
from pydantic import BaseModel, Field
from sqlalchemy import Table, delete, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .assertion import principal_of
from .db import handover_var
from .errors import problem_response

HEADER = "Idempotency-Key"
HEADER_BYTES = HEADER.lower().encode()
REPLAYED = "Idempotent-Replayed"
KEPT_HEADERS = (b"content-type", b"location")
MAX_KEY = 255
METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})  # every method that writes
log = structlog.get_logger("yishe.idempotency")


class IdempotencySettings(BaseModel):
    enabled: bool = True
    ttl_hours: float = Field(24.0, gt=0, description="how long a key and its answer are kept")
    in_flight_seconds: float = Field(600.0, gt=0, description="a claim older than this without an answer is taken "
                                     "as abandoned (its process died) and may be taken over")
    purge_interval_seconds: float = Field(600.0, gt=0, description="expired keys are purged at most this often")


def _problem(status: int, code: str, zh: str, en: str, rule: str | None) -> Any:
    return problem_response(status, code, en, [{"field": HEADER, "rule": rule, "message_zh": zh, "message": en}])


def _valid(key: str) -> bool:
    return 0 < len(key) <= MAX_KEY and all(0x21 <= ord(c) <= 0x7E for c in key)


@dataclass
class Claim:
    """One keyed request's hold on its key; the request's session is handed to it instead of committing."""

    token: str
    session: AsyncSession | None = None
    open: bool = True

    def adopt(self, session: AsyncSession) -> bool:
        if not self.open or self.session is not None:
            return False
        self.session = session
        return True


@dataclass
class _Body:
    """Reads the request body through, hashing it, so streamed uploads are never held in memory here."""

    receive: Receive
    digest: Any
    done: bool = False

    async def __call__(self) -> Message:
        message = await self.receive()
        if message["type"] == "http.request":
            self.digest.update(message.get("body", b""))
            if not message.get("more_body", False):
                self.done = True
        elif message["type"] == "http.disconnect":
            self.done = True
        return message

    async def drain(self) -> str:
        while not self.done:
            await self()
        return str(self.digest.hexdigest())


@dataclass
class _Answer:
    status: int = 0
    headers: list[tuple[bytes, bytes]] = field(default_factory=list)
    chunks: list[bytes] = field(default_factory=list)

    async def send(self, message: Message) -> None:
        if message["type"] == "http.response.start":
            self.status = message["status"]
            self.headers = list(message.get("headers", []))
        elif message["type"] == "http.response.body":
            self.chunks.append(message.get("body", b""))

    @property
    def body(self) -> bytes:
        return b"".join(self.chunks)

    async def replay_to(self, send: Send) -> None:
        await send({"type": "http.response.start", "status": self.status, "headers": self.headers})
        await send({"type": "http.response.body", "body": self.body, "more_body": False})


class Idempotency:
    """The middleware: claim the key, run the request, keep a 2xx answer with it (see the module docstring)."""

    def __init__(self, app: ASGIApp, settings: IdempotencySettings) -> None:
        self.app = app
        self.settings = settings
        self._next_purge = 0.0

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] not in METHODS or not self.settings.enabled:
            await self.app(scope, receive, send)
            return
        raw = next((v for k, v in scope["headers"] if k == HEADER_BYTES), None)
        state = scope["app"].state
        table: Table | None = getattr(state, "idempotency_table", None)
        principal = principal_of(scope)
        if raw is None or table is None or principal is None:
            await self.app(scope, receive, send)
            return
        key = raw.decode("latin-1")
        if not _valid(key):
            await _problem(400, "idempotency_key_invalid", f"{HEADER} 须为 1–{MAX_KEY} 个可见 ASCII 字符",
                           f"{HEADER} must be 1-{MAX_KEY} visible ASCII characters", None)(scope, receive, send)
            return
        content_type = next((v for k, v in scope["headers"] if k == b"content-type"), b"")
        digest = hashlib.sha256(scope.get("query_string", b"") + b"\0" + content_type + b"\0")
        body = _Body(receive, digest)
        scope_id = hashlib.sha256("\n".join(
            (principal.role, principal.actor, scope["method"], scope["path"], key)).encode()).hexdigest()
        sessionmaker: async_sessionmaker[AsyncSession] = state.sessionmaker
        now = state.clock.real_now()
        await self._purge(sessionmaker, table, now)

        async with sessionmaker() as session:
            row = (await session.execute(select(table).where(table.c.scope_id == scope_id))).first()
        if row is not None and row.expires_at > now:
            if row.state == "done":
                same = await body.drain() == row.request_hash
                if not same:
                    await _problem(422, "idempotency_key_reused",
                                   f"{HEADER} 已用于另一个请求（请求体、查询参数或内容类型不同）；新请求须用新的键",
                                   f"{HEADER} was used for another request (body, query or content type differ); "
                                   "a new request needs a new key", "IDEM-2")(scope, receive, send)
                    return
                headers = [*(row.headers or []), ["idempotent-replayed", "true"]]
                await _Answer(row.status, [(k.encode("latin-1"), v.encode("latin-1")) for k, v in headers],
                              [row.body or b""]).replay_to(send)
                return
            if row.created_at + timedelta(seconds=self.settings.in_flight_seconds) > now:
                await self._in_flight(scope, receive, send)
                return
        claim = Claim(uuid.uuid4().hex)
        if not await self._claim(sessionmaker, table, scope_id, row, claim.token, key, principal, scope, now):
            await self._in_flight(scope, receive, send)
            return

        answer = _Answer()
        reset = handover_var.set(claim)
        try:
            await self.app(scope, body, answer.send)
        except BaseException:
            claim.open = False
            if claim.session is not None:
                await claim.session.rollback()
                await claim.session.close()
            await self._release(sessionmaker, table, scope_id, claim.token)
            raise
        finally:
            claim.open = False
            handover_var.reset(reset)
        if 200 <= answer.status < 300:
            request_hash = await body.drain()
            kept = [[k.decode("latin-1"), v.decode("latin-1")] for k, v in answer.headers if k in KEPT_HEADERS]
            values = {"state": "done", "request_hash": request_hash, "status": answer.status, "headers": kept,
                      "body": answer.body, "expires_at": now + timedelta(hours=self.settings.ttl_hours)}
            try:
                answer = await self._keep(sessionmaker, table, scope_id, claim, values, answer)
            except BaseException:  # the commit failed: nothing happened, the key is free again
                await self._release(sessionmaker, table, scope_id, claim.token)
                raise
        else:
            if claim.session is not None:  # a refusal the route answered without raising: as before, then release
                await _commit(claim.session)
            await self._release(sessionmaker, table, scope_id, claim.token)
        await answer.replay_to(send)

    async def _keep(self, sessionmaker: async_sessionmaker[AsyncSession], table: Table, scope_id: str, claim: Claim,
                    values: dict[str, Any], answer: _Answer) -> _Answer:
        """The answer into the key's row: in the request's own transaction when it was handed over (one commit for
        the state change and its answer), else in a transaction of its own."""
        stmt = update(table).where(table.c.scope_id == scope_id, table.c.token == claim.token).values(**values)
        session = claim.session
        own = session is None
        if session is None:
            session = sessionmaker()
        try:
            kept = (await session.execute(stmt)).rowcount == 1  # type: ignore[attr-defined]
            if kept or own:
                await session.commit()
            else:  # another request took the key over: this one's work rolls back unseen
                await session.rollback()
                return _Answer(409, *_in_flight_parts())
        except BaseException:
            await session.rollback()
            raise
        finally:
            await session.close()
        if not kept:
            log.warning("idempotency answer not kept: the key was taken over", scope_id=scope_id)
        return answer

    async def _claim(self, sessionmaker: async_sessionmaker[AsyncSession], table: Table, scope_id: str, row: Any,
                     token: str, key: str, principal: Any, scope: Scope, now: datetime) -> bool:
        values = {"token": token, "state": "running", "request_hash": None, "status": None, "headers": None,
                  "body": None, "created_at": now,
                  "expires_at": now + timedelta(hours=self.settings.ttl_hours)}
        try:
            async with sessionmaker() as session, session.begin():
                if row is None:
                    await session.execute(insert(table).values(
                        scope_id=scope_id, key=key, caller=f"{principal.role}:{principal.actor}"[:200],
                        method=scope["method"], path=scope["path"][:500], **values))
                    return True
                # An expired key or an abandoned claim: taken over only if nobody else did since it was read.
                result = await session.execute(update(table).where(
                    table.c.scope_id == scope_id, table.c.token == row.token).values(**values))
                return bool(result.rowcount == 1)  # type: ignore[attr-defined]
        except IntegrityError:  # a concurrent first request with the same key inserted it
            return False

    async def _release(self, sessionmaker: async_sessionmaker[AsyncSession], table: Table, scope_id: str,
                       token: str) -> None:
        async with sessionmaker() as session, session.begin():
            await session.execute(delete(table).where(table.c.scope_id == scope_id, table.c.token == token))

    async def _purge(self, sessionmaker: async_sessionmaker[AsyncSession], table: Table, now: datetime) -> None:
        if time.monotonic() < self._next_purge:
            return
        self._next_purge = time.monotonic() + self.settings.purge_interval_seconds
        async with sessionmaker() as session, session.begin():
            result = await session.execute(delete(table).where(table.c.expires_at < now))
        if result.rowcount:  # type: ignore[attr-defined]
            log.info("idempotency keys purged", count=result.rowcount)  # type: ignore[attr-defined]

    @staticmethod
    async def _in_flight(scope: Scope, receive: Receive, send: Send) -> None:
        await _Answer(409, *_in_flight_parts()).replay_to(send)


def _in_flight_parts() -> tuple[list[tuple[bytes, bytes]], list[bytes]]:
    response = _problem(409, "idempotency_key_in_flight",
                        f"使用同一 {HEADER} 的请求仍在处理中，请稍后重试",
                        f"a request with the same {HEADER} is still being processed; retry later", "IDEM-3")
    return list(response.raw_headers), [bytes(response.body)]


async def _commit(session: AsyncSession) -> None:
    try:
        await session.commit()
    except BaseException:
        await session.rollback()
        raise
    finally:
        await session.close()


# --- OpenAPI ------------------------------------------------------------------------------------------------------

PARAMETER = {
    "name": HEADER, "in": "header", "required": False,
    "description": ("Optional. The same key (per caller, method and path) with the same request returns the first "
                    "2xx answer, marked `Idempotent-Replayed: true`; with another body 422 `idempotency_key_reused`; "
                    "while the first still runs 409 `idempotency_key_in_flight`. Kept 24 h. 1-255 visible ASCII "
                    "characters, e.g. a UUID. 同一键重复提交返回首次结果，不重复办理。"),
    "schema": {"type": "string", "minLength": 1, "maxLength": MAX_KEY},
}


def document(app: FastAPI) -> None:
    """The header on every writing operation (`METHODS`) of the app's OpenAPI document, with its two refusals."""
    original: Callable[[], dict[str, Any]] = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is not None:
            return app.openapi_schema
        schema = original()
        for path, item in schema.get("paths", {}).items():
            if not path.startswith("/v1/"):
                continue
            for method in METHODS:
                operation = item.get(method.lower())
                if operation is None:
                    continue
                params = operation.setdefault("parameters", [])
                if not any(p.get("name") == HEADER for p in params):
                    params.append(dict(PARAMETER))
                responses = operation.setdefault("responses", {})
                responses.setdefault("409", {"description": "Conflict (also: the same Idempotency-Key is in flight)"})
                responses.setdefault("422", {"description": "Validation Error (also: Idempotency-Key reused with "
                                                            "another request)"})
        return schema

    app.openapi = openapi  # type: ignore[method-assign]


def install(app: FastAPI, settings: IdempotencySettings, table: Table | None) -> None:
    """The middleware (inside the gate and the limits: add it before them) and the header in the OpenAPI."""
    app.state.idempotency_table = table
    if table is None:
        return
    app.add_middleware(Idempotency, settings=settings)
    document(app)
