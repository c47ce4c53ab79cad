"""Names (REG-6..REG-8): builder and validator per kind, exact and similar-name detection, reservations, claims."""
