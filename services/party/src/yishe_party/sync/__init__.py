"""三同步 / 六同步 (PARTY-5, PARTY-6): which synchronised Party-building steps an organisation has done."""
