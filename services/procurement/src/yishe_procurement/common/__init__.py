"""Small helpers every procurement domain uses: yuan amounts, the business clock, role checks, exact JSON numbers."""
