"""Complaints and reports (投诉举报), anonymous allowed, incl. illegal organisations: triage, assignment, outcome."""
