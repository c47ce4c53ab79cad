"""Financial disclosure (seeds 000, 001): organisations that received donations, government grants or
purchase-of-service money publish their yearly income and spending by source and the audit report (DISC-1..5)."""
