"""Tiered disclosure (CODE-4): the one place deciding which field each audience sees, masked or withheld."""
