"""Data exchange (EXCH-1..3): the cursor-based change feed of organisation events and signed outbound webhooks."""
