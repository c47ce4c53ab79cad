"""OCDS merging (https://standard.open-contracting.org/1.1/en/schema/merging/): releases in date order into a
compiled release; objects merge field by field, arrays of objects with `id` merge by id, other arrays replace."""

from __future__ import annotations

from typing import Any

OMIT_WHEN_MERGED = ("id", "date", "publisher", "tag", "links")


def _is_identified_list(value: Any) -> bool:
    return isinstance(value, list) and bool(value) and all(isinstance(v, dict) and "id" in v for v in value)


def _merge(target: dict[str, Any], source: dict[str, Any]) -> None:
    for key, value in source.items():
        if value is None:
            target.pop(key, None)
        elif isinstance(value, dict):
            current = target.get(key)
            target[key] = current if isinstance(current, dict) else {}
            _merge(target[key], value)
        elif _is_identified_list(value):
            current = target.get(key) if _is_identified_list(target.get(key)) else []
            by_id = {item["id"]: item for item in current}
            for item in value:
                if item["id"] in by_id:
                    _merge(by_id[item["id"]], item)
                else:
                    merged: dict[str, Any] = {}
                    _merge(merged, item)
                    current.append(merged)
                    by_id[item["id"]] = merged
            target[key] = current
        else:
            target[key] = value


def compile_releases(releases: list[dict[str, Any]]) -> dict[str, Any]:
    ordered = sorted(releases, key=lambda r: r["date"])
    compiled: dict[str, Any] = {}
    for release in ordered:
        _merge(compiled, {k: v for k, v in release.items() if k not in OMIT_WHEN_MERGED})
    last = ordered[-1]["date"]
    return {"ocid": ordered[-1]["ocid"], "id": f"{ordered[-1]['ocid']}-{last}", "date": last, "tag": ["compiled"],
            **{k: v for k, v in compiled.items() if k != "ocid"}}
