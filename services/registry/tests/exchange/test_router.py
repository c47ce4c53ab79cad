from __future__ import annotations

import io
import json

import pytest
from openpyxl import Workbook
from registry_factories import STAFF, events
from sqlalchemy import select

from yishe_contracts.identifiers import encode_sequence, make_uscc


def code(n: int, category: str = "1") -> str:
    return make_uscc(category=category, division_code="330302", body8="LG" + encode_sequence(n, 6))


HEADER = ("统一社会信用代码,名称,类型,登记管理机关区划代码,住所,法定代表人,业务范围,业务主管单位,状态,"
          "成立登记日期,活动资金")


def society_row(uscc: str, name: str, person: str, status: str = "active", registered: str = "2012-05-01") -> str:
    """A 社会团体 row registered in 鹿城区 (330302), with only what a test varies given."""
    return f"{uscc},温州市鹿城区{name},社会团体,330302,温州市,{person},x,,{status},{registered},"


def csv_body(rows: list[str]) -> bytes:
    return ("\ufeff" + "\n".join([HEADER, *rows]) + "\n").encode()


ROWS = [
    f"{code(1)},温州市鹿城区老年书画协会,社会团体,330302,温州市鹿城区,张一,书画交流,鹿城区文联,正常,2012-05-01,30000",
    f"{code(2, '2')},温州市鹿城区阳光康复中心,民办非企业单位,330302,温州市,王二,康复服务,,active,2015/03/02,",
    f"{code(3)},温州市鹿城区旧时协会,社会团体,330302,温州市,李三,已停止,,注销,2008-01-01,",
    "51330302MJ0000018Y,坏代码协会,社会团体,330302,温州市,赵四,x,,active,2010-01-01,",
    f"{code(4)},温州市鹿城区未来协会,社会团体,330302,温州市,钱五,x,,active,2099-01-01,",
]


async def test_csv_import_reports_per_row_and_rerun_changes_nothing(client, app) -> None:
    url = "/v1/exchange/imports?format=csv&source=legacy-2019"
    report = (await client.post(url, content=csv_body(ROWS), headers=STAFF)).json()
    assert (report["rows"], report["created"], report["failed"]) == (5, 3, 2)
    assert {(e["row"], e["rule"]) for e in report["errors"]} == {(4, "USCC-5"), (5, "IMPORT-1")}
    registered = await events(app, "registry.organisation.registered.v1")
    assert sorted(e["uscc"] for e in registered) == [code(1), code(2, "2")]  # the deregistered one emits nothing
    assert registered[0]["source"] == "import"
    hist = (await client.get(f"/v1/organisations/{code(1)}/history", headers=STAFF)).json()
    assert hist[0]["action"] == "imported" and hist[0]["after"]["batch_id"] == report["batch_id"]
    assert hist[0]["after"]["row"] == 1 and hist[0]["after"]["source"] == "legacy-2019"
    again = (await client.post(url, content=csv_body(ROWS), headers=STAFF)).json()
    assert (again["created"], again["updated"], again["unchanged"], again["failed"]) == (0, 0, 3, 2)
    assert len(await events(app, "registry.organisation.registered.v1")) == 2
    found = (await client.get("/v1/search/organisations", params={"q": "书画"})).json()["items"]
    assert [o["uscc"] for o in found] == [code(1)]
    outbox = app.state.outbox.table
    async with app.state.sessionmaker() as session:  # issue 11: one bulk event for the chunk, no single events
        subjects = (await session.scalars(select(outbox.c.subject))).all()
    assert subjects.count("registry.organisations.imported.v1") == 1
    assert "registry.organisation.registered.v1" not in subjects
    bulk = (await events(app, "registry.organisations.imported.v1"))[0]
    assert bulk["batch_id"] == report["batch_id"] and len(bulk["organisations"]) == 2


def test_bulk_events_stay_under_the_message_limit() -> None:
    """Issue 11: a chunk's registrations go out as bulk events of at most 1,000 organisations (BULK_ITEMS) and well
    under NATS's 1 MiB message limit, however long the text (the e2e import uses 3,000-character business scopes)."""
    from datetime import UTC, date, datetime

    from yishe_contracts.envelope import Envelope
    from yishe_contracts.events.common import OrgType
    from yishe_contracts.events.registry import OrganisationRegistered
    from yishe_registry.exchange.importer import BULK_ITEMS, _bulk_events

    short = [OrganisationRegistered(
        uscc=code(i), name=f"温州市鹿城区第{i}协会", org_type=OrgType.SOCIAL_GROUP, division_code="330302",
        address="温州市鹿城区公园路88号", legal_representative="张一", business_scope="书画交流",
        registered_at=datetime(2015, 6, 2, tzinfo=UTC), registration_date=date(2015, 6, 2), party_full_members=0,
        party_probationary_members=0, source="import") for i in range(1, 1201)]
    long = [e.model_copy(update={"business_scope": "开展公益服务" * 500}) for e in short[:300]]
    for events_, most in ((short, BULK_ITEMS), (long, None)):
        bulks = list(_bulk_events(events_, 9))
        assert [o.uscc for b in bulks for o in b.organisations] == [e.uscc for e in events_]  # all, in order
        assert all(len(b.organisations) <= BULK_ITEMS for b in bulks)
        assert max(len(Envelope.wrap(b, source="registry").to_json_bytes()) for b in bulks) < 900_000
        if most:
            assert len(bulks[0].organisations) == most


async def test_changed_row_updates_the_import_and_emits_a_change(client, app) -> None:
    url = "/v1/exchange/imports?format=csv&source=legacy"
    await client.post(url, content=csv_body(ROWS[:1]), headers=STAFF)
    moved = ROWS[0].replace("温州市鹿城区,张一", "温州市鹿城区新址,张一")
    report = (await client.post(url, content=csv_body([moved]), headers=STAFF)).json()
    assert report["updated"] == 1
    [change] = await events(app, "registry.organisation.changed.v1", code(1))
    assert change["changes"] == {"address": {"before": "温州市鹿城区", "after": "温州市鹿城区新址"}}


async def test_xlsx_and_jsonl_imports_when_other_formats(client) -> None:
    book = Workbook()
    sheet = book.active
    sheet.append(["uscc", "name", "org_type", "division_code", "registration_date", "status"])
    sheet.append([code(7), "温州市鹿城区摄影协会", "社会团体", "330302", "2011-01-01", "active"])
    buf = io.BytesIO()
    book.save(buf)
    xlsx = (await client.post("/v1/exchange/imports?format=xlsx&source=excel", content=buf.getvalue(),
                              headers=STAFF)).json()
    assert xlsx["created"] == 1, xlsx
    lines = [json.dumps({"uscc": code(8), "name": "温州市鹿城区读书会", "org_type": "社会团体",
                         "division_code": "330302", "registration_date": "2013-01-01"}, ensure_ascii=False),
             "not json"]
    jsonl = (await client.post("/v1/exchange/imports?format=jsonl&source=api", content="\n".join(lines).encode(),
                               headers=STAFF)).json()
    assert (jsonl["created"], jsonl["failed"]) == (1, 1)


async def test_unreadable_file_refused_400_and_nothing_written(client) -> None:
    resp = await client.post("/v1/exchange/imports?format=csv&source=x", content=b"a,b\n1,2\n", headers=STAFF)
    assert resp.status_code == 400 and resp.json()["errors"][0]["rule"] == "IMPORT-1"
    assert (await client.get("/v1/search/organisations")).json()["items"] == []
    forbidden = await client.post("/v1/exchange/imports?format=csv&source=x", content=csv_body(ROWS))
    assert forbidden.status_code == 403


async def test_dry_run_validates_without_writing(client) -> None:
    report = (await client.post("/v1/exchange/imports?format=csv&source=x&dry_run=true", content=csv_body(ROWS),
                                headers=STAFF)).json()
    assert report["created"] == 3 and report["batch_id"] is None
    assert (await client.get("/v1/search/organisations")).json()["items"] == []


async def test_export_round_trips_through_import_when_csv(client) -> None:
    await client.post("/v1/exchange/imports?format=csv&source=legacy", content=csv_body(ROWS[:3]), headers=STAFF)
    exported = await client.get("/v1/exchange/export?format=csv", headers=STAFF)
    assert exported.content.startswith("\ufeff".encode()) and exported.headers["content-type"].startswith("text/csv")
    assert len(exported.text.strip().splitlines()) == 4
    lines = (await client.get("/v1/exchange/export?format=jsonl&status=active", headers=STAFF)).text.splitlines()
    assert sorted(json.loads(x)["uscc"] for x in lines) == sorted([code(1), code(2, "2")])
    again = (await client.post("/v1/exchange/imports?format=csv&source=roundtrip", content=exported.content,
                               headers=STAFF)).json()
    assert again["failed"] == 0 and again["created"] == 0


async def test_csv_export_speaks_chinese_by_default_and_english_on_request(client) -> None:
    """Chinese first (issue 15): the CSV a person opens has Chinese column names and status labels, a BOM and a
    UTF-8 file name; `labels=en` gives the machine form; both re-import."""
    from urllib.parse import unquote

    await client.post("/v1/exchange/imports?format=csv&source=legacy", content=csv_body(ROWS[:3]), headers=STAFF)
    zh = await client.get("/v1/exchange/export?format=csv", headers=STAFF)
    assert zh.content.startswith("\ufeff".encode())
    lines = zh.content.decode("utf-8-sig").splitlines()
    assert lines[0] == ("统一社会信用代码,名称,组织类型,登记管理机关区划代码,住所,法定代表人,业务范围,业务主管单位,"
                        "登记状态,成立登记日期,活动资金,行业,直接登记类别,社区社会组织类型,评估等级")
    by_code = {line.split(",")[0]: line.split(",") for line in lines[1:]}
    assert by_code[code(1)][8] == "正常" and by_code[code(3)][8] == "注销"
    assert by_code[code(2, "2")][2] == "民办非企业单位"
    disposition = zh.headers["content-disposition"]
    assert disposition.startswith('attachment; filename="organisations-') and ".csv\"" in disposition
    shown = unquote(disposition.split("filename*=UTF-8''")[1])
    assert shown.startswith("社会组织登记信息-") and shown.endswith(".csv")

    en = await client.get("/v1/exchange/export?format=csv&labels=en", headers=STAFF)
    assert en.content.startswith("\ufeff".encode())
    en_lines = en.content.decode("utf-8-sig").splitlines()
    assert en_lines[0].startswith("uscc,name,org_type,division_code,") and en_lines[0].endswith(",grade")
    assert {line.split(",")[8] for line in en_lines[1:]} == {"active", "deregistered"}
    assert 'filename="organisations-' in en.headers["content-disposition"]
    assert "filename*=UTF-8''organisations-" in en.headers["content-disposition"]

    for exported in (zh, en):
        again = (await client.post("/v1/exchange/imports?format=csv&source=roundtrip", content=exported.content,
                                   headers=STAFF)).json()
        assert again["failed"] == 0 and again["created"] == 0 and again["updated"] == 0
    bad = await client.get("/v1/exchange/export?format=csv&labels=fr", headers=STAFF)
    assert bad.status_code == 422 or bad.status_code == 400


async def test_change_feed_pages_every_change_with_a_cursor(client, app) -> None:
    app.state.settings.feed_settle_seconds = 0  # PostgreSQL: no settling delay in this test
    await client.post("/v1/exchange/imports?format=csv&source=legacy", content=csv_body(ROWS[:3]), headers=STAFF)
    first = (await client.get("/v1/exchange/feed?limit=2", headers=STAFF)).json()
    rest = (await client.get(f"/v1/exchange/feed?cursor={first['next_cursor']}", headers=STAFF)).json()
    assert len(first["items"]) == 2 and len(rest["items"]) == 1
    empty = (await client.get(f"/v1/exchange/feed?cursor={rest['next_cursor']}", headers=STAFF)).json()
    assert empty["items"] == [] and empty["next_cursor"] == rest["next_cursor"]
    assert (await client.get("/v1/exchange/feed")).status_code == 403


async def test_checks_span_chunks_when_the_file_is_written_in_pieces(client, app) -> None:
    """IMPORT-1/IMPORT-2 and REG-6 across chunks of one file."""
    # Chunks of 2 rows: chunk k+1 is checked while chunk k is written; duplicates across chunks are still caught,
    # a name taken by an earlier chunk's row is refused, and the errors come back in row order.
    app.state.settings.import_chunk_rows = 2
    rows = [
        society_row(code(11), "甲协会", "张一"),
        "51330302MJ0000018Y,坏代码协会,社会团体,330302,温州市,赵四,x,,active,2010-01-01,",
        society_row(code(12), "乙协会", "张二"),
        society_row(code(11), "丙协会", "张三"),
        society_row(code(13), "甲协会", "张四"),
        society_row(code(14), "丁协会", "张五", registered="2099-01-01"),
        society_row(code(15), "戊协会", "张六", registered="2013-05-01"),
    ]
    report = (await client.post("/v1/exchange/imports?format=csv&source=pieces", content=csv_body(rows),
                                headers=STAFF)).json()
    assert (report["rows"], report["created"], report["failed"]) == (7, 3, 4)
    assert [(e["row"], e["rule"]) for e in report["errors"]] == [
        (2, "USCC-5"), (4, "IMPORT-2"), (5, "REG-6"), (6, "IMPORT-1")]
    registered = await events(app, "registry.organisation.registered.v1")
    assert sorted(e["uscc"] for e in registered) == [code(11), code(12), code(15)]


@pytest.mark.parametrize("chunk_rows", [2000, 3])
async def test_duplicates_in_one_chunk_and_across_chunks_are_refused_the_same_way(client, app, chunk_rows) -> None:
    """IMPORT-2, REG-6: each row is checked against every row before it, in the same chunk or an earlier one (the
    file's keys are kept on disk, not in memory); a closed record holds no name, the first live holder keeps it."""
    app.state.settings.import_chunk_rows = chunk_rows
    rows = [
        society_row(code(21), "甲协会", "张一"),
        society_row(code(21), "乙协会", "张二"),
        society_row(code(22), "丙协会", "张三", "注销"),
        society_row(code(23), "丙协会", "张四"),
        society_row(code(24), "甲协会", "张五"),
        society_row(code(25), "丙协会", "张六"),
        society_row(code(25), "丁协会", "张七"),
        society_row(code(23), "戊协会", "张八"),
    ]
    report = (await client.post("/v1/exchange/imports?format=csv&source=dupes", content=csv_body(rows),
                                headers=STAFF)).json()
    assert [(e["row"], e["rule"]) for e in report["errors"]] == [
        (2, "IMPORT-2"), (5, "REG-6"), (6, "REG-6"), (8, "IMPORT-2")]
    assert (report["rows"], report["created"], report["failed"]) == (8, 4, 4)  # row 7: row 6 was refused
    registered = await events(app, "registry.organisation.registered.v1")
    assert sorted(e["uscc"] for e in registered) == [code(21), code(23), code(25)]


async def test_a_closed_record_renamed_by_a_reimport_shows_the_new_name_everywhere(client, app) -> None:
    url = "/v1/exchange/imports?format=csv&source=legacy"
    await client.post(url, content=csv_body([ROWS[2]]), headers=STAFF)  # 旧时协会, 注销
    renamed = ROWS[2].replace("温州市鹿城区旧时协会", "温州市鹿城区往昔协会")
    assert (await client.post(url, content=csv_body([renamed]), headers=STAFF)).json()["updated"] == 1
    [change] = await events(app, "registry.organisation.changed.v1", code(3))
    assert change["changes"]["name"] == {"before": "温州市鹿城区旧时协会", "after": "温州市鹿城区往昔协会"}
    history = (await client.get(f"/v1/organisations/{code(3)}/history", headers=STAFF)).json()
    updated = next(h for h in history if h["action"] == "import_updated")
    assert updated["after"]["name"] == "温州市鹿城区往昔协会"
    found = (await client.get("/v1/search/organisations", params={"q": "往昔"})).json()["items"]
    assert [o["uscc"] for o in found] == [code(3)]


async def test_a_corrected_registration_date_in_a_reimport_is_applied_and_recorded(client, app) -> None:
    url = "/v1/exchange/imports?format=csv&source=legacy"
    await client.post(url, content=csv_body(ROWS[:1]), headers=STAFF)
    corrected = ROWS[0].replace("2012-05-01", "2011-05-01")
    assert (await client.post(url, content=csv_body([corrected]), headers=STAFF)).json()["updated"] == 1
    assert (await client.get(f"/v1/organisations/{code(1)}")).json()["registration_date"] == "2011-05-01"
    [change] = await events(app, "registry.organisation.changed.v1", code(1))
    assert change["changes"] == {"registration_date": {"before": "2012-05-01", "after": "2011-05-01"}}


async def test_a_refused_rename_in_a_reimport_changes_nothing_else_either(client, app) -> None:
    """REG-6: a refused row writes nothing at all."""
    url = "/v1/exchange/imports?format=csv&source=legacy"
    await client.post(url, content=csv_body(ROWS[:2]), headers=STAFF)
    # Row 1 again, renamed to row 2's live name and with another date: REG-6, and the date stays as it was.
    clash = ROWS[0].replace("温州市鹿城区老年书画协会", "温州市鹿城区阳光康复中心").replace("2012-05-01", "2011-05-01")
    report = (await client.post(url, content=csv_body([clash]), headers=STAFF)).json()
    assert (report["failed"], report["errors"][0]["rule"]) == (1, "REG-6")
    org = (await client.get(f"/v1/organisations/{code(1)}")).json()
    assert (org["name"], org["registration_date"]) == ("温州市鹿城区老年书画协会", "2012-05-01")
    assert await events(app, "registry.organisation.changed.v1", code(1)) == []


async def test_reviving_a_closed_record_under_a_name_now_held_is_one_row_error(client) -> None:
    """REG-6 for a record coming back to life: one row refused, the rest of the file written."""
    url = "/v1/exchange/imports?format=csv&source=legacy"
    await client.post(url, content=csv_body([ROWS[2]]), headers=STAFF)  # 旧时协会, 注销
    heir = f"{code(7)},温州市鹿城区旧时协会,社会团体,330302,温州市,周七,x,,active,2019-01-01,"
    assert (await client.post(url, content=csv_body([heir]), headers=STAFF)).json()["created"] == 1
    revived = ROWS[2].replace(",注销,", ",正常,")
    fresh = f"{code(8)},温州市鹿城区新来协会,社会团体,330302,温州市,吴八,x,,active,2020-01-01,"
    resp = await client.post(url, content=csv_body([revived, fresh]), headers=STAFF)
    assert resp.status_code == 200, resp.text
    report = resp.json()
    assert (report["created"], report["failed"]) == (1, 1)
    assert [(e["row"], e["rule"]) for e in report["errors"]] == [(1, "REG-6")]


async def test_a_file_broken_part_way_is_refused_400_not_500(client) -> None:
    """IMPORT-1: an unreadable file is a 400 naming the rule (JSON Lines: a row error)."""
    huge = f"{code(9)},温州市鹿城区长字段协会,社会团体,330302,{'长' * 140_000},张九,x,,active,2019-01-01,"
    resp = await client.post("/v1/exchange/imports?format=csv&source=x", content=csv_body([huge]), headers=STAFF)
    assert resp.status_code == 400 and resp.json()["errors"][0]["rule"] == "IMPORT-1"
    line = '{"uscc": ' + "1" * 5000 + "}\n"
    jl = await client.post("/v1/exchange/imports?format=jsonl&source=x", content=line.encode(), headers=STAFF)
    assert jl.status_code == 200 and jl.json()["failed"] == 1


async def test_export_and_feed_keep_a_district_account_to_its_district(client, app) -> None:
    """AUTH-2 (issue 12): the bulk export gave a district account every district's organisations."""
    app.state.settings.feed_settle_seconds = 0
    longwan = make_uscc(category="1", division_code="330303", body8="LW" + encode_sequence(1, 6))
    rows = [*ROWS[:2], f"{longwan},温州市龙湾区海滨协会,社会团体,330303,温州市龙湾区,孙六,x,,active,2013-01-01,"]
    assert (await client.post("/v1/exchange/imports?format=csv&source=two-districts", content=csv_body(rows),
                              headers=STAFF)).json()["created"] == 3
    ouhai_like = {**STAFF, "x-yishe-division": "330303"}
    exported = [json.loads(line) for line in (await client.get("/v1/exchange/export?format=jsonl",
                                                               headers=ouhai_like)).text.splitlines()]
    assert [o["uscc"] for o in exported] == [longwan]
    asked = await client.get("/v1/exchange/export?format=jsonl&division=330302", headers=ouhai_like)
    assert asked.status_code == 403 and asked.json()["code"] == "outside_jurisdiction"
    feed = (await client.get("/v1/exchange/feed", headers=ouhai_like)).json()["items"]
    assert feed and {i["uscc"] for i in feed} == {longwan}
    city = (await client.get("/v1/exchange/export?format=jsonl", headers=STAFF)).text.splitlines()
    assert len(city) == 3
