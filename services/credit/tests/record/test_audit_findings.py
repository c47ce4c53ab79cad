"""TPA-5 → CR-4.3: an adverse finding of an audit the registration authority commissioned is a credit record
(行政检查信息) with its evidence, recorded once however often the event arrives."""

from __future__ import annotations

from datetime import date

import pytest
from credit_factories import STAFF, open_org
from sqlalchemy import func, select

from yishe_contracts.envelope import Envelope
from yishe_contracts.events.registry import AuditFindingRecorded
from yishe_credit.db import metadata
from yishe_credit.record.models import CreditRecord
from yishe_kit.testing import eventually, publish_envelope

pytestmark = pytest.mark.nats


async def test_adverse_audit_finding_is_recorded_once_with_its_evidence(client, app, nats_server) -> None:
    """TPA-5 / CR-4.3: `registry.audit.finding_recorded.v1` → one inspection-class record carrying the evidence."""
    uscc = await open_org(app)
    finding = AuditFindingRecorded(uscc=uscc, engagement_id=7, finding_id=31, occasion="deregistration",
                                   audit_firm="温州信达会计师事务所", severity="moderate",
                                   summary="清算财产清单缺少固定资产明细", evidence=["清算审计报告第4页"],
                                   report_ref="attachment:qingsuan.pdf", reported_on=date(2026, 9, 1))
    envelopes = [Envelope.wrap(finding, source="registry") for _ in range(2)]  # same fact, two event ids
    for envelope in envelopes:
        await publish_envelope(nats_server.url, envelope)

    async def records() -> list[dict] | None:
        resp = await client.get(f"/v1/profiles/{uscc}/records?category=inspection", headers=STAFF)
        found = [r for r in resp.json() if r["kind"] == "audit_finding"] if resp.status_code == 200 else []
        return found or None

    inbox = app.state.sessionmaker

    async def both_consumed() -> bool:
        async with inbox() as session:
            table = metadata.tables["inbox"]
            ids = {e.id for e in envelopes}
            return len((await session.execute(select(table.c.event_id).where(table.c.event_id.in_(ids)))).all()) == 2

    await eventually(both_consumed)
    [record] = await eventually(records)
    assert record["formed_on"] == "2026-09-01" and "注销清算审计" in record["title"] and "较重" in record["title"]
    assert record["details"]["evidence"] == ["清算审计报告第4页"] and record["details"]["rule"] == "TPA-5"
    async with app.state.sessionmaker() as session:
        count = await session.scalar(select(func.count()).select_from(CreditRecord)
                                     .where(CreditRecord.uscc == uscc, CreditRecord.kind == "audit_finding"))
    assert count == 1
