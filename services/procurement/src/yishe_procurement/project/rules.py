"""PROC-7 term rule and the project-date checks shared by creation and amendment."""

from __future__ import annotations

from datetime import date, timedelta

from yishe_kit.errors import Problem

from ..config import Settings
from .schemas import MultiYear


def add_years(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def term_problems(start: date, end: date, multi_year: MultiYear | None, settings: Settings) -> list[Problem]:
    """PROC-7: term ≤ 1 year; up to 3 years only with budget assurance for a stable, continuous service."""
    if end < start:
        return [Problem("term_end", "PROC-7", "服务期限结束日期早于开始日期", "term_end is before term_start")]
    if end <= add_years(start, settings.max_term_years) - timedelta(days=1):
        return []
    if end > add_years(start, settings.max_extended_term_years) - timedelta(days=1):
        return [Problem("term_end", "PROC-7", f"服务期限不得超过{settings.max_extended_term_years}年",
                        f"a term may not exceed {settings.max_extended_term_years} years")]
    missing = [] if multi_year is None else [
        n for n, ok in (("budget_assured", multi_year.budget_assured),
                        ("stable_continuous", multi_year.stable_continuous),
                        ("stable_price", multi_year.stable_price)) if not ok]
    if multi_year is None or missing:
        return [Problem("multi_year", "PROC-7",
                        f"服务期限超过{settings.max_term_years}年须有预算保障，且服务稳定持续、资金来源稳定、价格变化幅度小，"
                        "并说明理由",
                        f"a term over {settings.max_term_years} year(s) needs budget assurance and a stable, "
                        f"continuous, steady-price service, with a justification (missing: "
                        f"{', '.join(missing) or 'multi_year'})")]
    return []


def date_problems(*, tender_end: date, term_start: date, today: date, published: bool) -> list[Problem]:
    problems = []
    if tender_end >= term_start:
        problems.append(Problem("tender_end", "PROC-7", "投标截止日期应早于服务期限开始日期",
                                "tender_end must be before term_start"))
    if published and tender_end < today:
        problems.append(Problem("tender_end", "PROC-7", "投标截止日期已过", "tender_end is already past"))
    return problems
