"""Personal data kept by the party service: ID numbers only masked plus a keyed hash (HMAC-SHA256), phones masked."""

from __future__ import annotations

import hashlib
import hmac

from yishe_contracts.identifiers import mask_id_number, mask_phone, validate_id_number
from yishe_kit.errors import InvalidInput, identifier_problems


def id_hash(key: str, id_number: str) -> str:
    """Keyed hash for matching the same person across organisations without keeping the number."""
    return hmac.new(key.encode(), id_number.upper().encode(), hashlib.sha256).hexdigest()


def protect_id_number(key: str, id_number: str | None, *, field: str, strict: bool) -> tuple[str | None, str | None]:
    """(masked, keyed hash) of an ID number; with `strict` a malformed number is refused (ID-1)."""
    if not id_number:
        return None, None
    if strict:
        problems = validate_id_number(id_number, field=field)
        if problems:
            raise InvalidInput("invalid_id_number", "the resident ID number is malformed",
                               identifier_problems(problems))
    return mask_id_number(id_number), id_hash(key, id_number)


def protect_phone(phone: str | None) -> str | None:
    return mask_phone(phone) if phone else None
