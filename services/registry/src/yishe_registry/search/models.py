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

from itertools import pairwise

FTS_TABLE = "name_fts"
CREATE_FTS = (f"CREATE VIRTUAL TABLE {FTS_TABLE} USING fts5(grams, uscc UNINDEXED, tokenize = 'ascii', "
              "columnsize = 0)")


class _Hex(dict[str, str]):
    """A character's code point in hex, remembered for the first 65,536 characters seen (a name's characters come
    from a few thousand; a bulk import indexes millions of names: 13 -> 4.5 µs a name)."""

    def __missing__(self, char: str) -> str:
        text = f"{ord(char):x}"
        if len(self) < 65536:
            self[char] = text
        return text


_HEX = _Hex()


def bigram_tokens(name_key: str) -> list[str]:
    """The key's bigrams in order (repeats kept: positions make a phrase match a substring match)."""
    hexes = list(map(_HEX.__getitem__, name_key))
    return [a + "g" + b for a, b in pairwise(hexes)]


def document(name_key: str) -> str:
    return " ".join(bigram_tokens(name_key))


def phrase(name_key: str) -> str:
    """An FTS5 MATCH expression for 'contains name_key' (len ≥ 2); tokens are ASCII alphanumerics, quoting is safe."""
    return '"' + " ".join(bigram_tokens(name_key)) + '"'
