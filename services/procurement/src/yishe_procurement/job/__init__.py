"""The daily job: time-driven rules for a given day (tenders closing, overdue follow-ups and disclosures)."""
