"""A phone scanning the printed code: headless Chromium (Debian's `chromium`, driven by Playwright) opens the signed
URL in a phone-sized viewport; the page is Chinese, readable, fits the screen, shows the colour; a screenshot is
saved in the test's tmp dir. Skipped loudly when /usr/bin/chromium is absent (scripts/ensure-chromium.sh installs it).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from yishe_gateway import qr
from yishe_gateway.config import Upstreams
from yishe_gateway.main import create_app

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]
PHONE = {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 3, "is_mobile": True, "has_touch": True,
         "locale": "zh-CN",
         "user_agent": "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) "
                       "Chrome/126.0 Mobile Safari/537.36"}

pytestmark = pytest.mark.slow


@pytest.fixture
async def served_gateway(fake, make_settings, serve_app):
    sources = ("registry", "credit", "procurement", "party", "cultivation")
    settings = make_settings(upstreams=Upstreams(**dict.fromkeys(sources, fake.url)))
    app = create_app(settings)
    running = await serve_app(app)
    # The QR code encodes the public base URL: here, the address this gateway listens on.
    app.state.settings = settings.model_copy(update={"public_base_url": running.url})
    return app, running


@pytest.fixture
async def phone():
    if not CHROMIUM.exists():
        pytest.skip("!!! /usr/bin/chromium is not installed: the browser test of the public page did NOT run. "
                    "Run scripts/ensure-chromium.sh (CI does). !!!")
    from playwright.async_api import async_playwright

    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        context = await browser.new_context(**PHONE)
        yield await context.new_page()
        await context.close()
        await browser.close()


async def test_phone_opens_scanned_code_as_chinese_page_with_colour(served_gateway, phone, fake, make_uscc,
                                                                    tmp_path: Path) -> None:
    app, running = served_gateway
    uscc = make_uscc()
    fake.add(uscc, name="温州市鹿城区海韵社区公益服务中心", colour="orange", list_entries=[{
        "list_type": "abnormal", "reason": "未按规定报送年度工作报告", "listed_on": "2026-06-01",
        "decided_by": "温州市民政局"}])
    scanned = qr.signed_url(running.url, app.state.settings.signing_key.get_secret_value(), uscc)
    response = await phone.goto(scanned)
    assert response.status == 200 and response.headers["content-type"].startswith("text/html")
    assert await phone.evaluate("document.documentElement.lang") == "zh-CN"
    assert "温州市鹿城区海韵社区公益服务中心" in await phone.title()
    colour = phone.locator("section.colour")
    assert await colour.is_visible()
    assert "橙码" in await colour.inner_text() and "未按规定报送年度工作报告" in await colour.inner_text()
    assert await colour.evaluate("e => getComputedStyle(e).backgroundColor") == "rgb(239, 108, 0)"
    assert await phone.locator(".verify.ok").is_visible()
    # Fits a phone: nothing scrolls sideways, the text is legible without zooming.
    width = await phone.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert width[0] <= width[1] == 390
    assert await phone.evaluate("parseFloat(getComputedStyle(document.body).fontSize)") >= 16
    assert await phone.locator("h2").evaluate("e => parseFloat(getComputedStyle(e).fontSize)") >= 20
    shot = tmp_path / "phone.png"
    await phone.screenshot(path=str(shot), full_page=True)
    assert shot.read_bytes().startswith(b"\x89PNG") and shot.stat().st_size > 10_000
    print(f"phone screenshot: {shot}")


async def test_phone_sees_forgery_warning_when_signature_not_the_gateways(served_gateway, phone, fake,
                                                                         make_uscc) -> None:
    _, running = served_gateway
    uscc = make_uscc()
    fake.add(uscc)
    await phone.goto(f"{running.url}/v1/code/{uscc}?sig=0123456789abcdef")
    warning = phone.locator(".verify.bad")
    assert await warning.is_visible() and "可能被伪造" in await warning.inner_text()
