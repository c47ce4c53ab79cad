"""Shares of new public-service purchase spending (PROC-9 ≥ 30 % to social organisations, PROC-10 ≥ 10 % for
platforms and community organisations), from the recorded contracts."""
