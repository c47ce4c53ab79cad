"""Domain errors with fixed status codes, rendered as `application/problem+json` by one handler."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse


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
                     headers: dict[str, str] | None = None) -> JSONResponse:
    body: dict[str, Any] = {"type": "about:blank", "title": code, "status": status, "code": code, "detail": detail}
    if problems:
        body["errors"] = problems
    return JSONResponse(body, status_code=status, media_type="application/problem+json", headers=headers)


async def _service_error(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, ServiceError)
    return problem_response(exc.status, exc.code, exc.detail, [p.as_dict() for p in exc.problems])


async def _validation_error(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    problems = []
    for err in exc.errors():
        loc = [str(p) for p in err.get("loc", ()) if p not in ("body", "query", "path")]
        problems.append(
            {"field": ".".join(loc) or None, "rule": err.get("type"), "message": err.get("msg"),
             "message_zh": f"字段 {'.'.join(loc) or '请求体'} 不符合要求：{err.get('msg')}"}
        )
    return problem_response(422, "validation_error", "request does not match the schema", problems)


def install_handlers(app: FastAPI) -> None:
    app.add_exception_handler(ServiceError, _service_error)
    app.add_exception_handler(RequestValidationError, _validation_error)


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
