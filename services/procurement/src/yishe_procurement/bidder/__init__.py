"""Bidders: the local read model of who may bid, fed by registry and credit events (used for PROC-4 eligibility)."""
