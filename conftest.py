"""Root fixtures shared by every member's tests: a real NATS server and per-service migrated databases."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from yishe_kit.testing import MigratedDatabases, NatsServer, close_all_databases, install_test_assertion_keys

ROOT = Path(__file__).resolve().parent

# Services refuse calls without the gateway's signed assertion, in tests too: this process's test key pair stands in
# for the gateway's (services get the public key, the gateway the private one; yishe_kit.testing mints).
install_test_assertion_keys()


def shared_dir() -> Path:
    return Path(os.environ.get("YISHE_SHARED_DIR", ROOT.parent / "shared"))


@pytest.fixture(scope="module")
def nats_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[NatsServer]:
    """A fresh JetStream per test module: durable consumers replay a stream's whole history (DeliverPolicy.ALL),
    so events left by other members' tests must not reach this module's fresh databases."""
    server = NatsServer(tmp_path_factory.mktemp("nats")).start()
    yield server
    server.stop()


_databases: dict[str, MigratedDatabases] = {}


@pytest.fixture(scope="session")
def migrated() -> Iterator[callable]:
    """`migrated("registry")` → that service's migrated databases (migrations run once per test session)."""

    def get(service: str) -> MigratedDatabases:
        if service not in _databases:
            _databases[service] = MigratedDatabases(service, ROOT / "services" / service)
        return _databases[service]

    yield get
    _databases.clear()  # dropped at the session's end (pytest_sessionfinish), outside any test's timeout


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    close_all_databases()


@pytest.fixture(autouse=True)
def _real_business_date() -> Iterator[None]:
    """Every test starts and ends on the real business date (a test may move the process's clock)."""
    from yishe_kit.clock import default_clock

    default_clock().set_platform_date(None)
    yield
    default_clock().set_platform_date(None)
