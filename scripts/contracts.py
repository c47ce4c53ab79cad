"""Generate and check the committed contract artifacts (STYLE §8).

    .venv/bin/python scripts/contracts.py generate   # write contracts/jsonschema/ and contracts/asyncapi/
    .venv/bin/python scripts/contracts.py check      # exit 1 listing every changed, missing or extra file
    .venv/bin/python scripts/contracts.py compat [--base main]
                                                          # exit 1 if a vN schema broke compatibility with
                                                          # the version committed on --base (git)

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
    for rel in written:
        print(f"wrote {rel}")
    for rel in removed:
        print(f"removed {rel}")
    print(f"{len(files)} contract files up to date ({len(written)} written, {len(removed)} removed)")
    return 0


def check(root: Path) -> int:
    problems = export.drift(root)
    if not problems:
        print(f"contracts up to date ({len(export.render_all())} files)")
        return 0
    print("contract artifacts differ from the models; run `.venv/bin/python scripts/contracts.py generate`:",
          file=sys.stderr)
    for problem in problems:
        print(f"  {problem}", file=sys.stderr)
    return 1


def compat(root: Path, base: str) -> int:
    """Compare each freshly generated event schema with the one committed on `base`; new subjects pass."""
    broken = []
    prefix = root.resolve().relative_to(REPO).as_posix()
    for subject, spec in sorted(export.SUBJECTS.items()):
        rel = export.schema_path(subject)
        shown = subprocess.run(
            ["git", "show", f"{base}:{prefix}/{rel}"], cwd=REPO, capture_output=True, check=False
        )
        if shown.returncode != 0:
            continue  # not on base: a new subject
        for change in export.compatible(json.loads(shown.stdout), export.event_json_schema(spec)):
            broken.append(f"{subject}: {change}")
    if broken:
        print(f"breaking changes against {base} (publish a new vN subject instead):", file=sys.stderr)
        for line in broken:
            print(f"  {line}", file=sys.stderr)
        return 1
    print(f"event schemas compatible with {base}")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("command", choices=("generate", "check", "compat"))
    parser.add_argument("--root", type=Path, default=REPO / "contracts", help="the contracts/ directory")
    parser.add_argument("--base", default="main", help="git ref for `compat`")
    args = parser.parse_args(argv)
    if args.command == "generate":
        return generate(args.root)
    if args.command == "check":
        return check(args.root)
    return compat(args.root, args.base)


if __name__ == "__main__":
    sys.exit(main())
