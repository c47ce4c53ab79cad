"""What every credit rule needs: the kit's request context (session, outbox, settings, clock, caller) with credit's
working-day calendar. Roles and jurisdiction are checked with `yishe_kit.access` (AUTH-1, AUTH-2)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.ext.asyncio import AsyncSession

from yishe_kit.clock import Clock, get_clock
from yishe_kit.context import HandlerContext, RequestContext, SessionDep
from yishe_kit.errors import InvalidInput, Problem
from yishe_kit.outbox import Outbox
from yishe_kit.principal import Principal, PrincipalDep

from .config import Settings
from .workday.calendar import WorkCalendar

_calendars: dict[int, WorkCalendar] = {}


def work_calendar(settings: Settings) -> WorkCalendar:
    """One calendar per settings object (built from its holiday tables)."""
    key = id(settings)
    if key not in _calendars:
        _calendars[key] = WorkCalendar(settings.calendar.years)
    return _calendars[key]


@dataclass
class Ctx(RequestContext):
    settings: Settings
    calendar: WorkCalendar = field(init=False)

    def __post_init__(self) -> None:
        self.calendar = work_calendar(self.settings)

    @property
    def actor(self) -> str:
        return f"{self.principal.role}:{self.principal.actor}"

    def is_staff(self) -> bool:
        """Who sees the full credit view (with the jurisdiction check of `yishe_kit.access`)."""
        return self.principal.is_any("staff", "internal", "supervisor")

    def is_own_org(self, uscc: str) -> bool:
        return self.principal.role == "org" and self.principal.actor == uscc

    def not_after_today(self, day: date, field_name: str, rule: str) -> date:
        """Decision dates may not lie in the future."""
        if day > self.today():
            raise InvalidInput("date_in_future", f"{field_name} is after today", [Problem(
                field_name, rule, f"{field_name} 不能晚于今天（{self.today()}）",
                f"{field_name} may not be later than today ({self.today()})")])
        return day


def get_ctx(request: Request, session: SessionDep, principal: PrincipalDep,
            clock: Annotated[Clock, Depends(get_clock)]) -> Ctx:
    return Ctx(session=session, outbox=request.app.state.outbox, settings=request.app.state.settings, clock=clock,
               principal=principal)


CtxDep = Annotated[Ctx, Depends(get_ctx)]


def handler_ctx(ctx: HandlerContext) -> Ctx:
    """Context for a consumed event: the internal role, the subject as actor."""
    return Ctx(session=ctx.session, outbox=ctx.outbox, settings=ctx.settings, clock=ctx.clock,
               principal=ctx.principal)


def event_ctx(session: AsyncSession, outbox: Outbox, settings: Settings, subject: str, clock: Clock) -> Ctx:
    """Context for a rule run on an event's behalf outside the bus (tests, replays)."""
    return Ctx(session=session, outbox=outbox, settings=settings, clock=clock,
               principal=Principal(actor=subject, role="internal"))
