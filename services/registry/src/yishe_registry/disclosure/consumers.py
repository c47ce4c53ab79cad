"""Procurement facts that oblige a financial disclosure (DISC-2)."""

from __future__ import annotations

from yishe_contracts.events.procurement import ContractAwarded
from yishe_kit.context import HandlerContext

from ..organisation.models import Organisation
from . import service


async def on_contract_awarded(ctx: HandlerContext, event: ContractAwarded) -> None:
    """DISC-2: a purchase-of-services contract makes the year's disclosure due (repeats change nothing)."""
    org = await ctx.session.get(Organisation, event.uscc)
    if org is None:  # not registered here (a filed community organisation): nothing to oblige
        return
    await service.record_receipt(ctx.session, uscc=event.uscc, division_code=org.division_code, kind="purchase",
                                 amount=event.amount, received_on=event.awarded_on,
                                 source_ref=f"contract:{event.contract_id}",
                                 description=f"{event.title}（{event.purchaser}）", actor="procurement",
                                 rules=ctx.settings.rules)
