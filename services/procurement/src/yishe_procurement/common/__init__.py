"""Small helpers every procurement domain uses: yuan amounts, reader roles, exact JSON numbers."""
