"""An application's conditions, each failure reported with its rule id: those by kind (REG-1, REG-3, REG-4, REG-5,
REG-8, REG-12) from `organisation.conditions`, shared with direct registration, and the application's own (REG-10
leaders, PARTY-11 charter, REG-12 notify-and-commit route). Pure functions: the service adds the checks that need
the database."""

from __future__ import annotations

from datetime import date

from yishe_contracts.identifiers import validate_id_number
from yishe_kit.errors import Problem, identifier_problems

from ..charter.service import has_party_clause
from ..config import RulesSettings
from ..kinds import CommunityClass
from ..organisation.conditions import kind_problems
from ..organisation.leaders import leader_problems
from ..organisation.service import party_member_problems, phone_problems
from .schemas import ApplicationCreate


def check(data: ApplicationCreate, rules: RulesSettings, today: date) -> list[Problem]:
    """Every condition of registration that the application itself can show, by rule id."""
    problems = kind_problems(data, rules)
    if data.commitment_route and data.community_class != CommunityClass.MATURE:
        problems.append(Problem("commitment_route", "REG-12", "告知承诺制仅适用于成熟型社区社会组织",
                                "the notify-and-commit route is only for mature community organisations"))
    rep = data.legal_representative
    if rep.id_number:
        problems += identifier_problems(validate_id_number(rep.id_number, field="legal_representative.id_number"))
    problems += phone_problems(rep.phone, "legal_representative.phone")
    problems += leader_problems(data.leaders, today, rules)
    problems += party_member_problems(data.party_members)
    if not has_party_clause(data.charter_text, rules):
        problems.append(Problem("charter_text", "PARTY-11", "章程应载明党的建设有关内容（党建工作条款）",
                                "the charter must carry the Party-building clause"))
    if data.received_on and data.received_on > today:
        problems.append(Problem("received_on", "REG-2", "受理日期不能晚于今天", "received_on cannot be in the future"))
    return problems
