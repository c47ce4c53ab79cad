"""credit's declarative base on its own metadata (naming convention, outbox and inbox from the kit)."""

from sqlalchemy.orm import DeclarativeBase

from yishe_kit.db import new_metadata

metadata = new_metadata(fragments=True, jobs=True, idempotency=True)


class Base(DeclarativeBase):
    metadata = metadata
