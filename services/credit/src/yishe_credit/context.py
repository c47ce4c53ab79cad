"""What every credit rule needs: the session, the outbox, the settings (rules), the caller and the calendar."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.ext.asyncio import AsyncSession

from yishe_kit.db import SessionDep
from yishe_kit.errors import Forbidden, InvalidInput, Problem
from yishe_kit.outbox import Outbox
from yishe_kit.principal import Principal, PrincipalDep

from .config import Settings
from .dates import local_today
from .workday.calendar import WorkCalendar

_calendars: dict[int, WorkCalendar] = {}


def work_calendar(settings: Settings) -> WorkCalendar:
    """One calendar per settings object (built from its holiday tables)."""
    key = id(settings)
    if key not in _calendars:
        _calendars[key] = WorkCalendar(settings.calendar.years)
    return _calendars[key]


@dataclass
class Ctx:
    session: AsyncSession
    outbox: Outbox
    settings: Settings
    principal: Principal
    calendar: WorkCalendar = field(init=False)

    def __post_init__(self) -> None:
        self.calendar = work_calendar(self.settings)

    def today(self) -> date:
        return local_today(self.settings.calendar.timezone)

    @property
    def actor(self) -> str:
        return f"{self.principal.role}:{self.principal.actor}"

    def require(self, *roles: str) -> None:
        """Writes need an authorised role (the gateway sets it): 403 otherwise."""
        if not self.principal.is_any(*roles):
            raise Forbidden("role_not_allowed", f"role {self.principal.role!r} may not do this; needs one of "
                            f"{', '.join(roles)} / 当前角色无权执行此操作")

    def is_staff(self) -> bool:
        return self.principal.is_any("staff", "internal", "supervisor")

    def is_own_org(self, uscc: str) -> bool:
        return self.principal.role == "org" and self.principal.actor == uscc

    def check_jurisdiction(self, division_code: str) -> None:
        """Staff with a division prefix act only on organisations registered under it."""
        prefix = self.principal.division_prefix
        if self.principal.role != "internal" and prefix and not division_code.startswith(prefix):
            raise Forbidden("outside_jurisdiction", f"organisation in {division_code} is outside division {prefix}"
                            " / 该社会组织不在本机关管辖范围内")

    def not_after_today(self, day: date, field_name: str, rule: str) -> date:
        """Decision dates may not lie in the future."""
        if day > self.today():
            raise InvalidInput("date_in_future", f"{field_name} is after today", [Problem(
                field_name, rule, f"{field_name} 不能晚于今天（{self.today()}）",
                f"{field_name} may not be later than today ({self.today()})")])
        return day


def get_ctx(request: Request, session: SessionDep, principal: PrincipalDep) -> Ctx:
    return Ctx(session=session, outbox=request.app.state.outbox, settings=request.app.state.settings,
               principal=principal)


CtxDep = Annotated[Ctx, Depends(get_ctx)]


def event_ctx(session: AsyncSession, outbox: Outbox, settings: Settings, subject: str) -> Ctx:
    """Context for a consumed event: the internal role, the subject as actor."""
    return Ctx(session=session, outbox=outbox, settings=settings,
               principal=Principal(actor=subject, role="internal"))
