from __future__ import annotations

from yishe_kit.errors import NotFound


class OrganisationNotFound(NotFound):
    def __init__(self, uscc: str):
        super().__init__("organisation_not_found", f"no organisation {uscc} is known to cultivation (yet)")


class FilingNotFound(NotFound):
    def __init__(self, filing_no: str):
        super().__init__("filing_not_found", f"no filed community organisation {filing_no}")
