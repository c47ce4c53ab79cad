"""Contracts (PROC-7 content, published), payment milestones and payments; no subcontracting (PROC-8)."""
