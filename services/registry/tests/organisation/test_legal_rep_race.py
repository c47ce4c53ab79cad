"""REG-2 / REG-4 hold under concurrency and whatever the spelling of the ID number (issue 12): the check and the
write run in one transaction behind a per-person lock row (`legal_rep_lock`), and the ID number is compared in its
canonical spelling (ID-1: full-width digits folded, a final `x` is `X`)."""

from __future__ import annotations

import asyncio
from datetime import date, timedelta

from registry_factories import STAFF, audit_exempted, direct, id_number
from sqlalchemy import func, select

from yishe_registry.organisation.models import Organisation

_seq = iter(range(500, 1000))


def person_ending_in_x() -> str:
    """A valid ID number whose check character is X, not used by any other test in this process."""
    while True:
        n = next(_seq)
        number = id_number(date(1970, 1, 1) + timedelta(days=n), n)
        if number.endswith("X"):
            return number


def full_width(text: str) -> str:
    return "".join(chr(ord(c) + 0xFEE0) if c.isascii() and c.isalnum() else c for c in text)


async def post(client, body: dict):
    return await client.post("/v1/organisations", json=body, headers=STAFF)


async def holders(app, number: str) -> int:
    async with app.state.sessionmaker() as s:
        stmt = select(func.count()).select_from(Organisation).where(Organisation.legal_rep_id_number == number)
        return int(await s.scalar(stmt) or 0)


async def test_two_concurrent_registrations_with_one_representative_one_wins_under_reg2(client, app) -> None:
    """REG-2: two direct registrations naming the same legal representative at once: exactly one 201, the other a
    409 naming REG-2 on `legal_representative.id_number`; one organisation written."""
    person = {"name": "张三", "id_number": person_ending_in_x(), "phone": "13800138000"}
    answers = await asyncio.gather(
        post(client, direct("温州市鹿城区青年志愿服务协会", legal_representative=person)),
        post(client, direct("温州市鹿城区围棋爱好者协会", legal_representative=person)))
    assert sorted(a.status_code for a in answers) == [201, 409], [a.text for a in answers]
    lost = next(a for a in answers if a.status_code == 409).json()
    assert lost["code"] == "legal_representative_taken"
    assert {(e["field"], e["rule"]) for e in lost["errors"]} == {("legal_representative.id_number", "REG-2")}
    assert await holders(app, person["id_number"]) == 1


async def test_concurrent_foundation_and_group_one_wins_under_reg4(client, app) -> None:
    """REG-4: a foundation's legal representative holds no other post: registering a group and a foundation with
    the same person at once leaves exactly one."""
    person = {"name": "李四", "id_number": person_ending_in_x(), "phone": "13800138000"}
    answers = await asyncio.gather(
        post(client, direct("温州市鹿城区春晖慈善救助基金会", "基金会", legal_representative=person)),
        post(client, direct("温州市鹿城区书画艺术协会", legal_representative=person)))
    assert sorted(a.status_code for a in answers) == [201, 409], [a.text for a in answers]
    assert await holders(app, person["id_number"]) == 1


async def test_lower_case_x_and_full_width_digits_are_the_same_person_under_reg2(client, app) -> None:
    """REG-2 / ID-1: `…x` and `…X`, and the number in full-width digits, are one person: accepted, stored as
    `…X`, and the second group is refused."""
    number = person_ending_in_x()
    first = await post(client, direct("温州市鹿城区青年志愿服务协会", legal_representative={
        "name": "王五", "id_number": number.lower(), "phone": "13800138000"}))
    assert first.status_code == 201, first.text
    assert await holders(app, number) == 1  # stored canonical
    for spelling in (number, full_width(number.lower())):
        again = await post(client, direct("温州市鹿城区围棋爱好者协会", legal_representative={
            "name": "王五", "id_number": spelling, "phone": "13800138000"}))
        assert again.status_code == 409, again.text
        assert again.json()["errors"][0]["rule"] == "REG-2"


async def test_change_to_a_taken_representative_names_reg4_for_a_foundation(client, app) -> None:
    """REG-4 (not REG-2) on change registration: a foundation's new legal representative who already represents a
    group is refused with 409 naming REG-4; the foundation keeps its representative."""
    person = person_ending_in_x()
    group = await post(client, direct("温州市鹿城区青年志愿服务协会", legal_representative={
        "name": "赵六", "id_number": person, "phone": "13800138000"}))
    foundation = await post(client, direct("温州市鹿城区春晖慈善救助基金会", "基金会"))
    assert group.status_code == 201 and foundation.status_code == 201, foundation.text
    uscc = foundation.json()["uscc"]
    await audit_exempted(client, uscc, "legal_rep_change")
    resp = await client.post(f"/v1/organisations/{uscc}/changes", headers=STAFF, json={
        "legal_representative": {"name": "赵六", "id_number": person.lower(), "phone": "13900001111"},
        "reason": "换届"})
    assert resp.status_code == 409, resp.text
    assert {(e["field"], e["rule"]) for e in resp.json()["errors"]} == {("legal_representative.id_number", "REG-4")}
    assert await holders(app, person) == 1


async def test_change_keeping_the_same_representative_is_not_a_conflict(client) -> None:
    """REG-2: an organisation's own legal representative is no conflict with itself (a change of phone only)."""
    body = direct()
    org = await post(client, body)
    assert org.status_code == 201, org.text
    rep = {**body["legal_representative"], "phone": "13900002222"}
    resp = await client.post(f"/v1/organisations/{org.json()['uscc']}/changes", headers=STAFF,
                             json={"legal_representative": rep, "reason": "电话变更"})
    assert resp.status_code == 200, resp.text


async def test_two_applications_with_one_representative_only_the_first_registers_under_reg2(client, app,
                                                                                            clock) -> None:
    """REG-2 on the application path: both applications may be accepted while neither is registered, but the
    registration that would give the person a second group is a 409 naming REG-2 (checked, under the person's lock,
    in the transaction that writes the organisation)."""
    from registry_factories import apply, review_all

    today = clock(date(2026, 5, 1))
    person = {"name": "钱七", "id_number": person_ending_in_x().lower(), "phone": "13800138000"}
    first = await apply(client, legal_representative=person)
    second = await apply(client, legal_representative=person)
    for a in (first, second):
        await review_all(client, a, today)
    ok = await client.post(f"/v1/applications/{first['application_id']}/register", headers=STAFF)
    assert ok.status_code == 201, ok.text
    taken = await client.post(f"/v1/applications/{second['application_id']}/register", headers=STAFF)
    assert taken.status_code == 409, taken.text
    assert {(e["field"], e["rule"]) for e in taken.json()["errors"]} == {("legal_representative.id_number", "REG-2")}
    assert await holders(app, person["id_number"].upper()) == 1


async def test_a_foundations_representative_takes_no_group_afterwards(client, app) -> None:
    """REG-4 from the other side: once a person represents a foundation, a group naming them is refused (409,
    REG-4), as a foundation naming a group's representative is. Before, only the foundation's own registration
    looked at other kinds, so the order of two registrations decided whether the rule held."""
    person = {"name": "王五", "id_number": person_ending_in_x(), "phone": "13800138000"}
    first = await post(client, direct("温州市鹿城区春雨助学基金会", "基金会", legal_representative=person))
    assert first.status_code == 201, first.text
    second = await post(client, direct("温州市鹿城区棋艺交流协会", legal_representative=person))
    assert second.status_code == 409, second.text
    assert [(e["field"], e["rule"]) for e in second.json()["errors"]] == [("legal_representative.id_number", "REG-4")]
