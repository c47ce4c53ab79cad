"""Name rules over the data: validation (REG-6/REG-7), exact and similar names, 一业一会 (REG-8), reservations."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from yishe_contracts.events.registry import NameReservationChanged, NameReservationStatus
from yishe_contracts.identifiers import validate_division_code
from yishe_kit.access import require_jurisdiction, require_role
from yishe_kit.errors import Problem, identifier_problems
from yishe_kit.outbox import Outbox
from yishe_kit.principal import Principal

from ..config import RulesSettings
from ..errors import Missing, Refused, WrongState
from ..kinds import CommunityClass, DirectCategory
from ..search import service as search_service
from ..trail import service as trail
from . import repository, rules
from .exceptions import NameTaken, OneTradeOneAssociation, SimilarNames
from .models import NameReservation
from .schemas import NameCheckRead, NameRequest, ReservationCreate, SimilarName


@dataclass
class Resolved:
    name: str
    key: str
    ctx: rules.NameContext
    problems: list[Problem]


def resolve(req: NameRequest, rules_cfg: RulesSettings) -> Resolved:
    """The full name (given, or built from its parts) and every REG-6/REG-7 problem with it."""
    problems = identifier_problems(validate_division_code(req.division_code))
    community = req.community_class is not None
    ctx = rules.NameContext(req.org_type.value, req.division_code, community, req.township, req.village)
    if req.name:
        name = rules.canonical(req.name)
    else:
        division_name = req.division_name or rules_cfg.division_names.get(req.division_code)
        if not division_name:
            problems.append(Problem("division_name", "REG-6", "未配置该行政区划的名称，请填写 division_name",
                                    "no configured name for this division: give division_name"))
            division_name = ""
        if not req.form:
            problems.append(Problem("form", "REG-6", "请填写组织形式（如协会、服务中心、基金会）",
                                    "give the organisational form (e.g. 协会, 服务中心, 基金会)"))
        parts = rules.NameParts(division_name, req.township, req.village, req.trade_name, req.sector, req.form or "")
        name, built = rules.build(parts, ctx)
        problems += built
    names = dict(rules_cfg.division_names)
    if req.division_name:
        names[req.division_code] = req.division_name
    problems += rules.validate(name, ctx, names)
    if req.category == DirectCategory.TRADE_ASSOCIATION and not req.sector:
        problems.append(Problem("sector", "REG-8", "行业协会商会须填写所属行业（一业一会）",
                                "an industry association must name its sector (one trade, one association)"))
    return Resolved(name, rules.key(name), ctx, problems)


async def _holder(session: AsyncSession, key: str, today: date) -> str | None:
    """Who holds this exact name key now; an expired reservation's claim no longer counts."""
    claim = await repository.claim_of(session, key)
    if claim is None:
        return None
    if claim.holder_type == "reservation":
        res = await repository.reservation(session, int(claim.holder_id))
        if res is not None and res.status == "reserved" and res.expires_on < today:
            return None
    return claim.holder_type


async def similar_names(session: AsyncSession, resolved: Resolved, rules_cfg: RulesSettings,
                        ) -> list[SimilarName]:
    """REG-2 Art 13 / REG-6: names in the same division whose cores are alike (active and reserved)."""
    core = rules.core(resolved.key, resolved.ctx, rules_cfg.division_names)
    probes = sorted(rules.bigrams(core), key=lambda g: -len(g))[:4] if len(core) > 1 else [core]
    found: dict[tuple[str, str], SimilarName] = {}
    scored: set[tuple[str, str]] = set()  # a name found by several probes is scored once
    for probe in dict.fromkeys(probes):
        for uscc, name, key in await search_service.names_with_part(session, probe, resolved.ctx.division_code):
            if ("organisation", uscc) not in scored:
                scored.add(("organisation", uscc))
                _add_similar(found, resolved, rules_cfg, core, name, key, "organisation", uscc)
        for res in await repository.active_reservations_like(session, resolved.ctx.division_code, probe):
            if ("reservation", str(res.reservation_id)) not in scored:
                scored.add(("reservation", str(res.reservation_id)))
                _add_similar(found, resolved, rules_cfg, core, res.name, res.name_normalised, "reservation",
                             str(res.reservation_id))
    return sorted(found.values(), key=lambda s: -s.score)[:10]


def _add_similar(found: dict, resolved: Resolved, rules_cfg: RulesSettings, core: str, name: str, key: str,
                 holder_type: str, holder_id: str) -> None:
    if key == resolved.key:
        return
    score = rules.similarity(core, rules.core(key, resolved.ctx, rules_cfg.division_names))
    if score >= rules_cfg.similar_name_threshold:
        found[(holder_type, holder_id)] = SimilarName(name=name, holder_type=holder_type, holder_id=holder_id,
                                                      score=round(score, 3))


async def industry_conflicts(session: AsyncSession, req: NameRequest, today: date) -> list[SimilarName]:
    """REG-8 一业一会、一地一会: another industry association of the same division and sector."""
    if req.category != DirectCategory.TRADE_ASSOCIATION or not req.sector:
        return []
    sector_key = rules.key(req.sector)
    orgs = await search_service.industry_associations(session, req.division_code, sector_key)
    reservations = await repository.industry_reservations(session, req.division_code, sector_key, today)
    return ([SimilarName(name=o.name, holder_type="organisation", holder_id=o.uscc, score=1.0) for o in orgs]
            + [SimilarName(name=r.name, holder_type="reservation", holder_id=str(r.reservation_id), score=1.0)
               for r in reservations])


async def check(session: AsyncSession, req: NameRequest, rules_cfg: RulesSettings, today: date) -> NameCheckRead:
    """REG-6..REG-8 without writing: problems, the exact holder, similar names, 一业一会 conflicts."""
    resolved = resolve(req, rules_cfg)
    holder = await _holder(session, resolved.key, today)
    similar = await similar_names(session, resolved, rules_cfg)
    industry = await industry_conflicts(session, req, today)
    return NameCheckRead(name=resolved.name, name_normalised=resolved.key,
                         problems=[p.as_dict() for p in resolved.problems], taken_by=holder, similar=similar,
                         industry_conflicts=industry,
                         available=not resolved.problems and holder is None and not industry)


async def reserve(session: AsyncSession, req: ReservationCreate, principal: Principal, outbox: Outbox,
                  rules_cfg: RulesSettings, today: date) -> tuple[NameReservation, list[SimilarName]]:
    """名称核准: a valid, free name is kept for the applicant for `name_reservation_days` (REG-6..REG-8)."""
    require_role(principal, "staff", action_zh="办理名称预留", action_en="reserve names")
    require_jurisdiction(principal, req.division_code)
    resolved = resolve(req, rules_cfg)
    if req.community_class in (CommunityClass.STARTUP, CommunityClass.GROWING):
        resolved.problems.append(Problem("community_class", "REG-12",
                                         "初创型、成长型社区社会组织实行备案，不办理登记名称预留",
                                         "startup and growing community organisations are filed, not registered"))
    if resolved.problems:
        raise Refused(resolved.problems)
    industry = await industry_conflicts(session, req, today)
    if industry:
        raise OneTradeOneAssociation([c.name for c in industry], req.sector or "")
    similar = await similar_names(session, resolved, rules_cfg)
    if similar and not req.acknowledge_similar:
        raise SimilarNames([s.name for s in similar])
    res = NameReservation(
        name=resolved.name, name_normalised=resolved.key, org_type=req.org_type.value, division_code=req.division_code,
        community_class=req.community_class, township=req.township, village=req.village, category=req.category,
        sector=req.sector, sector_key=rules.key(req.sector) if req.sector else None,
        is_industry_association=req.category == DirectCategory.TRADE_ASSOCIATION, applicant=req.applicant,
        status="reserved", reserved_on=today, expires_on=today + timedelta(days=rules_cfg.name_reservation_days),
        segments={k: getattr(req, k) for k in ("division_name", "trade_name", "sector", "form") if getattr(req, k)},
        created_by=principal.actor, created_at=datetime.now(UTC))
    session.add(res)
    await session.flush()
    await claim(session, resolved.key, resolved.name, "reservation", str(res.reservation_id), today, outbox)
    await trail.record(session, "name_reservation", res.reservation_id, "reserved", principal,
                       after={"name": res.name, "expires_on": res.expires_on.isoformat()},
                       reason="名称核准" + ("（已确认存在相近名称）" if similar else ""))
    await _emit(session, outbox, res, today)
    return res, similar


async def claim(session: AsyncSession, key: str, name: str, holder_type: str, holder_id: str, today: date,
                outbox: Outbox) -> None:
    """REG-6 one name, one holder: the claim row's primary key lets exactly one concurrent claimant win."""
    current = await repository.claim_of(session, key)
    if current is not None:
        if current.holder_type == holder_type and current.holder_id == holder_id:
            return
        if await _holder(session, key, today) is not None:
            raise NameTaken(name, current.holder_type)
        await expire_one(session, int(current.holder_id), today, outbox)
    try:
        await repository.add_claim(session, key, holder_type, holder_id)
    except IntegrityError as exc:  # a concurrent claimant committed first; the request rolls back
        raise NameTaken(name) from exc


async def move_claim(session: AsyncSession, key: str, holder_type: str, holder_id: str) -> None:
    await repository.move_claim(session, key, holder_type, holder_id)


async def release_claim(session: AsyncSession, key: str, holder_type: str, holder_id: str) -> None:
    await repository.drop_claim(session, key, holder_type, holder_id)


async def get(session: AsyncSession, reservation_id: int) -> NameReservation:
    res = await repository.reservation(session, reservation_id)
    if res is None:
        raise Missing("name_reservation", reservation_id, "名称预留")
    return res


async def take_for_application(session: AsyncSession, reservation_id: int, application_id: int,
                               principal: Principal, outbox: Outbox, today: date) -> NameReservation:
    """An application uses a reserved name: it no longer expires while the application runs."""
    res = await get(session, reservation_id)
    if res.status != "reserved" or res.expires_on < today:
        raise WrongState("name_reservation_id", "REG-6", "该名称预留已失效、已使用或已释放",
                         "the name reservation has expired, been used or released")
    await _set_status(session, outbox, res, "in_application", principal, today, f"申请 {application_id}",
                      used_by=f"application:{application_id}")
    return res


async def give_back(session: AsyncSession, reservation_id: int, principal: Principal, outbox: Outbox,
                    today: date, reason: str) -> None:
    """A rejected or withdrawn application returns its name to `reserved` (it expires on its own date)."""
    res = await get(session, reservation_id)
    if res.status == "in_application":
        await _set_status(session, outbox, res, "reserved", principal, today, reason, used_by=None)


async def mark_used(session: AsyncSession, reservation_id: int, uscc_or_filing: str, holder_type: str,
                    principal: Principal, outbox: Outbox, today: date) -> None:
    """At registration the name passes from the reservation to the organisation."""
    res = await get(session, reservation_id)
    await repository.move_claim(session, res.name_normalised, holder_type, uscc_or_filing)
    await _set_status(session, outbox, res, "used", principal, today, "登记使用", used_by=uscc_or_filing)


async def release(session: AsyncSession, reservation_id: int, principal: Principal, outbox: Outbox, today: date,
                  reason: str) -> NameReservation:
    """The applicant gives the name up; it is free at once."""
    require_role(principal, "staff", action_zh="释放名称预留", action_en="release name reservations")
    res = await get(session, reservation_id)
    require_jurisdiction(principal, res.division_code)
    if res.status != "reserved":
        raise WrongState("reservation_id", "REG-6", "只有预留中的名称可以释放", "only a reserved name can be released")
    await repository.drop_claim(session, res.name_normalised, "reservation", str(res.reservation_id))
    await _set_status(session, outbox, res, "released", principal, today, reason)
    return res


async def expire_one(session: AsyncSession, reservation_id: int, as_of: date, outbox: Outbox) -> bool:
    res = await repository.reservation(session, reservation_id)
    if res is None or res.status != "reserved" or res.expires_on >= as_of:
        return False
    await repository.drop_claim(session, res.name_normalised, "reservation", str(res.reservation_id))
    system = Principal(actor="daily-job", role="internal")
    # Dated by the last valid day, whichever day the job runs (a catch-up run, issue 13); in effect the day after.
    await _set_status(session, outbox, res, "expired", system, res.expires_on,
                      f"预留期至{res.expires_on.isoformat()}届满")
    return True


async def expire(session: AsyncSession, as_of: date, outbox: Outbox) -> list[int]:
    """Daily job: reservations past their expiry date free their names (REG-6, configurable validity)."""
    expired = []
    for res in await repository.expiring(session, as_of):
        if await expire_one(session, res.reservation_id, as_of, outbox):
            expired.append(res.reservation_id)
    return expired


async def _set_status(session: AsyncSession, outbox: Outbox, res: NameReservation, status: str,
                      principal: Principal, today: date, reason: str, **fields) -> None:
    before = {"status": res.status}
    res.status = status
    for k, v in fields.items():
        setattr(res, k, v)
    await trail.record(session, "name_reservation", res.reservation_id, status, principal, before=before,
                       after={"status": status, **{k: v for k, v in fields.items()}}, reason=reason)
    await _emit(session, outbox, res, today)


async def _emit(session: AsyncSession, outbox: Outbox, res: NameReservation, today: date) -> None:
    await outbox.emit(session, NameReservationChanged(
        reservation_id=res.reservation_id, name=res.name, org_type=res.org_type, division_code=res.division_code,
        status=NameReservationStatus(res.status), expires_on=res.expires_on, changed_on=today))


async def holders(session: AsyncSession, keys: list[str]) -> dict[str, tuple[str, str]]:
    """Current holders (type, id) of these name keys (bulk import)."""
    return {k: (c.holder_type, c.holder_id) for k, c in (await repository.claims_for(session, keys)).items()}


async def claim_many(session: AsyncSession, rows: list[tuple[str, str, str]]) -> None:
    """(key, holder_type, holder_id) rows already checked free; a concurrent claimant makes the insert fail."""
    now = datetime.now(UTC)
    await repository.add_claims(session, [{"name_normalised": k, "holder_type": t, "holder_id": i, "claimed_at": now}
                                          for k, t, i in rows])
