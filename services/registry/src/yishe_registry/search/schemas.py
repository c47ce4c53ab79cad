from __future__ import annotations

from datetime import date

from pydantic import BaseModel


class OrganisationSummary(BaseModel):
    """What a search shows: public registration facts only (CODE-4)."""

    uscc: str
    name: str
    org_type: str
    division_code: str
    status: str
    grade: str | None
    community_class: str | None
    registration_date: date


class SearchPage(BaseModel):
    items: list[OrganisationSummary]
    next_cursor: str | None
