"""Search over registered organisations: USCC, name substring (bigram index on SQLite, pg_trgm on PostgreSQL),
kind, division prefix, status, grade; keyset pagination in USCC order."""
