"""Append-only history of records that are not (yet) organisations: name reservations, applications, filings."""
