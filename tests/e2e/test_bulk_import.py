"""#11 through the whole stack: an import larger than the gateway's ordinary body limit, streamed through the gateway
by the operator's command line (`yishe import`), run as a job to its end, every organisation reaching the consumers."""

from __future__ import annotations

import asyncio
import subprocess
import sys
from pathlib import Path

import httpx
import nats
import pytest

from yishe_contracts.identifiers import encode_sequence, make_uscc
from yishe_kit.testing import eventually

pytestmark = [pytest.mark.e2e, pytest.mark.nats, pytest.mark.timeout(900)]
HEADER = "统一社会信用代码,名称,类型,登记管理机关区划代码,住所,法定代表人,业务范围,状态,成立登记日期,活动资金"
TRADE = "春夏秋冬梅兰竹菊松柏山川河海星辰日月风云金木水火土天地玄黄宇宙洪荒寒来暑往收藏闰余成岁律吕调阳"


def rows(n: int, *, start: int = 0, body: str = "EB", kind: str = "志愿服务协会") -> list[tuple[str, str]]:
    out = []
    for i in range(start, start + n):
        a, b = divmod(i, len(TRADE))
        c, a = divmod(a, len(TRADE))
        name = f"温州市瓯海区{TRADE[c]}{TRADE[a]}{TRADE[b]}{kind}"
        out.append((make_uscc(category="1", division_code="330304", body8=body + encode_sequence(i, 6)), name))
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


async def test_party_and_the_gateway_killed_during_a_bulk_propagation_lose_and_double_nothing(
        own_stack, bench_module) -> None:
    """Done means (#11): a consumer and the gateway killed -9 while an import's bulk events are still being taken in,
    and started again, leave each organisation exactly once in every consumer's store (Party record, PARTY-5, and its
    count history, credit profile, bidder and cultivation record with their credit colour, one change-feed entry per
    event, EXCH-1) and every profile complete. Fails if a killed transaction's events were lost (its messages acked
    before the commit, an outbox row lost) or doubled (an inbox that does not dedupe an item redelivered to the new
    process)."""
    stack = own_stack
    n = 20_000  # 20 bulk events: party is still taking them in when it is killed (asserted below)
    data = rows(n, start=50_000, body="KL", kind="文化促进会")
    text = "\ufeff" + "\n".join([HEADER, *(f"{u},{name},社会团体,330304,温州市瓯海区娄桥街道1号,李四,文化交流,active,"
                                           f"2014-03-01,20000" for u, name in data)]) + "\n"
    staff = {"Authorization": f"Bearer {stack.dev['staff']['token']}"}
    nc = await nats.connect(stack.nats_url)
    js = nc.jetstream()
    try:
        before = (await js.stream_info("REGISTRY")).state.last_seq
        async with httpx.AsyncClient(base_url=stack.gateway_url, headers=staff, timeout=60) as client:
            resp = await client.post("/api/registry/v1/exchange/import-jobs", content=text.encode(),
                                     params={"format": "csv", "source": "kill"}, headers={"content-type": "text/csv"})
            assert resp.status_code == 202, resp.text
            job_url = f"/api/registry/v1/jobs/{resp.json()['job_id']}"

            async def finished() -> dict | None:
                got = await client.get(job_url)
                return got.json() if got.status_code == 200 and got.json()["state"] == "succeeded" else None

            job = await eventually(finished, timeout=300, interval=0.05)
            assert job["result"]["created"] == n

        durable = "party-registry-organisations-imported-v1"

        async def party_started() -> int:
            floor = (await js.consumer_info("REGISTRY", durable)).ack_floor.stream_seq
            return floor if floor > before else 0

        at_kill = await eventually(party_started, timeout=120, interval=0.02)
        stack.kill("party")
        stack.kill("gateway")
        last = (await js.stream_info("REGISTRY")).state.last_seq
        assert at_kill < last, "party had taken in every event before the kill: the test proves nothing"
        await asyncio.to_thread(stack.relaunch, "party")
        await asyncio.to_thread(stack.relaunch, "gateway")
    finally:
        await nc.close()

    bench = bench_module("bulk_propagation")

    async def all_stored() -> list | None:
        ledger = await bench.stored(stack, "KL")
        return ledger if all((rows_, distinct) == (n, n) for _, _, rows_, distinct in ledger) else None

    # The killed processes' messages in flight come back after the consumers' ack wait (30 s).
    try:
        await eventually(all_stored, timeout=400, interval=1.0)
    except AssertionError:
        ledger = await bench.stored(stack, "KL")
        raise AssertionError(f"not each organisation exactly once: {ledger}") from None
    async with httpx.AsyncClient(base_url=stack.gateway_url, headers=staff, timeout=30) as client:
        for uscc, _ in data[:: n // 10]:
            profile = (await client.get(f"/v1/code/{uscc}")).json()
            assert not profile.get("pending_sources") and not profile.get("missing_sources"), profile
            assert profile["credit"] and profile.get("party") is not None, profile
