"""`/api/{service}/...` passes a download's file name on: the registry's CSV export keeps its BOM, Chinese header
and `Content-Disposition` (UTF-8 `filename*`) through the gateway (issue 15, Chinese first)."""

from __future__ import annotations

from urllib.parse import unquote


async def test_csv_export_through_gateway_keeps_bom_chinese_header_and_file_name(stack, register) -> None:
    uscc = await register(stack, "330302", name="温州市鹿城区下载测试协会")
    resp = await stack.gateway.get("/api/registry/v1/exchange/export", params={"format": "csv"}, headers=stack.staff)
    assert resp.status_code == 200, resp.text
    assert resp.headers["content-type"].startswith("text/csv") and resp.content.startswith("\ufeff".encode())
    lines = resp.content.decode("utf-8-sig").splitlines()
    assert lines[0].startswith("统一社会信用代码,名称,组织类型,") and any(line.startswith(uscc) for line in lines)
    disposition = resp.headers["content-disposition"]
    assert unquote(disposition.split("filename*=UTF-8''")[1]).startswith("社会组织登记信息-")
