"""`/api/{service}/{path}`: forward to an allow-listed service with the gateway's own trusted headers."""

from __future__ import annotations

from collections.abc import AsyncIterator

import aiohttp
from fastapi import APIRouter, Request, Response
from yarl import URL

from yishe_kit.errors import NotFound

from .upstream import session_of, trusted_headers, unavailable

router = APIRouter(tags=["proxy"])

METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]
HOP_BY_HOP = frozenset({"connection", "keep-alive", "proxy-authenticate", "proxy-authorization",
                        "proxy-connection", "te", "trailer", "trailers", "transfer-encoding", "upgrade"})
# Set by the gateway or by aiohttp for the upstream hop, never copied from the client.
SET_HERE = frozenset({"host", "content-length", "accept-encoding", "x-request-id", "x-correlation-id"})
TRUSTED_PREFIX = "x-yishe-"


def forwardable_headers(request: Request) -> dict[str, str]:
    """The client's headers minus hop-by-hop ones and every `X-Yishe-*`: services trust those from us alone."""
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


def _has_body(request: Request) -> bool:
    length = request.headers.get("content-length", "")
    return "transfer-encoding" in request.headers or (length.isdigit() and int(length) > 0)


async def _body(request: Request) -> AsyncIterator[bytes]:
    async for chunk in request.stream():
        if chunk:
            yield chunk


@router.api_route("/api/{service}/{path:path}", methods=METHODS, include_in_schema=False)
async def proxy(service: str, path: str, request: Request) -> Response:
    """Forward one request to an allow-listed service and return its status, body and content type."""
    settings = request.app.state.settings
    base = settings.upstreams.get(service)
    if base is None:
        raise NotFound("unknown_service", f"no service is published under /api/{service}")
    url = upstream_url(base, path, request.scope["query_string"].decode("latin-1"))
    headers = {**forwardable_headers(request), **trusted_headers(request)}
    if "content-length" in request.headers and "transfer-encoding" not in request.headers:
        headers["Content-Length"] = request.headers["content-length"]  # keeps the streamed body un-chunked
    timeout = aiohttp.ClientTimeout(total=settings.upstream_timeout_seconds)
    try:
        # skip_auto_headers: a body the client sent without a content type must not gain one on the way.
        async with session_of(request).request(
            request.method, url, headers=headers, data=_body(request) if _has_body(request) else None,
            timeout=timeout, allow_redirects=False, skip_auto_headers=("Content-Type",),
        ) as resp:
            # Read whole: service answers are small JSON, and a timeout while reading still becomes a 504.
            content = await resp.read()
            status, content_type = resp.status, resp.headers.get("content-type")
    except TimeoutError as exc:
        raise unavailable(service, 504, f"未在 {settings.upstream_timeout_seconds} 秒内响应",
                          f"did not answer within {settings.upstream_timeout_seconds} s") from exc
    except aiohttp.ClientError as exc:
        raise unavailable(service, 502, "无法访问", "is unreachable") from exc
    return Response(content, status_code=status, headers={"content-type": content_type} if content_type else None)
