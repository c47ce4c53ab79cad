from __future__ import annotations

from pydantic import BaseModel, Field


class CommunityOrgRead(BaseModel):
    """A community organisation: registered (USCC) or filed (备案, filing number)."""

    uscc: str | None
    filing_no: str | None
    name: str
    division_code: str
    township_code: str | None
    kind: str = Field(description="registered | filed")
    status: str
    community_class: str | None


class TownshipAssign(BaseModel):
    township_code: str = Field(pattern=r"^\d{9}$", description="乡镇（街道）9-digit division code")
