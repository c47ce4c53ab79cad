"""Cross-service end-to-end fixtures: the whole stack started as `make run` starts it (real processes, real NATS)."""

from __future__ import annotations

import importlib.util
import os
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from yishe_kit.testing import _pg, create_pg_database, free_port, test_backend

ROOT = Path(__file__).resolve().parents[1]

# Test modules import the registration bodies by this name (tests run with --import-mode=importlib).
_bodies_spec = importlib.util.spec_from_file_location("registration_bodies", Path(__file__).parent /
                                                      "registration_bodies.py")
_bodies = importlib.util.module_from_spec(_bodies_spec)
sys.modules["registration_bodies"] = _bodies
_bodies_spec.loader.exec_module(_bodies)


def _bench_module(name: str):
    """`bench/<name>.py` as a module (its own imports from bench/ resolved): tests read a benchmark's options, parsers
    and checks from it rather than copying them."""
    import importlib

    if str(ROOT / "bench") not in sys.path:
        sys.path.insert(0, str(ROOT / "bench"))
    return importlib.import_module(name)


@pytest.fixture
def bench_module():
    """Loads a benchmark's module: `bench_module("gateway_profile")`."""
    return _bench_module


def _stack_module():
    spec = importlib.util.spec_from_file_location("yishe_stack", ROOT / "scripts" / "stack.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def started_stack(tmp_path_factory: pytest.TempPathFactory, name: str = "stack") -> Iterator[object]:
    """The whole stack as `make run` starts it, on free ports (and its own PostgreSQL databases), stopped after."""
    mod = _stack_module()
    # Every e2e test signs its accounts in from 127.0.0.1 against one stack: the sign-in limit per address (AUTH,
    # 10/minute by default, tested in the gateway's own tests) would refuse the suite's later tests.
    os.environ.setdefault("GATEWAY_RATE_LIMIT__SIGN_IN", "1000/minute")
    db_urls = {}
    tag = f"{name}_{os.getpid()}"
    if test_backend() == "postgres":
        db_urls = {svc: create_pg_database(f"yishe_e2e_{svc}_{tag}") for svc in mod.SERVICES}
    s = mod.Stack(
        data_dir=tmp_path_factory.mktemp(name), nats_port=free_port(), gateway_port=free_port(),
        ports={svc: free_port() for svc in mod.SERVICES}, nats_url=None, db_urls=db_urls,
    )
    s.start()
    yield s
    s.stop()
    if db_urls:  # per test process (concurrent runs never share), so dropped afterwards
        _pg([f'DROP DATABASE IF EXISTS "yishe_e2e_{svc}_{tag}" WITH (FORCE)' for svc in mod.SERVICES])


@pytest.fixture(scope="session")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[object]:
    yield from started_stack(tmp_path_factory)


@pytest.fixture(scope="module")
def own_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[object]:
    """A stack for one module alone: its load (a bulk import propagating) never slows the other e2e tests."""
    yield from started_stack(tmp_path_factory, "ownstack")


@pytest.fixture
def unique_name() -> str:
    return f"温州市鹿城区{_bodies.han_word()}公益服务协会"  # REG-6: Chinese characters only


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """End-to-end tests start the whole stack (five processes and NATS) in their first test's time: on a loaded
    two-core machine that alone can pass the suite's 120 s default, so they get 600 s unless they say otherwise."""
    for item in items:
        if item.get_closest_marker("e2e") is not None and item.get_closest_marker("timeout") is None:
            item.add_marker(pytest.mark.timeout(600))
