"""Cross-service end-to-end fixtures: the whole stack started as `make run` starts it (real processes, real NATS)."""

from __future__ import annotations

import importlib.util
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from yishe_kit.testing import create_pg_database, free_port, test_backend

ROOT = Path(__file__).resolve().parents[1]


def _stack_module():
    spec = importlib.util.spec_from_file_location("yishe_stack", ROOT / "scripts" / "stack.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="session")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[object]:
    mod = _stack_module()
    db_urls = {}
    if test_backend() == "postgres":
        db_urls = {svc: create_pg_database(f"yishe_e2e_{svc}") for svc in mod.SERVICES}
    s = mod.Stack(
        data_dir=tmp_path_factory.mktemp("stack"), nats_port=free_port(), gateway_port=free_port(),
        ports={svc: free_port() for svc in mod.SERVICES}, nats_url=None, db_urls=db_urls,
    )
    s.start()
    yield s
    s.stop()


@pytest.fixture
def unique_name() -> str:
    return f"温州市鹿城区{uuid.uuid4().hex[:6].upper()}公益服务协会"
