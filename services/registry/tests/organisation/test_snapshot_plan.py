"""IMPORT-3, issue 11 (import on PostgreSQL): the import's comparison with stored records (`repository.snapshot`,
once per 1,000-row chunk) probes the primary key for each USCC, whatever the table's statistics say. Inside an
import's transaction nothing re-analyses the table, and `uscc IN (…1,000 keys)` was planned as a scan of every row:
669 rows/s at 100,000 (bench/import_memory.py --postgres), 6,042 with the probes."""

from __future__ import annotations

import pytest
from registry_factories import STAFF, direct
from sqlalchemy import select, text

from yishe_kit import testing
from yishe_kit.bulk import insert_rows
from yishe_registry.organisation import repository
from yishe_registry.organisation.models import Organisation

pytestmark = pytest.mark.skipif(testing.test_backend() != "postgres", reason="a PostgreSQL query plan")


async def test_the_imports_lookup_probes_the_key_in_a_table_grown_in_its_transaction(app, client) -> None:
    resp = await client.post("/v1/organisations", json=direct(), headers=STAFF)
    assert resp.status_code == 201, resp.text
    async with app.state.sessionmaker() as session, session.begin():
        table = Organisation.__table__
        model = dict((await session.execute(select(table).limit(1))).mappings().one())
        rows = [{**model, "uscc": f"5133030{n:011d}", "name": f"{model['name']}{n}",
                 "name_normalised": f"{model['name_normalised']}{n}"} for n in range(20_000)]
        await insert_rows(session, table, rows)  # as an import's chunks: uncommitted, never analysed
        keys = [row["uscc"] for row in rows[::20]]  # 1,000 of them, as one chunk
        plan = "\n".join(r[0] for r in await session.execute(
            text("EXPLAIN " + str(repository._SNAPSHOT_PG)), {"keys": keys}))
        assert "Index Scan using pk_organisation" in plan and "Seq Scan on organisation" not in plan, plan
        found = await repository.snapshot(session, [*keys, "51330300000000000X"])
        assert sorted(found) == sorted(keys) and all(isinstance(o, Organisation) for o in found.values())
