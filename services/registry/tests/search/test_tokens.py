"""The name index's tokens, behind name search and the REG-6 similar-name check's candidates (a substring is the
phrase of its bigrams): each bigram is its two code points in hex, however many distinct characters the index has
seen."""

from __future__ import annotations

import pytest

from yishe_registry.search import models


def reference(key: str) -> list[str]:
    return [f"{ord(key[i]):x}g{ord(key[i + 1]):x}" for i in range(len(key) - 1)]


@pytest.mark.parametrize("key", ["温州市瓯海区春春足球协会", "AB", "甲", "", "𠀋𠀌社区基金会", "温州（瓯海）ABC123"])
def test_tokens_are_each_bigrams_code_points(key: str) -> None:
    assert models.bigram_tokens(key) == reference(key)
    assert models.document(key) == " ".join(reference(key))


def test_tokens_stay_right_once_the_remembered_characters_are_full(monkeypatch) -> None:
    full = models._Hex({chr(0x4E00 + i): f"{0x4E00 + i:x}" for i in range(65536)})
    monkeypatch.setattr(models, "_HEX", full)
    key = "温州𪚥𫇭协会"  # characters beyond the remembered ones: computed, not remembered
    assert models.bigram_tokens(key) == reference(key)
    assert len(full) == 65536
