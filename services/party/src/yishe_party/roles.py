"""Who does what in Party-building work (role sets; the checks themselves are `yishe_kit.access`)."""

PARTY_WRITERS = ("party",)
"""Party-building work (members, Party organisations, instructors) is the Party-building role's."""
PERSONAL_DATA_READERS = ("party",)
"""Members' and instructors' personal data: only Party-building roles (issue 6)."""
OVERSIGHT_READERS = ("party", "staff", "internal")
"""Coverage, budgets, checklists and indicators: Party-building, the registration authority and services."""
