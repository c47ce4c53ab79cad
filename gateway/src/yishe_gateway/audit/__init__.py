"""Audit (AUDIT-1..3): every write and every non-public read, append-only and hash-chained, with a verifier."""
