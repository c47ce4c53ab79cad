"""Risk early warning (风险预警): an explainable weighted score per organisation, ranked."""
