"""SQLite's substring index over organisation name keys (PostgreSQL uses a pg_trgm index on the table itself).

An FTS5 table `name_fts` (created by migration `0600`, not by the models: Alembic cannot describe virtual tables, so
`metadata.info["virtual_tables"]` tells the migration check to leave it and its shadow tables alone). Each name key
is indexed as the sequence of its character bigrams, each bigram written as one ASCII token (the two code points in
hex), so a query of two or more characters is the phrase of its own bigrams, and a phrase match is exactly a
substring match; 2-character queries are served by the index too, which FTS5's own trigram tokenizer cannot do.
FTS5 buffers a transaction's inserts and writes them as a new segment (merged later), so a 10,000-row import chunk
writes a few sequential pages instead of touching one B-tree page per bigram: import speed holds up at a million
names.
"""

from __future__ import annotations

FTS_TABLE = "name_fts"
CREATE_FTS = (f"CREATE VIRTUAL TABLE {FTS_TABLE} USING fts5(grams, uscc UNINDEXED, tokenize = 'ascii', "
              "columnsize = 0)")


def token(pair: str) -> str:
    return f"{ord(pair[0]):x}g{ord(pair[1]):x}"


def bigram_tokens(name_key: str) -> list[str]:
    """The key's bigrams in order (repeats kept: positions make a phrase match a substring match)."""
    return [token(name_key[i:i + 2]) for i in range(len(name_key) - 1)]


def document(name_key: str) -> str:
    return " ".join(bigram_tokens(name_key))


def phrase(name_key: str) -> str:
    """An FTS5 MATCH expression for 'contains name_key' (len ≥ 2); tokens are ASCII alphanumerics, quoting is safe."""
    return '"' + " ".join(bigram_tokens(name_key)) + '"'
