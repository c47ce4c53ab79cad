"""A phone (390×844, real Chromium) scans a registered organisation's code on the whole stack, reads the page —
the registering authority by name, every colour explained — follows the complaint link, fills in the anonymous
form and gets a tracking code. Screenshots land in the test's tmp dir (printed; copied to
$YISHE_SCREENSHOT_DIR when set). Skipped loudly without
/usr/bin/chromium (scripts/ensure-chromium.sh installs it)."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from yishe_gateway import qr
from yishe_gateway.config import Upstreams
from yishe_gateway.main import create_app
from yishe_kit.testing import eventually

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]
PHONE = {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 2, "is_mobile": True, "has_touch": True,
         "locale": "zh-CN",
         "user_agent": "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) "
                       "Chrome/126.0 Mobile Safari/537.36"}

pytestmark = [pytest.mark.slow, pytest.mark.nats]


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


def keep_screenshots(folder: Path, name: str) -> None:
    """pytest keeps only its last few tmp dirs: a person looking at the pictures later needs a copy."""
    print(f"screenshots: {folder}")
    if target := os.environ.get("YISHE_SCREENSHOT_DIR"):
        (Path(target) / name).mkdir(parents=True, exist_ok=True)
        for shot in folder.glob("*.png"):
            shutil.copy(shot, Path(target) / name / shot.name)


async def _fits(page) -> None:
    width = await page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert width[0] <= width[1] == 390


async def test_phone_reads_page_and_complains_anonymously(stack, register, make_settings, serve_app, phone,
                                                          tmp_path: Path) -> None:
    """CODE-3/CODE-4 and issue 15 on a phone: names not codes, colours explained, anonymous complaint."""
    uscc = await register(stack, "330302", name="温州市鹿城区手机扫码测试协会")

    async def credit_knows() -> bool:
        return (await stack.gateway.get(f"/api/credit/v1/profiles/{uscc}", headers=stack.staff)).status_code == 200

    await eventually(credit_knows)
    settings = make_settings(upstreams=Upstreams(**{n: r.url for n, r in stack.services.items()}),
                             upstream_timeout_seconds=5.0)
    app = create_app(settings)
    running = await serve_app(app)
    scanned = qr.signed_url(running.url, settings.signing_key.get_secret_value(), uscc)

    response = await phone.goto(scanned)
    assert response.status == 200
    details = phone.locator('section[aria-label="登记信息"]')
    assert "温州市鹿城区" in await details.inner_text() and "登记管理机关" in await details.inner_text()
    legend = phone.locator('section[aria-label="颜色说明"]')
    assert await legend.is_visible()
    text = await legend.inner_text()
    assert all(label in text for label in ("红码", "橙码", "黄码", "绿码", "蓝码"))
    assert "绿码" in await legend.locator("li.current").inner_text()
    assert "暂无评估等级" not in await phone.content()
    await _fits(phone)
    await phone.screenshot(path=str(tmp_path / "page.png"), full_page=True)

    await phone.locator("a.action").click()
    await phone.wait_for_url("**/v1/complaint?**")
    assert await phone.locator('input[name="target_name"]').input_value() == "温州市鹿城区手机扫码测试协会"
    await phone.locator("#content").fill("活动中向参加者收取高额费用，且未开具任何票据。")
    await _fits(phone)
    await phone.screenshot(path=str(tmp_path / "form.png"), full_page=True)
    await phone.locator('button[type="submit"]').click()
    await phone.wait_for_load_state()
    done = phone.locator('section[aria-label="已收到"]')
    assert await done.is_visible() and "查询码" in await done.inner_text()
    await phone.screenshot(path=str(tmp_path / "sent.png"), full_page=True)
    await phone.locator("a.action").click()
    await phone.wait_for_url("**/v1/complaint/track?code=**")
    assert "温州市鹿城区手机扫码测试协会" in await phone.locator("main").inner_text()
    for name in ("page", "form", "sent"):
        assert (tmp_path / f"{name}.png").stat().st_size > 10_000
    keep_screenshots(tmp_path, "public-page")
