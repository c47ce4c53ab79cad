"""Public routes of the 一社一码: the merged profile and its signed QR code; liveness and readiness."""

from __future__ import annotations

import asyncio

from fastapi import APIRouter, Request, Response

from yishe_kit.errors import require_social_org_uscc

from . import qr
from .profile import fetch_all, merge
from .upstream import SERVICES, get_json, json_response, session_of, trusted_headers

router = APIRouter()
_bad_code = {400: {"description": "malformed USCC; the problem names the rule (USCC-1..6)"}}


@router.get("/v1/code/{uscc}", tags=["code"],
            responses={**_bad_code, 404: {"description": "unknown organisation"},
                       503: {"description": "registry unavailable"}})
async def get_code_profile(uscc: str, request: Request, sig: str | None = None) -> Response:
    """The public 一社一码 profile: registration, colour, Party building, procurement, with missing sources named."""
    require_social_org_uscc(uscc)
    settings = request.app.state.settings
    profile = merge(uscc, await fetch_all(session_of(request), settings, uscc, trusted_headers(request)))
    key = settings.signing_key.get_secret_value()
    profile["signature_valid"] = None if sig is None else qr.verify_code(key, uscc, sig)
    return json_response(profile)


def _qr(request: Request, uscc: str, kind: str, media_type: str) -> Response:
    require_social_org_uscc(uscc)
    settings = request.app.state.settings
    url = qr.signed_url(settings.public_base_url, settings.signing_key.get_secret_value(), uscc)
    return Response(qr.render(url, kind), media_type=media_type, headers={"Cache-Control": "public, max-age=86400"})


# Plain `def`: FastAPI runs these in its thread pool, so a first PNG render does not stall the event loop.
@router.get("/v1/code/{uscc}/qr.svg", tags=["code"], response_class=Response, responses=_bad_code)
def get_code_qr_svg(uscc: str, request: Request) -> Response:
    """The organisation's QR code as SVG, encoding its signed public-profile URL."""
    return _qr(request, uscc, "svg", "image/svg+xml")


@router.get("/v1/code/{uscc}/qr.png", tags=["code"], response_class=Response, responses=_bad_code)
def get_code_qr_png(uscc: str, request: Request) -> Response:
    """The organisation's QR code as PNG, encoding its signed public-profile URL."""
    return _qr(request, uscc, "png", "image/png")


@router.get("/health/live", tags=["health"])
async def live() -> Response:
    """The process is up."""
    return json_response({"status": "ok"})


@router.get("/health/ready", tags=["health"])
async def ready(request: Request) -> Response:
    """Ready once the upstream client exists; each service's readiness is reported, never a reason to fail."""
    session = getattr(request.app.state, "http", None)
    if session is None or session.closed:
        return json_response({"status": "unavailable", "upstreams": {}}, status=503)
    settings = request.app.state.settings
    answers = await asyncio.gather(*[
        get_json(session, name, settings.upstreams.get(name).rstrip("/") + "/health/ready",
                 headers=trusted_headers(request), timeout=settings.upstream_timeout_seconds)
        for name in SERVICES
    ])
    upstreams = {a.source: ("unreachable" if a.status is None else a.status) for a in answers}
    return json_response({"status": "ok", "upstreams": upstreams})
