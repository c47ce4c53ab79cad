"""Indicators (CR-20): the share of organisations with sound governance and no bad credit record, by division."""
