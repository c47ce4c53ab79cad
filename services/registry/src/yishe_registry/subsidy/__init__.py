"""Subsidies for organisations' staff (seed 003): graduate social-insurance subsidies (hired within 2 years of
graduating, at most 12 months, on contributions actually paid), training and skills-certificate subsidies, approval
and payment, a ledger per organisation and year (SUB-1..SUB-7)."""
