"""#11 through the whole stack: an import larger than the gateway's ordinary body limit, streamed through the gateway
by the operator's command line (`yishe import`), run as a job to its end, every organisation reaching the consumers."""

from __future__ import annotations

import asyncio
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from yishe_contracts.identifiers import encode_sequence, make_uscc
from yishe_kit.testing import eventually

pytestmark = [pytest.mark.e2e, pytest.mark.nats, pytest.mark.timeout(900)]
HEADER = "统一社会信用代码,名称,类型,登记管理机关区划代码,住所,法定代表人,业务范围,状态,成立登记日期,活动资金"
TRADE = "春夏秋冬梅兰竹菊松柏山川河海星辰日月风云金木水火土天地玄黄宇宙洪荒寒来暑往收藏闰余成岁律吕调阳"


def rows(n: int) -> list[tuple[str, str]]:
    out = []
    for i in range(n):
        a, b = divmod(i, len(TRADE))
        c, a = divmod(a, len(TRADE))
        name = f"温州市瓯海区{TRADE[c]}{TRADE[a]}{TRADE[b]}志愿服务协会"
        out.append((make_uscc(category="1", division_code="330304", body8="EB" + encode_sequence(i, 6)), name))
    return out


async def test_a_large_csv_streamed_through_the_gateway_by_the_command_line_is_a_job(own_stack, tmp_path) -> None:
    stack = own_stack
    data = rows(1200)
    # A long business scope makes the file larger than the gateway's 1 MiB body limit with few organisations, so the
    # stack (shared by every e2e test) is not kept busy propagating them afterwards.
    padding = "公益服务、志愿活动、社区治理、文化交流" * 22
    text = "\ufeff" + "\n".join([HEADER, *(f"{u},{n},社会团体,330304,温州市瓯海区娄桥街道1号,李四,{padding},active,"
                                           f"2014-03-01,20000" for u, n in data)]) + "\n"
    path = Path(tmp_path) / "瓯海区存量社会组织.csv"
    path.write_text(text, encoding="utf-8")
    assert path.stat().st_size > 1_048_576
    token = stack.dev["staff"]["token"]
    done = subprocess.run(
        [sys.executable, "-m", "yishe_gateway.cli", "--url", stack.gateway_url, "--token", token, "import", str(path),
         "--report", str(tmp_path / "report.csv")], capture_output=True, text=True, timeout=600, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "导入结果" in done.stdout and "1,200" in done.stdout
    staff = {"Authorization": f"Bearer {token}"}
    async with httpx.AsyncClient(base_url=stack.gateway_url, headers=staff, timeout=30) as client:
        async def jobs() -> list | None:
            resp = await client.get("/api/registry/v1/jobs", params={"kind": "registry.import"})
            return resp.json() if resp.status_code == 200 else None  # a busy registry: ask again

        job = next(j for j in await eventually(jobs, timeout=120) if j["params"]["source"] == path.name)
        assert (job["state"], job["done"], job["result"]["created"]) == ("succeeded", 1200, 1200)
        last = data[-1][0]
        for _ in range(600):  # every organisation reaches the consumers: the last one's profile is complete
            profile = (await client.get(f"/v1/code/{last}")).json()
            if not profile.get("pending_sources") and profile.get("credit") and profile.get("party") is not None:
                break
            await asyncio.sleep(0.5)
        assert not profile.get("pending_sources"), profile
