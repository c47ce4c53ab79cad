"""The daily job: every time-driven credit rule for a given `as_of` day, idempotent and re-runnable."""
