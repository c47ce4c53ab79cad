"""Formation suggestions: joint-branch partners and open joint branches ranked by division and sector (PARTY-2)."""
