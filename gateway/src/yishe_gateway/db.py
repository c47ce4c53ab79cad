"""The gateway's own store (API clients and keys, nonces, audit chain, change feed, webhooks): its declarative base
on a kit metadata (naming convention; the kit's inbox dedupes the consumed events)."""

from sqlalchemy.orm import DeclarativeBase

from yishe_kit.db import new_metadata

metadata = new_metadata()
metadata.remove(metadata.tables["outbox"])  # the gateway publishes no events of its own


class Base(DeclarativeBase):
    metadata = metadata
