"""Default holiday tables. Replace or extend them with `CREDIT_CALENDAR__YEARS` (JSON) when the State Council
publishes a year's arrangement (国务院办公厅关于 YYYY 年部分节假日安排的通知, usually in November)."""

from __future__ import annotations

from datetime import date, timedelta

from pydantic import BaseModel, Field


class YearDays(BaseModel):
    holidays: list[date] = Field(default_factory=list, description="days off that would otherwise be working days "
                                 "(weekend days inside a holiday may be listed too)")
    makeup_workdays: list[date] = Field(default_factory=list, description="weekend days that are working days (调休)")
    source: str = ""
    confirmed: bool = False


def _span(first: date, last: date) -> list[date]:
    return [first + timedelta(days=i) for i in range((last - first).days + 1)]


# 2026: 国务院办公厅关于2026年部分节假日安排的通知 (2025-11-04, Xinhua as republished by gmw.cn
# https://politics.gmw.cn/2025-11/04/content_38391083.htm). Read from a republication, not the gov.cn original:
# to be confirmed against www.gov.cn before go-live.
Y2026 = YearDays(
    holidays=[
        *_span(date(2026, 1, 1), date(2026, 1, 3)),
        *_span(date(2026, 2, 15), date(2026, 2, 23)),
        *_span(date(2026, 4, 4), date(2026, 4, 6)),
        *_span(date(2026, 5, 1), date(2026, 5, 5)),
        *_span(date(2026, 6, 19), date(2026, 6, 21)),
        *_span(date(2026, 9, 25), date(2026, 9, 27)),
        *_span(date(2026, 10, 1), date(2026, 10, 7)),
    ],
    makeup_workdays=[date(2026, 1, 4), date(2026, 2, 14), date(2026, 2, 28), date(2026, 5, 9),
                     date(2026, 9, 20), date(2026, 10, 10)],
    source="国务院办公厅 2025-11-04 通知（转载自新华社/光明网，待与 gov.cn 原文核对 / to be confirmed）",
    confirmed=False,
)

# 2027: PROVISIONAL. The 2027 notice was not available when this table was written; the dates follow the lunar
# calendar (春节 2027-02-06, 清明 04-05, 端午 06-09, 中秋 09-15) and the pattern of recent years. Replace it.
Y2027 = YearDays(
    holidays=[
        *_span(date(2027, 1, 1), date(2027, 1, 3)),
        *_span(date(2027, 2, 5), date(2027, 2, 13)),
        *_span(date(2027, 4, 3), date(2027, 4, 5)),
        *_span(date(2027, 5, 1), date(2027, 5, 5)),
        date(2027, 6, 9),
        date(2027, 9, 15),
        *_span(date(2027, 10, 1), date(2027, 10, 7)),
    ],
    makeup_workdays=[date(2027, 1, 31), date(2027, 2, 20), date(2027, 4, 25), date(2027, 5, 8),
                     date(2027, 9, 26), date(2027, 10, 9)],
    source="PROVISIONAL: 按农历推算的暂定安排，待国务院办公厅 2027 年通知发布后替换 / to be confirmed",
    confirmed=False,
)

DEFAULT_YEARS: dict[int, YearDays] = {2026: Y2026, 2027: Y2027}
