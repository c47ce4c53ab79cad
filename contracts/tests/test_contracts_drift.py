"""Generated artifacts (contracts/jsonschema, contracts/asyncapi) are committed and must match the models."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from yishe_contracts import export

CONTRACTS = Path(__file__).resolve().parents[1]
REPO = CONTRACTS.parent
SCRIPT = REPO / "scripts" / "contracts.py"
REGENERATE = "run `.venv/bin/python scripts/contracts.py generate` and commit the result"


def _run_script(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        # `--only events`: these tests are about the event artifacts; the OpenAPI part (which builds every app) has
        # its own test (tests/test_openapi_contracts.py) and runs in scripts/test.sh's full check.
        [sys.executable, str(SCRIPT), *args, "--only", "events"], check=False, capture_output=True, text=True,
        timeout=60
    )


def test_committed_artifacts_equal_generated_when_models_are_unchanged():
    problems = export.drift(CONTRACTS)
    assert problems == [], f"contract artifacts are stale ({REGENERATE}):\n" + "\n".join(problems)


def test_generated_dirs_hold_no_extra_files_when_checked():
    expected = set(export.render_all())
    assert set(export.existing_files(CONTRACTS)) == expected


def test_generation_is_byte_stable_when_run_twice():
    assert export.render_all() == export.render_all()


def test_every_subject_has_a_schema_file_when_generated():
    files = export.render_all()
    for subject in export.SUBJECTS:
        assert export.schema_path(subject) in files
    assert export.ENVELOPE_FILE in files
    assert export.asyncapi_path("system") in files
    for service in export.SERVICES:
        assert export.asyncapi_path(service) in files


def test_drift_lists_changed_missing_and_extra_files_when_tree_differs(tmp_path: Path):
    files = export.render_all()
    for rel, text in files.items():
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text(text, encoding="utf-8")
    assert export.drift(tmp_path) == []

    changed, missing = export.schema_path(next(iter(export.SUBJECTS))), export.asyncapi_path("system")
    (tmp_path / changed).write_text("{}\n", encoding="utf-8")
    (tmp_path / missing).unlink()
    (tmp_path / "jsonschema" / "registry.organisation.renamed.v1.json").write_text("{}\n", encoding="utf-8")

    assert sorted(export.drift(tmp_path)) == sorted([
        f"changed: {changed}",
        f"missing: {missing}",
        "extra: jsonschema/registry.organisation.renamed.v1.json",
    ])


def test_json_is_utf8_with_sorted_keys_when_rendered():
    text = export.render_all()[export.schema_path("registry.organisation.registered.v1")]
    assert "社会团体" in text and "\\u" not in text
    assert text.endswith("}\n")


def test_check_command_exits_zero_when_artifacts_are_current():
    result = _run_script("check")
    assert result.returncode == 0, result.stderr


def test_check_command_exits_one_listing_files_when_artifacts_drift(tmp_path: Path):
    assert _run_script("generate", "--root", str(tmp_path)).returncode == 0
    assert _run_script("check", "--root", str(tmp_path)).returncode == 0

    stale = tmp_path / export.ENVELOPE_FILE
    stale.write_text(stale.read_text(encoding="utf-8") + " ", encoding="utf-8")
    (tmp_path / "asyncapi" / "old.asyncapi.yaml").write_text("asyncapi: 3.0.0\n", encoding="utf-8")
    (tmp_path / export.asyncapi_path("gateway")).unlink()

    result = _run_script("check", "--root", str(tmp_path))
    assert result.returncode == 1
    assert f"changed: {export.ENVELOPE_FILE}" in result.stderr
    assert "extra: asyncapi/old.asyncapi.yaml" in result.stderr
    assert f"missing: {export.asyncapi_path('gateway')}" in result.stderr


def test_generate_command_removes_stale_files_when_a_subject_disappears(tmp_path: Path):
    (tmp_path / "jsonschema").mkdir()
    (tmp_path / "jsonschema" / "registry.organisation.gone.v1.json").write_text("{}\n", encoding="utf-8")
    assert _run_script("generate", "--root", str(tmp_path)).returncode == 0
    assert export.drift(tmp_path) == []
