"""CR-20 [P] definition: an active organisation counts as healthy when its CODE-3 colour is green or blue (on no
list, no early warning) and it has had no administrative penalty in the last 3 years (configurable)."""

from __future__ import annotations

from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from yishe_kit.access import jurisdiction_prefix, require_role

from ..context import Ctx
from ..dates import add_years
from ..profile import service as profile_service
from ..record import service as record_service
from .schemas import DivisionShare, HealthyShare, Target

DEFINITION = ("健康 = 分色为绿/蓝（不在两类名录、无预警）且近{years}年无行政处罚；分母为登记状态正常的社会组织")


def _share(code: str, total: int, healthy: int, targets: dict[str, Decimal]) -> DivisionShare:
    share = (Decimal(healthy) / Decimal(total)).quantize(Decimal("0.0001"), ROUND_HALF_UP) if total else Decimal(0)
    return DivisionShare(division_code=code, organisations=total, healthy=healthy, share=share,
                         targets=[Target(name=n, share=t, met=share > t) for n, t in targets.items()])


async def healthy_share(ctx: Ctx, as_of: date) -> HealthyShare:
    """Share per division against the 80 % (Wenzhou) and 90 % (Longgang) targets; "超过" read as strictly above."""
    require_role(ctx.principal, "staff", "internal", "supervisor")
    rules = ctx.settings.indicator
    profiles = [p for p in await profile_service.all_profiles(ctx.session, jurisdiction_prefix(ctx.principal))
                if p.registration_status == "active"]
    penalised = await record_service.penalised_since(ctx.session, [p.uscc for p in profiles],
                                                     add_years(as_of, -rules.penalty_free_years), as_of)
    counts: dict[str, list[int]] = {}
    for p in profiles:
        c = counts.setdefault(p.division_code[:rules.division_digits], [0, 0])
        c[0] += 1
        c[1] += int(p.colour in ("green", "blue") and p.uscc not in penalised)
    divisions = [_share(code, t, h, rules.targets) for code, (t, h) in sorted(counts.items())]
    total = _share(jurisdiction_prefix(ctx.principal) or "all", sum(c[0] for c in counts.values()),
                   sum(c[1] for c in counts.values()), rules.targets)
    return HealthyShare(as_of=as_of, definition=DEFINITION.format(years=rules.penalty_free_years), total=total,
                        divisions=divisions)
