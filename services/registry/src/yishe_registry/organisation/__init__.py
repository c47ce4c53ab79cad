"""Organisations: registration with USCC issuance, lookup, and the append-only history of each record."""
