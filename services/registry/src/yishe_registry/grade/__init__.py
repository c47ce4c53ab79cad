"""Evaluation grades (EVAL): 1A–5A with validity under the old rule (EVAL-4, 5 years) and the new one (EVAL-8, from
2026-03-01: 1 January after announcement to 31 December of the fifth year), downgrade, revocation, expiry."""
