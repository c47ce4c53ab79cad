"""Every registry status fits the bidder read model (issue 13: "registration_cancelled", 撤销, is 22 characters; on
PostgreSQL a 20-character column refused it and the consumer dead-lettered the event)."""

from __future__ import annotations

from datetime import UTC, date, datetime

from procurement_fixtures.factories import known_org

from yishe_contracts.events.registry import OrganisationStatus, OrganisationStatusChanged
from yishe_procurement.bidder import service


async def test_bidder_records_every_registry_status_when_status_changes(app, client) -> None:
    """PROC-4 item 6 reads the status: each value registry can send is stored as sent."""
    for status in OrganisationStatus:
        uscc = await known_org(app)
        async with app.state.sessionmaker() as session, session.begin():
            await service.record_status(session, OrganisationStatusChanged(
                uscc=uscc, from_status="active", to_status=status, rule="REG-2", reason="登记状态变更",
                effective_date=date(2026, 11, 21), decided_by="温州市民政局"), datetime.now(UTC))
        body = (await client.get(f"/v1/bidders/{uscc}")).json()
        assert body["registration_status"] == status.value
