"""The gateway's migrations, applied to an empty store, match its models; its consumers are declared in contracts."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from yishe_contracts.subjects import SUBJECTS
from yishe_gateway.exchange.consumers import subscriptions
from yishe_gateway.main import metadata
from yishe_kit.db import make_engine


async def test_migrations_match_models_when_upgraded_to_head(gateway_db: str) -> None:
    engine = make_engine(gateway_db)
    try:
        async with engine.connect() as conn:
            diff = await conn.run_sync(
                lambda sync: compare_metadata(MigrationContext.configure(sync, opts={"compare_type": True}), metadata))
    finally:
        await engine.dispose()
    assert diff == []


def test_tables_follow_the_naming_convention() -> None:
    for table in metadata.tables.values():
        assert table.primary_key.name == f"pk_{table.name}"


def test_gateway_consumes_every_subject_it_is_declared_for_and_no_other() -> None:
    subs = subscriptions()
    declared = {s for s, spec in SUBJECTS.items() if "gateway" in spec.consumers}
    assert {s.subject for s in subs} == declared
    for sub in subs:
        assert SUBJECTS[sub.subject].model is sub.model and sub.consumer == "gateway"
        assert sub.durable == "gateway-" + sub.subject.replace(".", "-")
