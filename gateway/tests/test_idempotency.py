"""`Idempotency-Key` through the gateway (issue 12, yishe_kit.idempotency): the header passes the proxy to the real
services and the replay marker comes back; the anonymous complaint form sends its own key, so a form sent twice files
one complaint. Real services, real NATS, real databases."""

from __future__ import annotations

import re

import pytest

from .conftest import registration as valid_registration

pytestmark = pytest.mark.nats
DIVISION = "330383"  # this module's own division code (gateway/tests/conftest.py: registration)


def id_number(serial: int) -> str:
    """A valid ID number (GB 11643 check character) of its own: one person represents one group (REG-2)."""
    body = f"33030219800101{serial:03d}"
    total = sum(int(d) * w for d, w in zip(body, (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2), strict=True))
    return body + "10X98765432"[total % 11]


def registration(name: str, serial: int) -> dict:
    """A valid direct registration in this module's division, with a legal representative of its own (REG-2)."""
    return valid_registration(name, DIVISION, id_number(serial))


async def test_a_registration_retried_with_its_key_gets_the_first_answer_not_name_taken(stack) -> None:
    """IDEM-1: a department whose answer was lost registers again with the same key: the first 201 (same USCC),
    marked replayed, instead of a 409; without the key the same request is the 409 conflict it always was (the
    name and the legal representative are taken by the first: REG-6 / REG-2)."""
    body = registration("龙港市幂等测试协会", 1)
    headers = {**stack.staff, "Idempotency-Key": "reg-2026-0001"}
    first = await stack.gateway.post("/api/registry/v1/organisations", json=body, headers=headers)
    assert first.status_code == 201, first.text
    again = await stack.gateway.post("/api/registry/v1/organisations", json=body, headers=headers)
    assert again.status_code == 201 and again.json()["uscc"] == first.json()["uscc"]
    assert again.headers["idempotent-replayed"] == "true" and "idempotent-replayed" not in first.headers
    plain = await stack.gateway.post("/api/registry/v1/organisations", json=body, headers=stack.staff)
    assert plain.status_code == 409, plain.text
    assert plain.json()["code"] in ("name_taken", "legal_representative_taken")


async def test_a_key_reused_for_another_registration_is_a_422_naming_the_header(stack) -> None:
    """IDEM-2: the same key with another body is refused by the service, through the gateway, naming the header."""
    headers = {**stack.staff, "Idempotency-Key": "reg-2026-0002"}
    first = await stack.gateway.post("/api/registry/v1/organisations",
                                     json=registration("龙港市幂等互助协会", 2), headers=headers)
    assert first.status_code == 201, first.text
    other = await stack.gateway.post("/api/registry/v1/organisations",
                                     json=registration("龙港市幂等公益协会", 3), headers=headers)
    assert other.status_code == 422
    problem = other.json()
    assert problem["code"] == "idempotency_key_reused"
    assert problem["errors"][0]["field"] == "Idempotency-Key" and problem["errors"][0]["rule"] == "IDEM-2"


async def test_the_complaint_form_sent_twice_files_one_complaint(stack, register) -> None:
    """IDEM-1: the form's hidden key goes to credit as the Idempotency-Key: the same form posted twice shows the
    same tracking code, and credit holds one complaint."""
    from yishe_kit.testing import eventually

    uscc = await register(stack, DIVISION, name="龙港市重复投诉测试协会")

    async def credit_knows() -> bool:
        return (await stack.gateway.get(f"/api/credit/v1/profiles/{uscc}", headers=stack.staff)).status_code == 200

    await eventually(credit_knows)
    page = (await stack.gateway.get("/v1/complaint", params={"uscc": uscc, "name": "x"})).text
    key = re.search(r'name="request_key" value="([0-9a-f]{32})"', page).group(1)
    form = {"request_key": key, "kind": "complaint", "target_uscc": uscc, "target_name": "龙港市重复投诉测试协会",
            "content": "该协会收取会费后未开展任何活动，也不退费。", "complainant_name": "", "complainant_phone": ""}
    codes = []
    for _ in range(2):
        sent = await stack.gateway.post("/v1/complaint", data=form)
        assert sent.status_code == 201, sent.text
        codes.append(re.search(r'<strong class="code"[^>]*>([A-Za-z0-9]+)</strong>', sent.text).group(1))
    assert codes[0] == codes[1]
    listed = (await stack.gateway.get("/api/credit/v1/complaints", headers=stack.staff)).json()
    assert len([c for c in listed if c["target_uscc"] == uscc]) == 1
