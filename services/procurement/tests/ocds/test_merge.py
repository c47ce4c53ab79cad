from __future__ import annotations

from yishe_procurement.ocds.merge import compile_releases


def _release(date: str, **fields) -> dict:
    return {"ocid": "ocds-x-1", "id": f"r-{date}", "date": date, "tag": ["tender"], **fields}


def test_objects_with_ids_merge_by_id_and_nulls_remove_when_compiling() -> None:
    first = _release("2026-01-01T00:00:00Z", tender={"title": "旧", "items": [{"id": "1", "description": "a"}]},
                     parties=[{"id": "p1", "roles": ["buyer"]}])
    second = _release("2026-02-01T00:00:00Z", tender={"title": None, "items": [{"id": "1", "quantity": 2},
                                                                            {"id": "2", "description": "b"}]},
                      parties=[{"id": "p1", "roles": ["buyer", "payer"]}])
    compiled = compile_releases([second, first])
    assert compiled["id"] == "ocds-x-1-2026-02-01T00:00:00Z" and compiled["tag"] == ["compiled"]
    assert "title" not in compiled["tender"]
    assert compiled["tender"]["items"] == [{"id": "1", "description": "a", "quantity": 2},
                                           {"id": "2", "description": "b"}]
    assert compiled["parties"] == [{"id": "p1", "roles": ["buyer", "payer"]}]


def test_whole_list_merge_fields_replace_not_merge_by_id_when_the_schema_says_so() -> None:
    """OCDS merge rules from the schema (ocdsmerge): `additionalClassifications` is `wholeListMerge`, so a later
    release's list replaces the earlier one even though its objects have ids (the hand-written merge merged them)."""
    first = _release("2026-01-01T00:00:00Z", tender={"items": [{"id": "1", "additionalClassifications": [
        {"id": "A", "scheme": "CPV"}, {"id": "B", "scheme": "CPV"}]}]})
    second = _release("2026-02-01T00:00:00Z", tender={"items": [{"id": "1", "additionalClassifications": [
        {"id": "C", "scheme": "CPV"}]}]})
    compiled = compile_releases([first, second])
    assert compiled["tender"]["items"] == [{"id": "1", "additionalClassifications": [{"id": "C", "scheme": "CPV"}]}]


def test_merge_rules_come_from_the_shipped_schema_without_network_when_offline(monkeypatch) -> None:
    """The bureau intranet has no internet: the merger is built from the packaged OCDS 1.1.5 release schema (the
    same file as shared/ocds) with every socket refused."""
    import json
    import socket
    from pathlib import Path

    from yishe_procurement.ocds import merge

    def refuse(*_args, **_kwargs):
        raise OSError("network access during OCDS merging")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    merge.merger.cache_clear()
    compiled = compile_releases([_release("2026-01-01T00:00:00Z", tender={"title": "社区养老"})])
    assert compiled["tender"] == {"title": "社区养老"} and compiled["tag"] == ["compiled"]
    shared = Path(__file__).resolve().parents[4].parent / "shared" / "ocds" / "release-schema.json"
    if shared.is_file():
        assert json.loads(merge.SCHEMA_PATH.read_text("utf-8")) == json.loads(shared.read_text("utf-8"))
