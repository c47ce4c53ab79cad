"""Bids: an organisation applies; PROC-4 eligibility is computed on the bid date and frozen into the bid."""
