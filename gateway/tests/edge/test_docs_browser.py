"""`/docs` on an intranet (issue 15): real Chromium, every address but this machine's loopback cut off (a dead proxy
for the rest, and each request outside loopback aborted and recorded), loads Swagger UI with its Authorize button
(bearer token and signed-call headers) and ReDoc, from the gateway's own assets. Screenshots in the test's tmp dir
(printed; copied to $YISHE_SCREENSHOT_DIR when set). Skipped loudly without /usr/bin/chromium."""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from yishe_gateway.config import Upstreams
from yishe_gateway.main import create_app

CHROMIUM = Path("/usr/bin/chromium")
# Everything not on loopback goes to a proxy that is not there: no request can leave the machine.
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run", "--proxy-server=http://127.0.0.1:9"]
LOCAL = {"127.0.0.1", "localhost", "::1", "[::1]"}

pytestmark = pytest.mark.slow


@pytest.fixture
async def offline_browser():
    if not CHROMIUM.exists():
        pytest.skip("!!! /usr/bin/chromium is not installed: the offline /docs browser test did NOT run. "
                    "Run scripts/ensure-chromium.sh (CI does). !!!")
    from playwright.async_api import async_playwright

    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        context = await browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
        blocked: list[str] = []

        async def only_loopback(route) -> None:
            if urlsplit(route.request.url).hostname in LOCAL:
                await route.continue_()
            else:
                blocked.append(route.request.url)
                await route.abort("internetdisconnected")

        await context.route("**/*", only_loopback)
        yield await context.new_page(), blocked
        await context.close()
        await browser.close()


async def test_swagger_ui_and_redoc_render_with_no_network_but_loopback(fake, make_settings, serve_app,
                                                                        offline_browser, tmp_path: Path) -> None:
    page, blocked = offline_browser
    settings = make_settings(upstreams=Upstreams(**dict.fromkeys(("registry", "credit", "procurement", "party"),
                                                                 fake.url)), upstream_timeout_seconds=5.0)
    running = await serve_app(create_app(settings))

    assert (await page.goto(f"{running.url}/docs")).status == 200
    await page.locator(".swagger-ui .info .title").wait_for(timeout=30_000)
    assert "yishe" in await page.locator(".swagger-ui .info .title").inner_text()
    await page.locator(".opblock-tag").first.wait_for()
    assert await page.locator(".opblock-tag").count() > 5
    authorize = page.locator("button.authorize")
    assert await authorize.is_visible()
    await page.screenshot(path=str(tmp_path / "docs.png"))
    await authorize.click()
    dialog = page.locator(".modal-ux")
    await dialog.wait_for()
    text = await dialog.inner_text()
    assert "bearerAuth" in text and "X-App-Key" in text and "X-Signature" in text
    await page.screenshot(path=str(tmp_path / "authorize.png"))

    assert (await page.goto(f"{running.url}/redoc")).status == 200
    await page.locator(".api-info h1").wait_for(timeout=30_000)
    assert "yishe" in await page.locator(".api-info h1").inner_text()
    await page.screenshot(path=str(tmp_path / "redoc.png"))
    assert blocked == []  # nothing even tried to leave the machine

    print(f"screenshots: {tmp_path}")
    if target := os.environ.get("YISHE_SCREENSHOT_DIR"):
        (Path(target) / "docs").mkdir(parents=True, exist_ok=True)
        for shot in tmp_path.glob("*.png"):
            shutil.copy(shot, Path(target) / "docs" / shot.name)
