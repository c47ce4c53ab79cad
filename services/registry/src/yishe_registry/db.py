"""Registry's declarative base on its own metadata (naming convention, outbox and inbox from the kit)."""

from sqlalchemy.orm import DeclarativeBase

from yishe_kit.db import new_metadata

from .search.models import FTS_TABLE

metadata = new_metadata(fragments=True, jobs=True, idempotency=True)
# SQLite's name index (search/models.py) is a virtual table the migrations create and the models cannot describe.
metadata.info["virtual_tables"] = (FTS_TABLE,)


class Base(DeclarativeBase):
    metadata = metadata
