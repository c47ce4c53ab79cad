from __future__ import annotations

import pytest
from pydantic import ValidationError

from yishe_party.config import Settings


def test_placeholder_id_hash_key_refused_when_not_dev() -> None:
    with pytest.raises(ValidationError, match="PARTY_ID_HASH_KEY"):
        Settings(env="production")
    assert Settings(env="production", id_hash_key="a-real-secret").env == "production"
    assert Settings(env="dev").id_hash_key.get_secret_value()
