"""Domain errors with fixed status codes, rendered as `application/problem+json` by one handler.

Chinese first: `detail` is Chinese unless the caller prefers English (`Accept-Language: en`); `detail_zh` and
`detail_en` carry both, and each problem names its field and rule with `message_zh` and `message` (English).
Validation errors are translated per error type (yishe_kit.i18n), never passed through in the library's English."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .i18n import EN, STATUS_EN, STATUS_ZH, ZH, language, validation_messages


@dataclass(frozen=True)
class Problem:
    """One refused condition: the field, the rule id and a human message in Chinese and English."""

    field: str | None
    rule: str | None
    message_zh: str
    message_en: str

    def as_dict(self) -> dict[str, Any]:
        return {"field": self.field, "rule": self.rule, "message_zh": self.message_zh, "message": self.message_en}


@dataclass
class ServiceError(Exception):
    code: str
    status: int
    detail: str
    problems: list[Problem] = field(default_factory=list)
    detail_zh: str | None = None  # else the problems' Chinese messages, else the status in Chinese

    def __str__(self) -> str:
        return f"{self.code}: {self.detail}"


class NotFound(ServiceError):
    def __init__(self, code: str, detail: str):
        super().__init__(code=code, status=404, detail=detail)


class Conflict(ServiceError):
    def __init__(self, code: str, detail: str, problems: list[Problem] | None = None):
        super().__init__(code=code, status=409, detail=detail, problems=problems or [])


class Forbidden(ServiceError):
    def __init__(self, code: str, detail: str):
        super().__init__(code=code, status=403, detail=detail)


class InvalidInput(ServiceError):
    """A business-rule refusal of well-formed input (400), listing each failed rule."""

    def __init__(self, code: str, detail: str, problems: list[Problem]):
        super().__init__(code=code, status=400, detail=detail, problems=problems)


def problem_response(status: int, code: str, detail: str, problems: list[dict[str, Any]] | None = None,
                     headers: dict[str, str] | None = None, *, detail_zh: str | None = None,
                     lang: str = EN) -> JSONResponse:
    """`detail` is English; with `detail_zh` the body carries both and `detail` is the one `lang` asks for."""
    body: dict[str, Any] = {"type": "about:blank", "title": code, "status": status, "code": code, "detail": detail}
    if detail_zh is not None:
        body["detail"] = detail_zh if lang == ZH else detail
        body["detail_zh"], body["detail_en"] = detail_zh, detail
        headers = {**(headers or {}), "Content-Language": "zh-CN" if lang == ZH else "en"}
    if problems:
        body["errors"] = problems
    return JSONResponse(body, status_code=status, media_type="application/problem+json", headers=headers)


def chinese_detail(exc: ServiceError) -> str:
    if exc.detail_zh:
        return exc.detail_zh
    if exc.problems:
        return "；".join(p.message_zh for p in exc.problems[:5])
    return f"{STATUS_ZH.get(exc.status, '请求未能完成')}（{exc.code}）"


def service_error_response(exc: ServiceError, lang: str = ZH, headers: dict[str, str] | None = None) -> JSONResponse:
    """A domain error as problem+json in the caller's language (the one rendering every handler and lane uses)."""
    return problem_response(exc.status, exc.code, exc.detail, [p.as_dict() for p in exc.problems], headers,
                            detail_zh=chinese_detail(exc), lang=lang)


def request_language(request: Request) -> str:
    return language(request.headers.get("accept-language"))


async def _service_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, ServiceError)
    return service_error_response(exc, request_language(request))


async def _validation_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    problems = []
    for err in exc.errors():
        field_, zh, en = validation_messages(err)
        problems.append(Problem(field_, str(err.get("type", "value_error")), zh, en))
    error = ServiceError("validation_error", 422, "the request does not match the API: "
                         + "; ".join(p.message_en for p in problems[:5]), problems,
                         detail_zh="请求不符合接口定义：" + "；".join(p.message_zh for p in problems[:5]))
    return service_error_response(error, request_language(request))


_FRAMEWORK_ZH = {
    "There was an error parsing the body":
        "请求体无法解析：内容不是 Content-Type 所声明的格式（如 JSON 须为 UTF-8 编码）",
}


async def _http_error(request: Request, exc: Exception) -> JSONResponse:
    """The framework's own refusals (unknown path, wrong method, unparsable body) in the same shape and language."""
    assert isinstance(exc, StarletteHTTPException)
    en = exc.detail if isinstance(exc.detail, str) else STATUS_EN.get(exc.status_code, "error")
    zh = _FRAMEWORK_ZH.get(en) or STATUS_ZH.get(exc.status_code, "请求未能完成")
    where = "body" if en in _FRAMEWORK_ZH else "path" if exc.status_code in (404, 405) else None
    error = ServiceError(f"http_{exc.status_code}", exc.status_code, en,
                         [Problem(where, f"HTTP-{exc.status_code}", zh, en)], detail_zh=zh)
    return service_error_response(error, request_language(request),
                                  headers=dict(exc.headers) if exc.headers else None)


def _outage_response(request: Request) -> JSONResponse:
    error = ServiceError("database_unavailable", 503, "the service's database is unavailable for a moment; "
                         "nothing was changed: try again",
                         detail_zh="服务的数据库暂时不可用，本次请求未作任何更改，请稍后重试")
    return service_error_response(error, request_language(request), headers={"Retry-After": "2"})


async def _database_unavailable(request: Request, exc: Exception) -> JSONResponse:
    """The database went away (restarted, failed over): 503 with Retry-After, never a bare 500. The request's
    transaction did not commit, so nothing was half-written; a client retries (with its Idempotency-Key)."""
    from .db import is_unavailable

    if not is_unavailable(exc):
        raise exc
    return _outage_response(request)


class DatabaseOutage:
    """The same answer for the layers that reach the database before any route does (the fragment lane, the
    idempotency claim): pure ASGI middleware outside them, so an outage there is a 503 problem, not a bare 500."""

    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def _send(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, receive, _send)
        except Exception as exc:
            from .db import is_unavailable

            if started or not is_unavailable(exc):
                raise
            await _outage_response(Request(scope))(scope, receive, send)


def install_handlers(app: FastAPI) -> None:
    from sqlalchemy.exc import DBAPIError

    app.add_exception_handler(DBAPIError, _database_unavailable)
    app.add_exception_handler(ConnectionError, _database_unavailable)
    app.add_exception_handler(ServiceError, _service_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)


def identifier_problems(found: list) -> list[Problem]:
    """Turn `yishe_contracts.identifiers` problems into kit problems."""
    return [Problem(p.field, p.rule, p.message_zh, p.message_en) for p in found]


def require_social_org_uscc(uscc: str) -> str:
    """A USCC in a path must be well-formed (USCC-10 strict): 400 naming the rule otherwise, before any lookup."""
    from yishe_contracts.identifiers import validate_social_org_uscc

    problems = validate_social_org_uscc(uscc)
    if problems:
        raise InvalidInput("invalid_uscc", "the unified social credit code is malformed", identifier_problems(problems))
    return uscc
