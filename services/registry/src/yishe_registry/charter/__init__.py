"""Charters (章程): every version kept; approval checks the Party-building clause (PARTY-11)."""
