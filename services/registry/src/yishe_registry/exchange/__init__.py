"""Data exchange: bulk import of legacy records (CSV with BOM, XLSX, JSON Lines) with a per-row report,
idempotent re-runs and provenance; bulk export (CSV with BOM, JSON Lines); a cursor-based change feed."""
