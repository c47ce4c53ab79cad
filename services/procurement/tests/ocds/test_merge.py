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
