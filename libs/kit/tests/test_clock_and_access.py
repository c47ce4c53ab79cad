"""The kit's business clock (Asia/Shanghai dates) and its one role + jurisdiction helper (AUTH-1, AUTH-2)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from yishe_kit.access import (
    Denied,
    in_jurisdiction,
    keep_in_jurisdiction,
    listing_prefix,
    require_jurisdiction,
    require_org_or_roles,
    require_organisation_in_scope,
    require_role,
    sees_organisation,
)
from yishe_kit.clock import Clock, business_date, default_clock
from yishe_kit.principal import Principal


class _At(Clock):
    def __init__(self, instant: datetime, **kw):
        super().__init__(**kw)
        self._instant = instant

    def real_now(self) -> datetime:
        return self._instant


def test_business_date_is_shanghai_not_utc():
    """23:30 UTC on 1 June is already 2 June in China: the business date is the China date."""
    late = datetime(2026, 6, 1, 23, 30, tzinfo=UTC)
    assert business_date(late) == date(2026, 6, 2)
    assert _At(late).today() == date(2026, 6, 2)
    assert _At(datetime(2026, 6, 1, 15, 59, tzinfo=UTC)).today() == date(2026, 6, 1)


def test_platform_date_moves_today_and_now_and_time_keeps_running():
    clock = _At(datetime(2026, 12, 2, 6, 0, tzinfo=UTC))
    clock.set_platform_date(date(2028, 3, 1))
    assert clock.today() == date(2028, 3, 1)
    assert clock.now().date() == date(2028, 3, 1)
    clock._instant += timedelta(days=1)
    assert clock.today() == date(2028, 3, 2)
    clock.set_platform_date(None)
    assert clock.today() == date(2026, 12, 3) and not clock.shifted


def test_require_role_names_auth_1():
    with pytest.raises(Denied) as exc:
        require_role(Principal("u", "public"), "staff", action_zh="登记", action_en="register")
    assert exc.value.code == "role_forbidden" and exc.value.problems[0].rule == "AUTH-1"
    require_role(Principal("u", "staff"), "staff")


def test_org_account_only_for_itself():
    with pytest.raises(Denied) as exc:
        require_org_or_roles(Principal("A", "org"), "B", "staff")
    assert exc.value.code == "not_own_organisation"
    require_org_or_roles(Principal("A", "org"), "A", "staff")


def test_jurisdiction_by_prefix_and_lists():
    district = Principal("u", "staff", "330304")
    assert not in_jurisdiction(district, "330302")
    with pytest.raises(Denied) as exc:
        require_jurisdiction(district, "330302")
    assert exc.value.code == "outside_jurisdiction" and exc.value.problems[0].rule == "AUTH-2"
    assert listing_prefix(district, None) == "330304"
    assert listing_prefix(district, "330304001") == "330304001"
    assert listing_prefix(district, "3303") == "330304"
    with pytest.raises(Denied):
        listing_prefix(district, "330302")
    # roles without a jurisdiction are not narrowed
    assert listing_prefix(Principal("s", "internal", "330304"), None) is None


def test_id_numbers_are_checked_against_the_business_clock_not_the_machine() -> None:
    """ID-1 with the one clock (issue 13): on a platform date of 2030-06-01 someone born on 2029-03-15 exists; back on
    the real date (2026) that birth date is in the future and refused."""
    from yishe_contracts.identifiers import ID_CHECK_MAP, ID_WEIGHTS, validate_id_number

    body = "33030220290315123"
    number = body + ID_CHECK_MAP[sum(int(c) * w for c, w in zip(body, ID_WEIGHTS, strict=True)) % 11]
    clock = default_clock()
    clock.set_platform_date(date(2030, 6, 1))
    try:
        assert validate_id_number(number, field="x") == []
    finally:
        clock.set_platform_date(None)
    assert [p.rule for p in validate_id_number(number, field="x")] == ["ID-1"]
    assert validate_id_number(number, field="x", today=date(2029, 3, 15)) == []


def test_keep_in_jurisdiction_filters_a_list_read_whole():
    """AUTH-2 for lists narrowed after reading (issue 12): a township sees its township, a district its district, the
    city everything; a record of unknown division only the city; roles without a prefix are not narrowed."""
    rows = [("a", "330302001"), ("b", "330302002"), ("c", "330303"), ("d", None)]

    def kept(role: str, prefix: str) -> list[str]:
        return [r[0] for r in keep_in_jurisdiction(Principal("x", role, prefix), rows, lambda r: r[1])]

    assert kept("staff", "330302001") == ["a"]
    assert kept("supervisor", "330302") == ["a", "b"]
    assert kept("party", "330303") == ["c"]
    assert kept("staff", "") == ["a", "b", "c", "d"]
    assert kept("internal", "330302") == ["a", "b", "c", "d"]


def test_one_organisations_data_for_its_own_account_and_its_jurisdiction_only() -> None:
    """AUTH-1/AUTH-2 for reads of one organisation (issue 12: the access matrix found these reads open): its own
    account and callers whose prefix holds its division; another organisation's account or district is refused."""
    uscc, division = "51330302MJ0000011A", "330302"
    assert sees_organisation(Principal(uscc, "org"), uscc, division)
    assert not sees_organisation(Principal("51330303MJ0000022B", "org"), uscc, division)
    assert sees_organisation(Principal("u", "staff", "3303"), uscc, division)
    assert not sees_organisation(Principal("u", "supervisor", "330303"), uscc, division)
    assert sees_organisation(Principal("svc", "internal"), uscc, division)
    with pytest.raises(Denied) as other_org:
        require_organisation_in_scope(Principal("51330303MJ0000022B", "org"), uscc, division)
    assert other_org.value.problems[0].rule == "AUTH-1"
    with pytest.raises(Denied) as other_district:
        require_organisation_in_scope(Principal("u", "staff", "330303"), uscc, division)
    assert other_district.value.problems[0].rule == "AUTH-2"
    require_organisation_in_scope(Principal(uscc, "org"), uscc, division)
