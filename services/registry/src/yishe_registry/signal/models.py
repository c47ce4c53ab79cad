from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import JSON, Boolean, Date, String, Text, false
from sqlalchemy.orm import Mapped, mapped_column

from ..db import Base


class OrganisationSignal(Base):
    __tablename__ = "organisation_signal"

    uscc: Mapped[str] = mapped_column(String(18), primary_key=True)
    abnormal_listed: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    serious_listed: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    listing_changed_on: Mapped[date | None] = mapped_column(Date)
    zombie_confirmed_on: Mapped[date | None] = mapped_column(Date)
    zombie_evidence: Mapped[list[str] | None] = mapped_column(JSON)
    zombie_decided_by: Mapped[str | None] = mapped_column(String(200))
    party_required: Mapped[bool | None] = mapped_column(Boolean)
    party_covered: Mapped[bool | None] = mapped_column(Boolean)
    party_reason: Mapped[str | None] = mapped_column(Text)
    party_as_of: Mapped[date | None] = mapped_column(Date)
    party_reminder_due: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    extra: Mapped[dict[str, Any] | None] = mapped_column(JSON)
