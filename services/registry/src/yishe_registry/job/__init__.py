"""The daily job: every time-driven rule for a chosen `as_of` day, idempotent, re-runnable for past or future days."""
