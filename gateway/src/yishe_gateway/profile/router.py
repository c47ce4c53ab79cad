"""一社一码 routes: the profile (JSON, or the public page for a phone's browser), batches, signed QR codes."""

from __future__ import annotations

from datetime import date

from fastapi import APIRouter, Request, Response

from yishe_kit.bounds import DATE_MAX, DATE_MIN
from yishe_kit.errors import ServiceError, require_social_org_uscc

from .. import qr
from ..disclosure.policy import VIEWS
from ..errors import bad_request
from ..identity.dependencies import IdentityDep, current_identity
from . import page, service
from .schemas import BatchLookup

router = APIRouter(tags=["code"])
_bad_code: dict = {400: {"description": "malformed USCC; the problem names the rule (USCC-1..6)"}}
_auth = {401: {"description": "credentials present but refused (the reason is named)"},
         403: {"description": "the view asked for is not allowed for this role or jurisdiction"},
         429: {"description": "rate limit; see Retry-After"}}
JSON = "application/json"
NO_STORE = {"Cache-Control": "no-store"}


def wants_html(request: Request, fmt: str | None) -> bool:
    """A phone's browser opening a scanned code asks for text/html first; API clients get JSON."""
    if fmt is not None:
        return fmt == "html"
    accept = request.headers.get("accept", "")
    html, json = accept.find("text/html"), accept.find(JSON)
    return html >= 0 and (json < 0 or html < json)


def _query_parameters() -> list[dict]:
    def param(name: str, schema: dict, description: str) -> dict:
        return {"name": name, "in": "query", "required": False, "schema": schema, "description": description}

    uscc = {"name": "uscc", "in": "path", "required": True, "schema": {"type": "string", "minLength": 18,
                                                                        "maxLength": 18},
            "description": "the organisation's unified social credit code"}
    return [
        uscc,
        param("sig", {"type": "string"}, "the QR code's signature; the answer says whether it is the gateway's"),
        param("view", {"type": "string", "enum": list(VIEWS)}, "default: the fullest view the caller may have"),
        param("as_of", {"type": "string", "format": "date"},
              "the profile as effective at the end of that day (China time): events count on the day they take "
              "effect, as known now"),
        param("known_on", {"type": "string", "format": "date"},
              "with as_of: only what had been recorded by the end of that day (default: as known now)"),
        param("format", {"type": "string", "enum": ["json", "html"]}, "default: by Accept (a browser gets HTML)"),
    ]


# The hot path (every scan, every app, every department query): the route takes the bare request and reads its
# few query parameters itself, since FastAPI's parameter solving would cost more than the cached lookup
# (PERFORMANCE.md); the parameters are documented through `openapi_extra`.
@router.get("/v1/code/{uscc}", openapi_extra={"parameters": _query_parameters()},
            responses={**_bad_code, **_auth, 200: {"description": "the profile in the caller's view (JSON or HTML)"},
                       404: {"description": "unknown organisation"},
                       503: {"description": "registry unavailable and nothing held"}})
async def get_code_profile(request: Request) -> Response:
    """The 一社一码 profile in the caller's view (CODE-4); `as_of` = as effective on that day (`known_on`: as
    known then); HTML for a browser."""
    uscc = request.path_params["uscc"]
    query = request.query_params
    identity = await current_identity(request)
    view, as_of, fmt = query.get("view"), query.get("as_of"), query.get("format")
    known_on = query.get("known_on")
    if view is not None and view not in VIEWS:
        raise bad_request("invalid_view", "view", "CODE-4", f"视图须为 {'、'.join(VIEWS)} 之一",
                          f"view must be one of {', '.join(VIEWS)}")
    if fmt is not None and fmt not in ("json", "html"):
        raise bad_request("invalid_format", "format", None, "format 须为 json 或 html", "format must be json or html")
    if wants_html(request, fmt):
        return await _page(request, uscc, query.get("sig"))
    known = _day(known_on, "known_on") if known_on is not None else None
    day = _day(as_of) if as_of is not None else known
    body = await service.profile_json(request, identity, uscc, view=view, sig=query.get("sig"), as_of=day,
                                      known_on=known)
    return Response(body, media_type=JSON, headers=None if identity.anonymous else NO_STORE)


def _day(text: str, field: str = "as_of") -> date:
    try:
        day = date.fromisoformat(text)
    except ValueError as exc:
        raise bad_request(f"invalid_{field}", field, "CODE-5", f"{field} 须为 YYYY-MM-DD 格式的日期",
                          f"{field} must be a date YYYY-MM-DD") from exc
    if not DATE_MIN <= day <= DATE_MAX:  # e.g. 9999-12-31: its end of day does not exist (was a 500)
        raise bad_request(f"invalid_{field}", field, "CODE-5", f"{field} 须在 {DATE_MIN} 至 {DATE_MAX} 之间",
                          f"{field} must lie between {DATE_MIN} and {DATE_MAX}")
    return day


async def _page(request: Request, uscc: str, sig: str | None) -> Response:
    settings = request.app.state.settings
    try:
        view = await service.public_view(request, uscc)
    except ServiceError as exc:
        return Response(page.error(exc.status, uscc), status_code=exc.status, media_type="text/html; charset=utf-8",
                        headers={"Cache-Control": "no-store"})
    html = page.render(view, signature_valid=service.signature_state(settings, uscc, sig),
                       authority=settings.authority_name, colour_mode=settings.colour_mode)
    return Response(html, media_type="text/html; charset=utf-8", headers={"Cache-Control": "no-store"})


@router.post("/v1/code/batch", responses={400: {"description": "more codes than allowed"}, **_auth})
async def lookup_code_batch(data: BatchLookup, request: Request, identity: IdentityDep) -> Response:
    """Up to 100 profiles at once, in order; each result has its own status and, if refused, its error."""
    return Response(await service.batch(request, identity, data.codes, data.view), media_type=JSON)


def _qr(request: Request, uscc: str, kind: str, media_type: str) -> Response:
    require_social_org_uscc(uscc)
    settings = request.app.state.settings
    url = qr.signed_url(settings.public_base_url, settings.signing_key.get_secret_value(), uscc)
    return Response(qr.render(url, kind), media_type=media_type, headers={"Cache-Control": "public, max-age=86400"})


# Plain `def`: FastAPI runs these in its thread pool, so a first PNG render does not stall the event loop.
@router.get("/v1/code/{uscc}/qr.svg", response_class=Response, responses=_bad_code)
def get_code_qr_svg(uscc: str, request: Request) -> Response:
    """The organisation's QR code as SVG, encoding its signed public-profile URL (CODE-6)."""
    return _qr(request, uscc, "svg", "image/svg+xml")


@router.get("/v1/code/{uscc}/qr.png", response_class=Response, responses=_bad_code)
def get_code_qr_png(uscc: str, request: Request) -> Response:
    """The organisation's QR code as PNG, encoding its signed public-profile URL (CODE-6)."""
    return _qr(request, uscc, "png", "image/png")
