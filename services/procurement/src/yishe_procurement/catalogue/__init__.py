"""Guidance catalogues (指导性目录): versioned per level and division; only their items may be bought
(PROC-5, PROC-6)."""
