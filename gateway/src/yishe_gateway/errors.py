"""Gateway refusals that carry headers (401 WWW-Authenticate, 429 Retry-After), rendered like every kit problem."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from yishe_kit.errors import Problem, ServiceError, request_language, service_error_response


class Unauthorized(ServiceError):
    """401 naming why the credentials were refused (missing, expired, replayed, wrongly signed, …)."""

    def __init__(self, reason: str, message_zh: str, message_en: str, field: str | None = None):
        super().__init__(code=reason, status=401, detail=message_en,
                         problems=[Problem(field, "AUTH-1", message_zh, message_en)])


class RateLimited(ServiceError):
    def __init__(self, retry_after: int, limit: str):
        super().__init__(code="rate_limited", status=429, detail=f"rate limit {limit} exceeded",
                         problems=[Problem(None, "EDGE-1", f"请求过于频繁（上限 {limit}），请 {retry_after} 秒后再试",
                                           f"too many requests (limit {limit}); retry after {retry_after} s")])
        self.retry_after = retry_after


def forbidden(code: str, message_zh: str, message_en: str, rule: str = "CODE-4") -> ServiceError:
    """403 with the rule: a role asking for what it may not see or do."""
    problems = [Problem(None, rule, message_zh, message_en)]
    return ServiceError(code=code, status=403, detail=message_en, problems=problems)


def bad_request(code: str, field: str | None, rule: str | None, message_zh: str, message_en: str) -> ServiceError:
    problems = [Problem(field, rule, message_zh, message_en)]
    return ServiceError(code=code, status=400, detail=message_en, problems=problems)


async def _unauthorized(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, Unauthorized)
    return service_error_response(exc, request_language(request),
                                  headers={"WWW-Authenticate": f'Bearer error="{exc.code}", YISHE-HMAC-SHA256'})


async def _rate_limited(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RateLimited)
    return service_error_response(exc, request_language(request), headers={"Retry-After": str(exc.retry_after)})


def install(app: FastAPI) -> None:
    app.add_exception_handler(Unauthorized, _unauthorized)
    app.add_exception_handler(RateLimited, _rate_limited)
