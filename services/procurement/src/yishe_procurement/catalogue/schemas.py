from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel, Field


class Level(StrEnum):
    PROVINCE = "province"
    CITY = "city"
    COUNTY = "county"


class ItemCreate(BaseModel):
    code: str = Field(pattern=r"^[A-Z0-9][A-Z0-9.\-]{0,19}$", description="item code, e.g. A0201")
    name: str = Field(min_length=2, max_length=200)
    parent_code: str | None = Field(default=None, max_length=20)
    description: str | None = Field(default=None, max_length=2000)
    platform_support: bool = Field(default=False, description="PROC-10: builds or runs service platforms / supports "
                                                              "community organisations")


class CatalogueCreate(BaseModel):
    level: Level
    division_code: str = Field(description="province 330000, city 330300, county 330302")
    year: int = Field(ge=2000, le=2100, description="budget year the catalogue applies to")
    title: str = Field(min_length=2, max_length=200)
    issued_by: str = Field(min_length=2, max_length=200, description="e.g. 温州市财政局")
    items: list[ItemCreate] = Field(min_length=1, max_length=2000)


class ItemRead(BaseModel):
    code: str
    name: str
    parent_code: str | None
    description: str | None
    platform_support: bool


class CatalogueRead(BaseModel):
    catalogue_id: str
    level: str
    division_code: str
    year: int
    version: int
    title: str
    issued_by: str
    status: str
    created_at: datetime
    published_at: datetime | None
    items: list[ItemRead] = Field(default_factory=list)


class CatalogueSummary(BaseModel):
    catalogue_id: str
    level: str
    division_code: str
    year: int
    version: int
    title: str
    status: str
    item_count: int
