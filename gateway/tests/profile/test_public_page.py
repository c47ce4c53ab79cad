"""The public page reads as a person expects (issue 15, CODE-3, CODE-4): the registering authority by name (GB/T 2260
table with its source), no repeated words, every colour explained with the current one marked, and a way to
complain; the anonymous complaint form reaches the credit service's intake and shows a tracking code."""

from __future__ import annotations

import re

import pytest

from yishe_gateway.profile.divisions import full_name, table

HTML = {"Accept": "text/html"}


def test_division_names_come_from_the_committed_table_with_its_source() -> None:
    """CODE-4: registering authority by name; the table names its source and date."""
    assert full_name("330302") == "温州市鹿城区"
    assert full_name("330302006") == "温州市鹿城区五马街道"
    assert full_name("330300") == "温州市" and full_name("330000") == "浙江省"
    assert full_name("110105") == "北京市朝阳区"  # a municipality: no 市辖区 placeholder in the name
    assert full_name("999999") is None and full_name("33") is None and full_name(None) is None
    meta = table()
    assert "国家统计局" in meta["source"] and meta["as_of"] == "2023-06-30"
    assert sum(1 for c in meta["names"] if len(c) == 6) > 3000  # every province, city and county


async def test_page_names_the_authority_explains_colours_and_links_the_complaint_form(gw, fake, make_uscc) -> None:
    """CODE-3/CODE-4: 温州市鹿城区 not 330302; 评估等级：暂无 (no repeated words); all five colours explained, the
    current one marked; a link to the anonymous complaint form for this organisation."""
    _, client = gw
    uscc = make_uscc("330302")
    bodies = fake.add(uscc, colour="yellow")
    bodies["registry"]["grade"] = None
    html = (await client.get(f"/v1/code/{uscc}", headers=HTML)).text
    assert "<dt>登记管理机关</dt><dd>温州市鹿城区" in html and "登记机关区划" not in html
    assert "<dt>评估等级</dt><dd>暂无</dd>" in html and "暂无评估等级" not in html
    legend = html[html.index('aria-label="颜色说明"'):]
    legend = legend[:legend.index("</section>")]
    for label in ("红码", "橙码", "黄码", "绿码", "蓝码"):
        assert label in legend, label
    assert "严重违法失信名单" in legend and "活动异常名录" in legend and "3A" in legend
    [current] = re.findall(r'<li class="current">.*?</li>', legend)
    assert "黄码" in current and "（当前）" in current and legend.count("（当前）") == 1
    link = re.search(r'<a class="action" href="([^"]+)">投诉举报', html)
    assert link is not None and link.group(1).startswith("/v1/complaint?uscc=" + uscc)
    form = await client.get(link.group(1).replace("&amp;", "&"))
    assert form.status_code == 200 and form.headers["content-type"].startswith("text/html")
    assert f'name="target_uscc" value="{uscc}"' in form.text and "温州市鹿城区海韵公益服务中心" in form.text
    assert "匿名" in form.text and "<script" not in form.text


async def test_page_shows_the_code_when_the_table_does_not_know_it(gw, fake, make_uscc) -> None:
    _, client = gw
    uscc = make_uscc("330302")
    fake.add(uscc)["registry"]["division_code"] = "339999"
    html = (await client.get(f"/v1/code/{uscc}", headers=HTML)).text
    assert "<dt>登记管理机关</dt><dd>339999</dd>" in html


@pytest.mark.nats
async def test_anonymous_complaint_form_reaches_credit_and_tracks(stack, register, auth) -> None:
    """The form posts to credit's public intake as the anonymous caller (audited); the answer is a tracking code
    the complainant follows; a refusal is shown in the service's Chinese words, the form kept filled in."""
    from yishe_kit.testing import eventually

    uscc = await register(stack, "330302", name="温州市鹿城区投诉测试协会")

    async def credit_knows() -> bool:
        resp = await stack.gateway.get(f"/api/credit/v1/profiles/{uscc}", headers=stack.staff)
        return resp.status_code == 200

    await eventually(credit_knows)
    form = {"kind": "complaint", "target_uscc": uscc, "target_name": "温州市鹿城区投诉测试协会",
            "content": "该协会收取会费后未开展任何活动，也不退费。", "complainant_name": "", "complainant_phone": ""}
    sent = await stack.gateway.post("/v1/complaint", data=form)
    assert sent.status_code == 201, sent.text
    code = re.search(r'<strong class="code"[^>]*>([A-Za-z0-9]+)</strong>', sent.text).group(1)
    tracked = await stack.gateway.get("/v1/complaint/track", params={"code": code})
    assert tracked.status_code == 200 and "温州市鹿城区投诉测试协会" in tracked.text and "已收到" in tracked.text
    listed = (await stack.gateway.get("/api/credit/v1/complaints", headers=stack.staff)).json()
    [mine] = [c for c in listed if c["tracking_code"] == code]
    assert mine["anonymous"] is True and mine["target_uscc"] == uscc and mine["channel"] == "web"
    internal = auth.bearer(await auth.token(stack.app, "internal"))
    audit = (await stack.gateway.get("/v1/audit", params={"uscc": uscc}, headers=internal)).json()
    phases = [(e["actor"], e["detail"].get("phase")) for e in audit if e["detail"].get("what") == "complaint_form"]
    assert phases == [("anonymous", "attempt"), ("anonymous", "outcome")]

    refused = await stack.gateway.post("/v1/complaint", data={**form, "content": "差", "complainant_phone": "12"})
    assert refused.status_code == 400 and 'class="error"' in refused.text
    assert "差" in refused.text  # the form comes back filled in
    unknown = await stack.gateway.get("/v1/complaint/track", params={"code": "NOSUCHCODE00"})
    assert unknown.status_code == 404 and "没有这个查询码" in unknown.text


async def test_three_colour_mode_explains_three_colours(start_gateway, fake, make_uscc) -> None:
    """CODE-3: in three-colour mode (红/黄/绿) the page explains three colours, orange folded into yellow."""
    _, client = await start_gateway(colour_mode="three")
    uscc = make_uscc("330302")
    fake.add(uscc, colour="yellow")
    html = (await client.get(f"/v1/code/{uscc}", headers=HTML)).text
    legend = html[html.index('aria-label="颜色说明"'):]
    legend = legend[:legend.index("</section>")]
    assert all(c in legend for c in ("红码", "黄码", "绿码")) and "橙码" not in legend and "蓝码" not in legend
    assert "活动异常名录" in legend[legend.index("黄码"):]
