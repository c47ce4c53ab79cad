"""`/api/{service}/{path}`: forward to an allow-listed service with the gateway's signed assertion of the caller.

Writes need an authenticated caller (AUTH-5) except the few the services accept anonymously
(`GATEWAY_ANONYMOUS_WRITES`, e.g. a citizen's credit complaint); every write is audited before it is forwarded and
again with its outcome, every authenticated read with its status (AUDIT-1).
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator

import aiohttp
import orjson
import structlog
from fastapi import APIRouter, Request, Response
from yarl import URL

from yishe_kit.errors import NotFound

from .errors import Unauthorized
from .identity.dependencies import IdentityDep
from .identity.principal import Identity
from .identity.signing import HEADERS as SIGNATURE_HEADERS
from .upstream import session_of, trusted_headers, unavailable

router = APIRouter(tags=["proxy"])
log = structlog.get_logger("yishe.gateway.proxy")

METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]
WRITES = frozenset({"POST", "PUT", "PATCH", "DELETE"})
HOP_BY_HOP = frozenset({"connection", "keep-alive", "proxy-authenticate", "proxy-authorization",
                        "proxy-connection", "te", "trailer", "trailers", "transfer-encoding", "upgrade"})
# Set by the gateway or by aiohttp for the upstream hop, never copied from the client; credentials stop here.
SET_HERE = frozenset({"host", "content-length", "accept-encoding", "x-request-id", "x-correlation-id",
                      "authorization", "cookie", "traceparent", "tracestate", *SIGNATURE_HEADERS})
TRUSTED_PREFIX = "x-yishe-"
_USCC = re.compile(r"[0-9A-HJ-NPQRTUWXY]{18}")


def forwardable_headers(request: Request) -> dict[str, str]:
    """The client's headers minus hop-by-hop ones and every `X-Yishe-*` (a client's own assertion included): services
    trust only the assertion we mint for this call."""
    named_by_connection = {h.strip().lower() for h in request.headers.get("connection", "").split(",")}
    return {
        name: value for name, value in request.headers.items()
        if not name.startswith(TRUSTED_PREFIX)
        and name not in HOP_BY_HOP and name not in SET_HERE and name not in named_by_connection
    }


def upstream_url(base: str, path: str, query: str) -> URL:
    """Base URL + "/" + path + the client's raw query. yarl re-encodes the decoded path (a `%3F` stays path);
    the query goes verbatim (`encoded=True`) so it is not percent-encoded a second time."""
    root = URL(base)
    url = root.with_path(f"{root.path.rstrip('/')}/{path}")
    return URL(f"{url}?{query}", encoded=True) if query else url


def parse_anonymous_writes(rules: list[str]) -> list[tuple[str, str, re.Pattern[str]]]:
    parsed = []
    for rule in rules:
        service, method, pattern = rule.split(maxsplit=2)
        parsed.append((service, method.upper(), re.compile(pattern)))
    return parsed


def _anonymous_write_allowed(request: Request, service: str, path: str) -> bool:
    return any(s == service and m == request.method and p.fullmatch(path)
               for s, m, p in request.app.state.anonymous_writes)


def is_upload(routes: list[tuple[str, str, re.Pattern[str]]], method: str, full_path: str) -> bool:
    """An upload route (`GATEWAY_UPLOAD_ROUTES`): `/api/<service><path>` streamed to the service as it arrives."""
    if not full_path.startswith("/api/"):
        return False
    service, _, rest = full_path[5:].partition("/")
    return any(s == service and m == method and p.fullmatch("/" + rest) for s, m, p in routes)


def organisation_of(path: str, body: bytes) -> str | None:
    """The organisation a request is about, for the audit: a USCC in the path, else a top-level `uscc` in JSON."""
    for segment in path.split("/"):
        if _USCC.fullmatch(segment):
            return segment
    if body[:1] == b"{" and len(body) < 65536:
        try:
            found = orjson.loads(body).get("uscc")
        except (orjson.JSONDecodeError, AttributeError):
            return None
        return found if isinstance(found, str) and _USCC.fullmatch(found) else None
    return None


# What of a service's answer reaches the client: its type and, for a download, its file name.
# `Idempotent-Replayed`: the service answered a retried Idempotency-Key with its first answer (yishe_kit.idempotency).
ANSWER_HEADERS = ("content-type", "content-disposition", "idempotent-replayed")


def _answer_headers(resp: aiohttp.ClientResponse) -> dict[str, str]:
    return {h: resp.headers[h] for h in ANSWER_HEADERS if h in resp.headers}


@router.api_route("/api/{service}/{path:path}", methods=METHODS, include_in_schema=False)
async def proxy(service: str, path: str, request: Request, identity: IdentityDep) -> Response:
    """Forward one request to an allow-listed service and return its status, body and content type."""
    settings = request.app.state.settings
    base = settings.upstreams.get(service)
    if base is None:
        raise NotFound("unknown_service", f"no service is published under /api/{service}")
    writing = request.method in WRITES
    if writing and identity.anonymous and not _anonymous_write_allowed(request, service, f"/{path}"):
        raise Unauthorized("authentication_required", "写操作需要登录或签名请求",
                           "writes need a bearer token or a signed request")
    upload = is_upload(request.app.state.upload_routes, request.method, request.url.path)
    body = b"" if upload else await request.body()
    uscc = organisation_of(path, body)
    audit = request.app.state.audit
    if writing:
        await audit.record(identity, request, action="write", uscc=uscc, detail={"service": service,
                                                                                   "phase": "attempt"})
    status, content, answer_headers = await _forward(request, identity, service, base, path, body, upload=upload)
    if writing:
        try:
            await audit.record(identity, request, action="write", uscc=uscc, status=status,
                               detail={"service": service, "phase": "outcome"})
        except Exception as exc:  # the attempt is on record; the service has already acted
            log.error("audit of a write outcome failed", error=repr(exc), uscc=uscc, status=status)
    elif not identity.anonymous:
        await audit.record(identity, request, action="read", uscc=uscc, status=status, detail={"service": service})
    return Response(content, status_code=status, headers=answer_headers)


async def _forward(request: Request, identity: Identity, service: str, base: str, path: str,
                   body: bytes, *, upload: bool = False) -> tuple[int, bytes, dict[str, str]]:
    """One call to the service. An upload route's body goes chunk by chunk as it arrives (never held here), with no
    total time limit, only `upload_idle_timeout_seconds` without progress (the service answers 202 once it has it)."""
    settings = request.app.state.settings
    url = upstream_url(base, path, request.scope["query_string"].decode("latin-1"))
    headers = {**forwardable_headers(request), **trusted_headers(request, identity, service)}
    data: AsyncIterator[bytes] | bytes | None
    if upload:
        headers.pop("content-length", None)  # sent chunked
        limit = settings.upload_idle_timeout_seconds
        timeout = aiohttp.ClientTimeout(total=None, sock_connect=settings.proxy_timeout_for(service), sock_read=limit)
        data, late = request.stream(), (f"上传在 {limit} 秒内没有进展", f"made no progress within {limit} s")
    else:
        limit = settings.proxy_timeout_for(service)
        timeout = aiohttp.ClientTimeout(total=limit)
        data, late = body or None, (f"未在 {limit} 秒内响应", f"did not answer within {limit} s")
    try:
        # skip_auto_headers: a body the client sent without a content type must not gain one on the way.
        async with session_of(request).request(
            request.method, url, headers=headers, data=data, timeout=timeout, allow_redirects=False,
            skip_auto_headers=("Content-Type",),
        ) as resp:
            # Read whole: service answers are small JSON, and a timeout while reading still becomes a 504.
            return resp.status, await resp.read(), _answer_headers(resp)
    except TimeoutError as exc:
        raise unavailable(service, 504, *late) from exc
    except aiohttp.ClientError as exc:
        raise unavailable(service, 502, "无法访问", "is unreachable") from exc
