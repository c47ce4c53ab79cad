"""What other services told registry about an organisation: credit lists and zombie confirmation (credit),
Party-building coverage (party). Kept as local flags; reminders are given at the next filing (PARTY-5)."""
