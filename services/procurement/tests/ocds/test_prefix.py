"""The ocid prefix is configuration (a real publication registers its own `ocds-xxxxxx` prefix)."""

from __future__ import annotations

import pytest
from procurement_fixtures.factories import catalogue, published_project

from yishe_procurement.config import Settings


@pytest.fixture
def settings(migrated, nats_server) -> Settings:
    return Settings(db={"url": migrated("procurement").fresh_url()}, nats={"url": nats_server.url},
                    ocds={"ocid_prefix": "ocds-wz0001"})


async def test_ocid_uses_the_configured_prefix_when_a_project_is_planned(client, clock) -> None:
    await catalogue(client)
    project = await published_project(client, clock)
    assert project["ocid"] == "ocds-wz0001-330302-2027-0001"
