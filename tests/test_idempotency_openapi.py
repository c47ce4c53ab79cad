"""Every writing operation (POST, PUT, PATCH, DELETE) of every service takes an `Idempotency-Key` (issue 12,
yishe_kit.idempotency): the header is in each service's committed OpenAPI and in the gateway's merged one under
/api/<service>, so a new creating POST cannot be added without it (the documents are regenerated from the apps and
checked for drift in CI)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

OPENAPI = Path(__file__).resolve().parents[1] / "contracts" / "openapi"
SERVICES = ["registry", "credit", "procurement", "party", "cultivation"]


WRITES = ("post", "put", "patch", "delete")


def posts(doc: dict, prefix: str) -> dict[str, dict]:
    """Every writing operation under `prefix`, keyed `METHOD path`."""
    return {f"{method.upper()} {path}": item[method] for path, item in doc["paths"].items()
            for method in WRITES if method in item and path.startswith(prefix)}


def keyed(operation: dict) -> bool:
    return any(p.get("name") == "Idempotency-Key" and p.get("in") == "header" and not p.get("required")
               for p in operation.get("parameters", []))


@pytest.mark.parametrize("service", SERVICES)
def test_every_post_of_a_service_documents_the_idempotency_key(service: str) -> None:
    """IDEM-1..IDEM-3: optional header on each writing operation, with the 409 (in flight) and 422 (reused)
    answers listed."""
    operations = posts(json.loads((OPENAPI / f"{service}.openapi.json").read_text(encoding="utf-8")), "/v1/")
    assert operations
    assert [path for path, op in operations.items() if not keyed(op)] == []
    assert all({"409", "422"} <= set(op["responses"]) for op in operations.values())


def test_the_merged_document_carries_it_to_the_gateway_paths() -> None:
    doc = json.loads((OPENAPI / "yishe.openapi.json").read_text(encoding="utf-8"))
    for service in SERVICES:
        operations = posts(doc, f"/api/{service}/v1/")
        assert operations and all(keyed(op) for op in operations.values()), service


def test_puts_and_patches_are_among_the_keyed_operations() -> None:
    """Not only POSTs: the services' PUTs and PATCHes (a change that writes history and emits again) are keyed."""
    doc = json.loads((OPENAPI / "party.openapi.json").read_text(encoding="utf-8"))
    methods = {op.split(" ", 1)[0] for op in posts(doc, "/v1/")}
    assert {"POST", "PUT", "PATCH"} <= methods
