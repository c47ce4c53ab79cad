"""Disclosure errors (DISC-1..DISC-5)."""

from __future__ import annotations

from ..errors import WrongState


class NoFiguresInReport(WrongState):
    def __init__(self, year: int):
        super().__init__("year", "DISC-5", f"{year}年度工作报告未报送或未填写分来源的收入和支出",
                         f"no submitted annual report on {year} with income and spending by source",
                         code="annual_report_without_sources")
