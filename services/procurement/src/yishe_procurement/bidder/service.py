"""The bidder read model and the preliminary PROC-4 check (registered and active, on neither credit list)."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy.ext.asyncio import AsyncSession

from yishe_contracts.events.credit import CreditProfileOpened
from yishe_contracts.events.registry import OrganisationRegistered
from yishe_kit.errors import NotFound, require_social_org_uscc

from .models import Bidder
from .schemas import BidderRead, EligibilityProblem


async def _load(session: AsyncSession, uscc: str) -> Bidder:
    bidder = await session.get(Bidder, uscc)
    if bidder is None:
        bidder = Bidder(uscc=uscc, updated_at=datetime.now(UTC))
        session.add(bidder)
    return bidder


async def record_registration(session: AsyncSession, event: OrganisationRegistered) -> None:
    bidder = await _load(session, event.uscc)
    bidder.name, bidder.org_type, bidder.division_code = event.name, event.org_type.value, event.division_code
    bidder.registration_status = event.status
    bidder.updated_at = datetime.now(UTC)
    await session.flush()


async def record_credit_profile(session: AsyncSession, event: CreditProfileOpened) -> None:
    bidder = await _load(session, event.uscc)
    bidder.credit_colour = event.colour.value
    bidder.abnormal_listed, bidder.serious_listed = event.abnormal_listed, event.serious_listed
    bidder.updated_at = datetime.now(UTC)
    await session.flush()


def eligibility_problems(bidder: Bidder) -> list[EligibilityProblem]:
    """PROC-4 (preliminary): lawfully registered and active; good credit — on neither list (CR-16)."""
    problems = []
    if bidder.registration_status != "active":
        problems.append(EligibilityProblem(rule="PROC-4", message_zh="未依法登记或登记状态非正常",
                                           message="not registered, or registration not active"))
    if bidder.credit_colour is None:
        problems.append(EligibilityProblem(rule="PROC-4", message_zh="尚无信用档案",
                                           message="no credit profile received yet"))
    if bidder.abnormal_listed:
        problems.append(EligibilityProblem(rule="PROC-4/CR-6", message_zh="列入活动异常名录",
                                           message="on the abnormal-activity list"))
    if bidder.serious_listed:
        problems.append(EligibilityProblem(rule="PROC-4/CR-12", message_zh="列入严重违法失信名单",
                                           message="on the serious-violation list"))
    return problems


async def get(session: AsyncSession, uscc: str) -> BidderRead:
    bidder = await session.get(Bidder, require_social_org_uscc(uscc))
    if bidder is None:
        raise NotFound("bidder_not_found", f"procurement knows no organisation {uscc}")
    problems = eligibility_problems(bidder)
    return BidderRead(
        uscc=bidder.uscc, name=bidder.name, registration_status=bidder.registration_status,
        credit_colour=bidder.credit_colour, abnormal_listed=bidder.abnormal_listed,
        serious_listed=bidder.serious_listed, may_bid=not problems, problems=problems, updated_at=bidder.updated_at,
    )
