"""Generate and check the committed contract artifacts (STYLE §8).

    .venv/bin/python scripts/contracts.py generate   # write contracts/jsonschema/, contracts/asyncapi/ and
                                                     # contracts/openapi/ (scripts/openapi_export.py)
    .venv/bin/python scripts/contracts.py check      # exit 1 listing every changed, missing or extra file
    .venv/bin/python scripts/contracts.py compat [--base main]
                                                          # exit 1 if a vN schema broke compatibility with
                                                          # the version committed on --base (git)
    .venv/bin/python scripts/contracts.py compat --base history
                                                          # ... with every version of it ever committed (CI)

The OpenAPI part needs the workspace environment (`make env`); without it, it is skipped with a warning.
`--only events` leaves it out (the contracts package's own tests, which exercise the event artifacts).

`--root DIR` points at another `contracts/` directory (tests use a temporary one).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "contracts" / "src"))  # works even without the workspace install

from yishe_contracts import export  # noqa: E402

try:
    import openapi_export  # scripts/openapi_export.py: needs the services and the gateway installed
except ImportError:  # pragma: no cover - only outside the workspace environment
    openapi_export = None


EVENTS_ONLY = False


def _openapi_unavailable() -> bool:
    if EVENTS_ONLY:
        return True
    if openapi_export is not None:
        try:
            import yishe_gateway.main  # noqa: F401
            return False
        except ImportError:
            pass
    print("WARNING: the workspace is not installed (`make env`): contracts/openapi/ NOT generated or checked",
          file=sys.stderr)
    return True


def generate(root: Path) -> int:
    files = export.render_all()
    written = []
    for rel, text in files.items():
        path = root / rel
        data = text.encode("utf-8")
        if not path.is_file() or path.read_bytes() != data:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
            written.append(rel)
    removed = [rel for rel in export.existing_files(root) if rel not in files]
    for rel in removed:
        (root / rel).unlink()
    if not _openapi_unavailable():
        more_written, more_removed = openapi_export.write(root)
        written, removed = written + more_written, removed + more_removed
        files = {**files, **dict.fromkeys(openapi_export.existing(root), "")}
    for rel in written:
        print(f"wrote {rel}")
    for rel in removed:
        print(f"removed {rel}")
    print(f"{len(files)} contract files up to date ({len(written)} written, {len(removed)} removed)")
    return 0


def check(root: Path) -> int:
    problems = export.drift(root)
    if not _openapi_unavailable():
        problems += openapi_export.drift(root)
    if not problems:
        print("contracts up to date (event schemas, AsyncAPI" + (")" if EVENTS_ONLY else ", OpenAPI)"))
        return 0
    print("contract artifacts differ from the models; run `.venv/bin/python scripts/contracts.py generate`:",
          file=sys.stderr)
    for problem in problems:
        print(f"  {problem}", file=sys.stderr)
    return 1


def _committed_versions(prefix: str, rel: str, base: str) -> list[tuple[str, str]]:
    """(label, text) of the file on `base`, or with base `history` of every commit that changed it."""
    path = f"{prefix}/{rel}"
    if base != "history":
        shown = subprocess.run(["git", "show", f"{base}:{path}"], cwd=REPO, capture_output=True, check=False)
        return [(base, shown.stdout.decode())] if shown.returncode == 0 else []
    commits = subprocess.run(["git", "log", "--format=%h", "--", path], cwd=REPO, capture_output=True, text=True,
                             check=False).stdout.split()
    versions = []
    for commit in commits:
        shown = subprocess.run(["git", "show", f"{commit}:{path}"], cwd=REPO, capture_output=True, check=False)
        if shown.returncode == 0:  # not there: the commit deleted or renamed it
            versions.append((commit, shown.stdout.decode()))
    return versions


def compat(root: Path, base: str) -> int:
    """Compare each freshly generated event schema with the one committed on `base` (with `history`: every version
    ever committed, so CI needs no base branch); new subjects pass."""
    if subprocess.run(["git", "rev-parse", "--git-dir"], cwd=REPO, capture_output=True, check=False).returncode:
        print("WARNING: not a git checkout: compatibility NOT checked", file=sys.stderr)
        return 0
    broken = []
    prefix = root.resolve().relative_to(REPO).as_posix()
    compared = 0
    for subject, spec in sorted(export.SUBJECTS.items()):
        current = export.event_json_schema(spec)
        for label, text in _committed_versions(prefix, export.schema_path(subject), base):
            compared += 1
            for change in export.compatible(json.loads(text), current):
                broken.append(f"{subject} (against {label}): {change}")
    if broken:
        print(f"breaking changes against {base} (publish a new vN subject instead):", file=sys.stderr)
        for line in dict.fromkeys(broken):
            print(f"  {line}", file=sys.stderr)
        return 1
    print(f"event schemas compatible with {base} ({compared} committed versions compared)")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("command", choices=("generate", "check", "compat"))
    parser.add_argument("--root", type=Path, default=REPO / "contracts", help="the contracts/ directory")
    parser.add_argument("--base", default="main", help="git ref for `compat`, or `history` (every committed version)")
    parser.add_argument("--only", choices=("events",), help="`events`: leave the OpenAPI documents out")
    args = parser.parse_args(argv)
    global EVENTS_ONLY
    EVENTS_ONLY = args.only == "events"
    if args.command == "generate":
        return generate(args.root)
    if args.command == "check":
        return check(args.root)
    return compat(args.root, args.base)


if __name__ == "__main__":
    sys.exit(main())
