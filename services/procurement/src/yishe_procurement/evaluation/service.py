"""Panel scoring and award: mean panel score, PROC-9 preference (bonus and tie-break), then price and time."""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from yishe_contracts.events.procurement import ProjectAwarded
from yishe_kit.clock import now
from yishe_kit.db import flush_or_conflict
from yishe_kit.errors import Conflict, Forbidden, InvalidInput, NotFound, Problem
from yishe_kit.outbox import Outbox
from yishe_kit.principal import Principal

from ..bid import service as bid_service
from ..bid.models import Bid
from ..bidder import service as bidder_service
from ..common.money import cents
from ..common.roles import can_see_all
from ..config import Settings
from ..ocds import service as ocds_service
from ..project import service as project_service
from ..project.models import Project
from .models import Award, PanelMember, PanelScore
from .schemas import AwardCreate, AwardRead, EvaluationRead, PanelMemberIn, PanelSet, RankedBid, ScoreSheet

EVALUABLE = ("tender", "evaluation")


def _require_closed(project: Project, today: date) -> None:
    if project.status not in EVALUABLE or today <= project.tender_end:
        raise Conflict("tender_not_closed", f"投标截止（{project.tender_end}）后方可评审; evaluation starts after the "
                                            f"tender closes on {project.tender_end} (status {project.status})")


async def _panel(session: AsyncSession, project_id: str) -> list[PanelMember]:
    return list(await session.scalars(select(PanelMember).where(PanelMember.project_id == project_id)
                                      .order_by(PanelMember.member_id)))


async def _scores(session: AsyncSession, project_id: str) -> list[PanelScore]:
    return list(await session.scalars(select(PanelScore).where(PanelScore.project_id == project_id)))


async def set_panel(session: AsyncSession, project_id: str, body: PanelSet, principal: Principal,
                    settings: Settings) -> EvaluationRead:
    """The purchaser names the panel; it can be changed until the first score is entered."""
    project = await project_service.get(session, project_id)
    project_service.require_purchaser(principal, project)
    if project.status not in EVALUABLE:
        raise Conflict("project_not_evaluable", f"项目状态为 {project.status}; the panel is set while the project is "
                                                f"in tender or evaluation, not {project.status}")
    names = [m.name for m in body.members]
    if len(set(names)) != len(names):
        raise InvalidInput("panel_duplicate", "a panel member is named twice", [Problem(
            "members", None, "评审小组成员重复", "a member is named twice")])
    if await _scores(session, project_id):
        raise Conflict("panel_locked", "已有评分，评审小组不能再更改; scoring has started, the panel is fixed")
    await session.execute(delete(PanelMember).where(PanelMember.project_id == project_id))
    session.add_all([PanelMember(project_id=project_id, name=m.name, role=m.role.value, affiliation=m.affiliation)
                     for m in body.members])
    await session.flush()
    return await evaluation(session, project_id, settings)


async def score(session: AsyncSession, project_id: str, body: ScoreSheet, principal: Principal, today: date,
                settings: Settings) -> EvaluationRead:
    """A panel member's scores (0-100) for the project's bids, entered once the tender has closed."""
    project = await project_service.get(session, project_id)
    project_service.require_purchaser(principal, project)
    _require_closed(project, today)
    member = next((m for m in await _panel(session, project_id) if m.name == body.member_name), None)
    if member is None:
        raise InvalidInput("not_on_panel", "the member is not on the panel", [Problem(
            "member_name", None, f"{body.member_name} 不是评审小组成员", f"{body.member_name} is not on the panel")])
    bids = {b.bid_id: b for b in await bid_service.for_project(session, project_id, active_only=True)}
    unknown = [s.bid_id for s in body.scores if s.bid_id not in bids]
    if unknown:
        raise InvalidInput("unknown_bid", "a scored bid is not an active bid of this project", [Problem(
            "scores", None, f"投标不存在或已撤回：{unknown}", f"not active bids of this project: {unknown}")])
    existing = {s.bid_id: s for s in await _scores(session, project_id) if s.member_id == member.member_id}
    for s in body.scores:
        row = existing.get(s.bid_id)
        if row is None:
            session.add(PanelScore(project_id=project_id, member_id=member.member_id, bid_id=s.bid_id,
                                   score=s.score, comment=s.comment, scored_at=now()))
        else:
            row.score, row.comment, row.scored_at = s.score, s.comment, now()
    project.status = "evaluation"
    await session.flush()
    return await evaluation(session, project_id, settings)


def _rank(bids: list[Bid], members: list[PanelMember], scores: list[PanelScore],
          settings: Settings) -> list[RankedBid]:
    """PROC-9: mean panel score + configured bonus for preferred bids; ties go to the preferred, then price, time."""
    pref = settings.preference
    rows = []
    for b in bids:
        mine = {s.member_id: s.score for s in scores if s.bid_id == b.bid_id}
        missing = [m.name for m in members if m.member_id not in mine]
        panel = cents(sum(mine.values(), Decimal(0)) / len(mine)) if mine and not missing else None
        bonus = pref.bonus_points if (pref.enabled and b.preferred) else Decimal(0)
        rows.append(RankedBid(rank=0, bid_id=b.bid_id, uscc=b.uscc, org_name=b.org_name, amount=b.amount,
                              panel_score=panel, bonus=bonus, total=None if panel is None else panel + bonus,
                              preferred=b.preferred,
                              preference_reasons=b.evidence.get("preference", {}).get("reasons", []),
                              scores_missing=missing))
    order = {b.bid_id: b for b in bids}
    rows.sort(key=lambda r: (r.total is None, -(r.total or 0), not (pref.enabled and r.preferred), r.amount,
                             order[r.bid_id].submitted_at))
    for n, r in enumerate(rows, start=1):
        r.rank = n
    return rows


def _decided_by(first: RankedBid, second: RankedBid | None, settings: Settings) -> str:
    if second is None:
        return "only_bid"
    if first.total != second.total:
        return "preference_bonus" if first.panel_score <= second.panel_score else "score"
    if settings.preference.enabled and first.preferred != second.preferred:
        return "preference_tie_break"
    return "price" if first.amount != second.amount else "submission_time"


async def read(session: AsyncSession, project_id: str, principal: Principal, settings: Settings) -> EvaluationRead:
    """Scores are confidential until the award: purchasers, staff and supervisors only; everyone after it."""
    project = await project_service.get(session, project_id)
    if project.status in ("tender", "evaluation") and not can_see_all(principal):
        raise Forbidden("evaluation_not_public", "评审结果在授标前不公开; scores are not public before the award")
    return await evaluation(session, project_id, settings)


async def evaluation(session: AsyncSession, project_id: str, settings: Settings) -> EvaluationRead:
    members = await _panel(session, project_id)
    bids = await bid_service.for_project(session, project_id, active_only=True)
    ranking = _rank(bids, members, await _scores(session, project_id), settings)
    complete = bool(members) and bool(ranking) and all(not r.scores_missing for r in ranking)
    return EvaluationRead(project_id=project_id, ranking=ranking, complete=complete,
                          panel=[PanelMemberIn(name=m.name, role=m.role, affiliation=m.affiliation) for m in members])


async def award(session: AsyncSession, project_id: str, body: AwardCreate, principal: Principal, today: date,
                settings: Settings, outbox: Outbox) -> AwardRead:
    """Award to the best-ranked bid once the whole panel has scored every bid (PROC-9 preference applied); the
    award's event takes effect on the award date (CODE-5)."""
    project = await project_service.get(session, project_id)
    project_service.require_purchaser(principal, project)
    _require_closed(project, today)
    members = await _panel(session, project_id)
    result = await evaluation(session, project_id, settings)
    problems = []
    if len(members) < settings.panel_min_members:
        problems.append(Problem("panel", None, f"评审小组不少于{settings.panel_min_members}人",
                                f"the panel needs at least {settings.panel_min_members} members"))
    if not result.ranking:
        problems.append(Problem("bids", None, "没有有效投标", "there is no active bid"))
    for r in result.ranking:
        if r.scores_missing:
            problems.append(Problem("scores", None, f"{r.org_name} 尚缺评分：{'、'.join(r.scores_missing)}",
                                    f"bid {r.bid_id} lacks scores from {', '.join(r.scores_missing)}"))
    award_date = body.award_date or today
    if award_date > today or award_date <= project.tender_end:
        problems.append(Problem("award_date", None, "授标日期应在投标截止后且不晚于今天",
                                "award_date must be after tender_end and not in the future"))
    if problems:
        raise InvalidInput("award_refused", "the award cannot be made yet", problems)
    ranking, first, passed_over = await _eligible_first(session, result.ranking, award_date, settings)
    if first is None:
        raise InvalidInput("award_refused", "no bidder meets the undertaker conditions on the award date", [Problem(
            "bids", "PROC-4", "授标日所有投标人均已不符合承接条件（如已被列入活动异常名录或严重违法失信名单）",
            "on the award date no bidder meets the undertaker conditions (e.g. listed since it bid)")])
    winner = await bid_service.get(session, first.bid_id)
    later = result.ranking[result.ranking.index(first) + 1:]
    decided_by = "earlier_ranked_ineligible" if passed_over else _decided_by(first, later[0] if later else None,
                                                                             settings)
    row = Award(award_id=str(uuid.uuid4()), project_id=project_id, bid_id=winner.bid_id, uscc=winner.uscc,
                org_name=winner.org_name, amount=winner.amount, award_date=award_date, decided_by=decided_by,
                ranking=ranking, created_at=now())
    session.add(row)
    await flush_or_conflict(session, "already_awarded", "项目已授标; the project is already awarded")
    await bid_service.settle(session, await bid_service.for_project(session, project_id), winner.bid_id)
    await project_service.set_status(session, project, "awarded")
    await session.flush()
    await ocds_service.capture(session, project_id, ["award"], settings)
    await outbox.emit(session, ProjectAwarded(
        uscc=row.uscc, award_id=row.award_id, bid_id=row.bid_id, project_id=project_id, ocid=project.ocid,
        title=project.title, amount=row.amount, decided_by=decided_by, award_date=award_date))
    return AwardRead.model_validate(row, from_attributes=True)


async def _eligible_first(session: AsyncSession, ranked: list[RankedBid], on: date, settings: Settings,
                          ) -> tuple[list[dict], RankedBid | None, bool]:
    """PROC-4 again on the award date (a bidder may have been listed since it bid): the best-ranked bid whose
    organisation still qualifies wins; those passed over keep their place in the recorded ranking with the failed
    conditions. Returns (ranking as stored, the winner or None, whether any better-ranked bid was passed over)."""
    stored: list[dict] = []
    first: RankedBid | None = None
    passed_over = False
    for r in ranked:
        entry = r.model_dump(mode="json")
        if first is None:
            failed = [c for c in (await bidder_service.eligibility_on(session, r.uscc, on, settings)).conditions
                      if not c.met]
            if failed:
                passed_over = True
                entry["ineligible_on_award"] = [{"rule": c.rule, "code": c.code, "message_zh": c.message_zh,
                                                 "message": c.message} for c in failed]
            else:
                first = r
        stored.append(entry)
    return stored, first, passed_over


async def get_award(session: AsyncSession, project_id: str) -> Award:
    row = await session.scalar(select(Award).where(Award.project_id == project_id))
    if row is None:
        raise NotFound("award_not_found", f"project {project_id} has no award")
    return row


async def find_award(session: AsyncSession, project_id: str) -> Award | None:
    return await session.scalar(select(Award).where(Award.project_id == project_id))


async def read_award(session: AsyncSession, project_id: str) -> AwardRead:
    return AwardRead.model_validate(await get_award(session, project_id), from_attributes=True)
