"""`offline_docs`: Swagger UI and ReDoc served with their assets by the process itself (no CDN), under a CSP that
allows nothing but the same origin (issue 15: /docs was a blank page on an intranet)."""

from __future__ import annotations

import re

import httpx
from fastapi import FastAPI

from yishe_kit.docs import ASSET_FILES, offline_docs


async def test_docs_pages_and_their_assets_come_from_the_app_itself() -> None:
    app = FastAPI(title="测试服务", docs_url=None, redoc_url=None)
    offline_docs(app, openapi_url="/openapi.json", title="测试服务")
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://svc") as client:
        for page in ("/docs", "/redoc"):
            resp = await client.get(page)
            assert resp.status_code == 200 and "测试服务" in resp.text
            assert resp.headers["content-security-policy"].startswith("default-src 'self';")
            urls = re.findall(r'(?:src|href)="([^"]+)"', resp.text) + re.findall(r"url: '([^']+)'", resp.text)
            assert urls and all(u.startswith("/") for u in urls), urls
        for name in ASSET_FILES:
            asset = await client.get(f"/docs/assets/{name}")
            assert asset.status_code == 200 and len(asset.content) > 1000, name
