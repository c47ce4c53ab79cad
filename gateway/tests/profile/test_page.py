"""The public page of a scanned code (CODE-4 public view, Chinese, mobile first) and its content negotiation."""

from __future__ import annotations

from yishe_gateway import qr

BROWSER_ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8"


async def test_browser_gets_chinese_page_with_colour_and_reason_when_scanning(gw, fake, make_uscc) -> None:
    app, client = gw
    uscc = make_uscc()
    fake.add(uscc, colour="orange", list_entries=[{
        "list_type": "abnormal", "reason": "未按规定报送年度工作报告", "listed_on": "2026-06-01",
        "decided_by": "温州市民政局"}])
    sig = qr.sign_code(app.state.settings.signing_key.get_secret_value(), uscc)
    resp = await client.get(f"/v1/code/{uscc}", params={"sig": sig}, headers={"Accept": BROWSER_ACCEPT})
    assert resp.status_code == 200
    assert resp.headers["content-type"] == "text/html; charset=utf-8"
    html = resp.text
    assert '<html lang="zh-CN">' in html and 'name="viewport"' in html
    for text in ("温州市鹿城区海韵公益服务中心", uscc, "橙码", "列入活动异常名录：未按规定报送年度工作报告",
                 "活动异常名录", "2026-06-01", "4A级", "登记状态：正常", "防伪校验通过"):
        assert text in html, text
    for secret in ("11010519491231002X", "13912345678", "赵六", "内部风险提示"):
        assert secret not in html


async def test_page_warns_when_signature_forged(gw, fake, make_uscc) -> None:
    _, client = gw
    uscc = make_uscc()
    fake.add(uscc)
    resp = await client.get(f"/v1/code/{uscc}", params={"sig": "0123456789abcdef", "format": "html"})
    assert "防伪校验未通过" in resp.text and 'class="verify bad"' in resp.text


async def test_page_escapes_what_services_return(gw, fake, make_uscc) -> None:
    _, client = gw
    uscc = make_uscc()
    fake.add(uscc, name="<script>alert(1)</script>协会")
    resp = await client.get(f"/v1/code/{uscc}", params={"format": "html"})
    assert "<script>alert(1)" not in resp.text and "&lt;script&gt;" in resp.text


async def test_page_in_chinese_with_status_when_code_malformed_or_unknown(gw, make_uscc) -> None:
    _, client = gw
    bad = await client.get("/v1/code/51330300MJ8A2T0117", headers={"Accept": BROWSER_ACCEPT})
    assert bad.status_code == 400 and "二维码内容无效" in bad.text
    unknown = await client.get(f"/v1/code/{make_uscc()}", headers={"Accept": BROWSER_ACCEPT})
    assert unknown.status_code == 404 and "未找到该社会组织" in unknown.text


async def test_api_clients_keep_json_when_accepting_anything(gw, fake, make_uscc) -> None:
    _, client = gw
    uscc = make_uscc()
    fake.add(uscc)
    for accept in ("*/*", "application/json", "application/json, text/html"):
        resp = await client.get(f"/v1/code/{uscc}", headers={"Accept": accept})
        assert resp.headers["content-type"] == "application/json", accept


async def test_page_shows_charity_qualification_when_granted(gw, fake, make_uscc) -> None:
    _, client = gw
    uscc = make_uscc()
    fake.add(uscc)
    fake.bodies["registry"][uscc]["qualifications"] = {"charity": {"status": "granted", "valid_until": "2029-06-30"},
                                                       "public_fundraising": {"status": "revoked"}}
    html = (await client.get(f"/v1/code/{uscc}", params={"format": "html"})).text
    assert "慈善组织认定" in html and "2029-06-30" in html and "公开募捐资格" not in html
