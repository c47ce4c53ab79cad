"""Each service's OpenAPI, the gateway's and the merged one are committed under `contracts/openapi/` and must equal
what the code generates (issue 15), like the event schemas: a department generates its client from them."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def _export():
    spec = importlib.util.spec_from_file_location("openapi_export", REPO / "scripts" / "openapi_export.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_committed_openapi_equals_generated_and_carries_security() -> None:
    export = _export()
    files = export.render_all()
    assert export.drift(REPO / "contracts", files) == [], (
        "contracts/openapi/ is stale: run `.venv/bin/python scripts/contracts.py generate` and commit the result")
    merged = json.loads(files["openapi/yishe.openapi.json"])
    assert merged["x-missing-services"] == [] and "bearerAuth" in merged["components"]["securitySchemes"]
    for service in ("registry", "credit", "procurement", "party"):
        own = json.loads(files[f"openapi/{service}.openapi.json"])
        assert all(f"/api/{service}{p}" in merged["paths"] for p in own["paths"] if not p.startswith("/health"))


def test_drift_names_changed_missing_and_extra_files(tmp_path: Path) -> None:
    export = _export()
    expected = {"openapi/a.openapi.json": "{}\n", "openapi/b.openapi.json": "{}\n"}
    (tmp_path / "openapi").mkdir()
    (tmp_path / "openapi" / "a.openapi.json").write_text("{ }\n")
    (tmp_path / "openapi" / "c.openapi.json").write_text("{}\n")
    assert export.drift(tmp_path, expected) == ["changed: openapi/a.openapi.json", "missing: openapi/b.openapi.json",
                                                "extra: openapi/c.openapi.json"]
