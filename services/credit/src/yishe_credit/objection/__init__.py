"""Objections (异议) and correction (CR-15): the organisation objects, staff accept, verify and correct in time."""
