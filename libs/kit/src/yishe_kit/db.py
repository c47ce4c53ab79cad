"""Engine, metadata naming convention, per-request sessions, and the outbox/inbox tables every service owns."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy import (
    BigInteger,
    Column,
    Date,
    DateTime,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    event,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine
from sqlalchemy.orm import Session
from sqlalchemy.types import TypeDecorator

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

class UtcDateTime(TypeDecorator[datetime]):
    """A timezone-aware UTC timestamp on both backends (SQLite keeps no offset: it is put back on read)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is not None and value.tzinfo is None:
            raise ValueError("naive datetimes are not stored: use an aware UTC datetime")
        return value.astimezone(UTC) if value is not None else None

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is not None and value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value


# SQLite only autoincrements an INTEGER PRIMARY KEY.
BigIntPK = BigInteger().with_variant(Integer(), "sqlite")


FRAGMENT_TABLE = "profile_fragment"


def new_metadata(*, fragments: bool = False) -> MetaData:
    """A service's metadata with the naming convention and its outbox/inbox tables; `fragments`: also the
    `profile_fragment` read model of the 一社一码 profile (yishe_kit.readmodel)."""
    md = MetaData(naming_convention=NAMING_CONVENTION)
    Table(
        "outbox",
        md,
        Column("seq", BigIntPK, primary_key=True, autoincrement=True),
        Column("event_id", String(36), nullable=False, unique=True),
        Column("subject", String(200), nullable=False),
        Column("payload", LargeBinary, nullable=False),
        Column("created_at", UtcDateTime(), nullable=False),
        Column("published_at", UtcDateTime(), nullable=True, index=True),
        Column("attempts", Integer, nullable=False, default=0),
        Column("last_error", Text, nullable=True),
    )
    Table(
        "inbox",
        md,
        Column("consumer", String(200), primary_key=True),
        Column("event_id", String(36), primary_key=True),
        Column("subject", String(200), nullable=False),
        Column("received_at", UtcDateTime(), nullable=False),
    )
    if fragments:
        Table(
            FRAGMENT_TABLE,
            md,
            Column("uscc", String(18), primary_key=True),  # "*" holds the service-wide epoch in `version`
            Column("version", BigInteger, nullable=False),  # bumped with every change to the organisation
            Column("epoch", BigInteger, nullable=True),  # the epoch `body` was built in
            Column("body", LargeBinary, nullable=True),  # the internal view's JSON; NULL = to be built
            Column("computed_on", Date, nullable=True),  # the service's local day `body` was built for
            Column("computed_at", UtcDateTime(), nullable=True),
        )
    return md


def make_engine(url: str, *, echo: bool = False, pool_size: int = 10) -> AsyncEngine:
    if url.startswith("sqlite"):
        path = url.split("///", 1)[-1]
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        engine = create_async_engine(url, echo=echo, connect_args={"timeout": 30})

        @event.listens_for(engine.sync_engine, "connect")
        def _sqlite_pragmas(dbapi_conn, _record):
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA busy_timeout=30000")
            cur.close()

        return engine
    return create_async_engine(url, echo=echo, pool_size=pool_size, pool_pre_ping=True)


def make_sessionmaker(engine: AsyncEngine, session_class: type[Session] | None = None,
                      ) -> async_sessionmaker[AsyncSession]:
    """`session_class`: the sync Session behind each AsyncSession (the read model's listens for changes)."""
    if session_class is None:
        return async_sessionmaker(engine, expire_on_commit=False)
    return async_sessionmaker(engine, expire_on_commit=False, sync_session_class=session_class)


async def get_session(request: Request) -> AsyncIterator[AsyncSession]:
    """One session per request: commit on success, roll back on error. Services only flush."""
    sessionmaker: async_sessionmaker[AsyncSession] = request.app.state.sessionmaker
    async with sessionmaker() as session:
        try:
            yield session
            await session.commit()
        except BaseException:
            await session.rollback()
            raise


# scope="function": the session commits before the response is sent (FastAPI's default "request" scope would run
# the commit afterwards, so a client could read before the write is visible or get a 2xx for a failed commit).
SessionDep = Annotated[AsyncSession, Depends(get_session, scope="function")]


async def flush_or_conflict(session: AsyncSession, code: str, detail: str, problems: list | None = None) -> None:
    """Flush; a unique constraint refusing it (a concurrent duplicate) is a 409 with `code`, never a 500. Unique
    constraints are the last word on races; the request's transaction then rolls back."""
    from sqlalchemy.exc import IntegrityError

    from .errors import Conflict

    try:
        await session.flush()
    except IntegrityError as exc:
        raise Conflict(code, detail, problems) from exc
