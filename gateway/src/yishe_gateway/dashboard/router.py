"""`/dashboard`: the bureau staff's cultivation dashboard (培育发展看板), static files served by the gateway.

The page signs in with `POST /v1/auth/token` (the token is kept in the tab's sessionStorage) and reads the
cultivation service through the gateway (`/api/cultivation/v1/...`), which scopes every answer to the caller's
jurisdiction. Everything it loads comes from this origin: ECharts is vendored in `static/vendor/echarts/`
(scripts/vendor-echarts.sh), and the Content-Security-Policy below forbids any other source.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter
from fastapi.responses import FileResponse, RedirectResponse, Response

from yishe_kit.errors import NotFound

router = APIRouter(tags=["dashboard"], include_in_schema=False)

STATIC = Path(__file__).parent / "static"
# The files served, fixed at start: a request names one of these or gets a 404 (no path is ever joined).
FILES = {p.relative_to(STATIC).as_posix(): p for p in sorted(STATIC.rglob("*")) if p.is_file()}
MEDIA = {".html": "text/html; charset=utf-8", ".js": "text/javascript; charset=utf-8",
         ".css": "text/css; charset=utf-8", ".svg": "image/svg+xml", ".png": "image/png"}
CSP = ("default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
       "connect-src 'self'; font-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'")
HEADERS = {"Content-Security-Policy": CSP, "X-Content-Type-Options": "nosniff", "Referrer-Policy": "no-referrer"}


@router.get("/dashboard")
async def dashboard() -> Response:
    """The page (Chinese); it asks for a staff sign-in before it shows anything."""
    return FileResponse(FILES["index.html"], media_type=MEDIA[".html"],
                        headers={**HEADERS, "Cache-Control": "no-cache"})


@router.get("/dashboard/")
async def dashboard_slash() -> Response:
    return RedirectResponse("/dashboard", status_code=308)


@router.get("/dashboard/static/{name:path}")
async def static_file(name: str) -> Response:
    path = FILES.get(name)
    if path is None or name == "index.html":
        raise NotFound("not_found", f"no dashboard file {name}")
    media = MEDIA.get(path.suffix, "text/plain; charset=utf-8")
    return FileResponse(path, media_type=media, headers={**HEADERS, "Cache-Control": "public, max-age=3600"})
