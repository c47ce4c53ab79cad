"""Bidders: the local read model of who may bid, fed by registry and credit events (PROC-4 eligibility, PROC-9)."""
