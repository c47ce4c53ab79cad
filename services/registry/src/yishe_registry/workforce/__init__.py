"""The people who work in social organisations (seeds 000, 003): full-time staff, certified social workers and
volunteers per organisation and year, from annual reports and change filings, and the indicators (WORK-1..3)."""
