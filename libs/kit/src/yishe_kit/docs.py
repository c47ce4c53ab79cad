"""API documentation that works on an intranet: Swagger UI at `/docs` and ReDoc at `/redoc`, their scripts, styles
and icon served by the process itself from the assets the `fastapi-offline` package ships (no CDN, no Google Fonts;
bureau intranets block both, and FastAPI's own pages load them from jsdelivr)."""

from __future__ import annotations

from pathlib import Path

import fastapi_offline
from fastapi import FastAPI, Request
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

ASSETS = Path(fastapi_offline.__file__).parent / "static"
ASSET_FILES = ("swagger-ui-bundle.js", "swagger-ui.css", "redoc.standalone.js", "favicon.png")
ASSETS_PATH = "/docs/assets"
# Nothing but this origin: ReDoc's sidebar would fetch its vendor's logo from a CDN (it hides the image when the
# load fails), and no later asset release can bring a CDN back unnoticed.
CSP = ("default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; "
       "img-src 'self' data:; font-src 'self' data:; connect-src 'self'; worker-src 'self' blob:; "
       "frame-ancestors 'self'")
SWAGGER_UI_PARAMETERS = {"persistAuthorization": True, "displayRequestDuration": True, "docExpansion": "none",
                         "filter": True, "tryItOutEnabled": False}


def _strict(page: HTMLResponse) -> HTMLResponse:
    page.headers["Content-Security-Policy"] = CSP
    return page


def offline_docs(app: FastAPI, *, openapi_url: str, title: str) -> None:
    """Serve `/docs` (Swagger UI) and `/redoc` for `openapi_url` from packaged assets. Call it before any catch-all
    route is added (routes match in order)."""
    missing = [name for name in ASSET_FILES if not (ASSETS / name).is_file()]
    if missing:  # a fastapi-offline release that moved its assets: fail at start, not with a blank page
        raise RuntimeError(f"fastapi-offline ships no {', '.join(missing)} under {ASSETS}")
    app.mount(ASSETS_PATH, StaticFiles(directory=ASSETS), name="docs-assets")

    @app.get("/docs", include_in_schema=False)
    async def swagger_ui(request: Request) -> HTMLResponse:
        root = request.scope.get("root_path", "")
        return _strict(get_swagger_ui_html(
            openapi_url=f"{root}{openapi_url}", title=f"{title} · API",
            swagger_js_url=f"{root}{ASSETS_PATH}/swagger-ui-bundle.js",
            swagger_css_url=f"{root}{ASSETS_PATH}/swagger-ui.css",
            swagger_favicon_url=f"{root}{ASSETS_PATH}/favicon.png", swagger_ui_parameters=SWAGGER_UI_PARAMETERS))

    @app.get("/redoc", include_in_schema=False)
    async def redoc(request: Request) -> HTMLResponse:
        root = request.scope.get("root_path", "")
        return _strict(get_redoc_html(openapi_url=f"{root}{openapi_url}", title=f"{title} · API",
                                      redoc_js_url=f"{root}{ASSETS_PATH}/redoc.standalone.js",
                                      redoc_favicon_url=f"{root}{ASSETS_PATH}/favicon.png", with_google_fonts=False))
