"""The daily job: every time-driven Party-building rule for one day (idempotent for the same day)."""
