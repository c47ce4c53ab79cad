"""REG-10: leaders' age and consecutive-term limits (configurable, with an approved-exception flag)."""

from __future__ import annotations

from datetime import date

from yishe_contracts.identifiers import validate_id_number
from yishe_kit.errors import Problem, identifier_problems

from ..config import RulesSettings
from .schemas import LeaderIn


def birth_date_of(leader: LeaderIn) -> date | None:
    if leader.birth_date:
        return leader.birth_date
    if leader.id_number and len(leader.id_number) == 18 and leader.id_number[6:14].isdigit():
        try:
            return date(int(leader.id_number[6:10]), int(leader.id_number[10:12]), int(leader.id_number[12:14]))
        except ValueError:
            return None
    return None


def add_years(d: date, years: int) -> date:
    try:
        return d.replace(year=d.year + years)
    except ValueError:  # 29 February
        return d.replace(year=d.year + years, day=28)


def age_on(born: date, on: date) -> int:
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


def term_end(start: date, rules: RulesSettings) -> date:
    return add_years(start, rules.leader_term_years)


def leader_problems(leaders: list[LeaderIn], start: date, rules: RulesSettings, field: str = "leaders",
                    ) -> list[Problem]:
    """REG-10: ≤ max age at the start and not reaching it during the term; ≤ max consecutive terms (an appointed
    secretary-general is exempt); each limit yields unless `approved_exception`."""
    problems: list[Problem] = []
    for i, leader in enumerate(leaders):
        at = f"{field}[{i}]"
        if leader.id_number:
            problems += identifier_problems(validate_id_number(leader.id_number, field=f"{at}.id_number"))
        if leader.role not in rules.leader_limited_roles or leader.approved_exception:
            continue
        born = birth_date_of(leader)
        begins = leader.term_start or start
        if born is None:
            problems.append(Problem(f"{at}.birth_date", "REG-10",
                                    f"请提供{leader.role}{leader.name}的出生日期或身份证号码",
                                    f"give the birth date or ID number of {leader.role} {leader.name}"))
        else:
            ends = term_end(begins, rules)
            if age_on(born, begins) >= rules.leader_max_age:
                problems.append(Problem(f"{at}.birth_date", "REG-10",
                                        f"{leader.role}{leader.name}任职时已满{rules.leader_max_age}周岁",
                                        f"{leader.role} {leader.name} is {rules.leader_max_age} or older "
                                        "at appointment"))
            elif age_on(born, ends) >= rules.leader_max_age:
                problems.append(Problem(f"{at}.birth_date", "REG-10",
                                        f"{leader.role}{leader.name}将在任期内年满{rules.leader_max_age}周岁，一般不再提名",
                                        f"{leader.role} {leader.name} turns {rules.leader_max_age} during the term"))
        if leader.consecutive_terms > rules.leader_max_consecutive_terms and not leader.appointed:
            problems.append(Problem(f"{at}.consecutive_terms", "REG-10",
                                    f"{leader.role}{leader.name}连任超过{rules.leader_max_consecutive_terms}届",
                                    f"{leader.role} {leader.name} exceeds {rules.leader_max_consecutive_terms} "
                                    "consecutive terms"))
    return problems
