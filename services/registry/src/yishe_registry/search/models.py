from __future__ import annotations

from typing import ClassVar

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from ..db import Base


class NameGram(Base):
    """SQLite substring index: each character bigram of a name key → the organisation (empty on PostgreSQL).

    FTS5's shadow tables would show up as drift in the migration check, so the index is an ordinary table.
    """

    __tablename__ = "name_gram"
    __table_args__: ClassVar[dict] = {"sqlite_with_rowid": False}

    gram: Mapped[str] = mapped_column(String(8), primary_key=True)
    uscc: Mapped[str] = mapped_column(String(18), primary_key=True)
