"""Value types used by more than one owner's events."""

from __future__ import annotations

from enum import StrEnum


class OrgType(StrEnum):
    """Kinds of social organisation; the value is the Chinese legal term (USCC-2 category in `category`)."""

    SOCIAL_GROUP = "社会团体"
    PRIVATE_NON_ENTERPRISE = "民办非企业单位"
    FOUNDATION = "基金会"

    @property
    def category(self) -> str:
        return {"社会团体": "1", "民办非企业单位": "2", "基金会": "3"}[self.value]


class PartyMemberStatus(StrEnum):
    FULL = "正式党员"
    PROBATIONARY = "预备党员"


class Colour(StrEnum):
    """分色监管 colours (CODE-3)."""

    RED = "red"
    ORANGE = "orange"
    YELLOW = "yellow"
    GREEN = "green"
    BLUE = "blue"
