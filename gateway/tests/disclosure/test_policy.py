"""CODE-4: one profile, four views; personal data masked or withheld per role; jurisdictions; 403 on overreach."""

from __future__ import annotations

import pytest

from yishe_gateway.disclosure.policy import best_view, choose_view, disclose, disclose_event, for_storage
from yishe_gateway.identity.principal import Identity
from yishe_kit.errors import ServiceError

USCC = "51330302MJ0000013B"  # shape only: the policy never validates
ID, PHONE = "11010519491231002X", "13912345678"


def who(role: str, division: str = "", org: str | None = None) -> Identity:
    return Identity(kind="user", role=role, actor=org or f"user:{role}", division=division, org_uscc=org)


def full_profile() -> dict:
    return {
        "uscc": USCC,
        "organisation": {"uscc": USCC, "name": "温州市测试协会", "status": "active",
                         "legal_representative": {"name": "王五", "id_number": ID, "phone": PHONE},
                         "party_full_members": 4, "party_probationary_members": 1, "grade": "4A",
                         "contact_phone": "0577-88889999", "risk_note": "内部风险提示",
                         "leaders": [{"name": "钱七", "id_number": ID, "birth_date": "1960-05-01"}]},
        "credit": {"colour": "orange", "colour_reason": "列入活动异常名录", "list_entries": [
            {"list_type": "abnormal", "reason": "未按规定报送年度工作报告", "reporter_phone": PHONE}],
            "colour_history": [{"to_colour": "orange"}], "inspection_findings": "现场检查发现账目不清"},
        "party": {"route": "own_organisation", "full_members": 4, "probationary_members": 1,
                  "members": [{"name": "赵六", "status": "正式党员", "id_number": ID, "phone": "13800001111"}]},
        "procurement": {"may_bid": False, "problems": [], "contracts": 1, "internal_score": 71},
        "missing_sources": [], "pending_sources": [],
    }


def test_public_view_withholds_personal_data_and_unlisted_fields_when_anonymous() -> None:
    view = disclose(full_profile(), "public", "public")
    assert view["view"] == "public"
    assert view["organisation"]["legal_representative"] == {"name": "王五", "id_number": None, "phone": None}
    assert "party_full_members" not in view["organisation"] and "leaders" not in view["organisation"]
    assert "risk_note" not in view["organisation"] and "contact_phone" not in view["organisation"]
    assert view["party"] is None
    assert view["credit"]["list_entries"] == [{"list_type": "abnormal", "reason": "未按规定报送年度工作报告",
                                              "reporter_phone": None}]
    assert "colour_history" not in view["credit"] and "inspection_findings" not in view["credit"]
    assert view["procurement"] == {"may_bid": False, "problems": [], "contracts": 1}
    assert view["organisation"]["grade"] == "4A"
    assert ID not in str(view) and PHONE not in str(view) and "赵六" not in str(view)


def test_department_view_masks_personal_data_when_staff() -> None:
    view = disclose(full_profile(), "department", "staff")
    org = view["organisation"]
    assert org["legal_representative"] == {"name": "王五", "id_number": "110105********002X", "phone": "139****5678"}
    assert org["contact_phone"] == "057******9999"  # not listed, but looks personal: masked anyway
    assert org["leaders"][0]["id_number"] == "110105********002X" and org["leaders"][0]["birth_date"] == "*" * 10
    assert org["risk_note"] == "内部风险提示" and view["credit"]["inspection_findings"]
    assert view["party"]["full_members"] == 4 and view["party"]["members"] is None
    assert view["credit"]["colour_history"] == [{"to_colour": "orange"}]
    assert ID not in str(view) and PHONE not in str(view)


def test_member_list_masked_for_party_body_and_counts_withheld_from_purchaser() -> None:
    party = disclose(full_profile(), "department", "party")
    assert party["party"]["members"] == [{"name": "赵六", "status": "正式党员", "id_number": "110105********002X",
                                          "phone": "138****1111"}]
    purchaser = disclose(full_profile(), "department", "purchaser")
    assert purchaser["party"]["members"] is None and purchaser["party"]["full_members"] is None
    assert purchaser["organisation"]["party_full_members"] is None


def test_internal_view_shows_everything_unmasked() -> None:
    profile = full_profile()
    assert disclose(profile, "internal", "internal") == profile | {"view": "internal"}


def test_disclose_leaves_the_held_profile_untouched() -> None:
    profile = full_profile()
    disclose(profile, "public", "public")
    disclose(profile, "department", "staff")
    assert profile == full_profile()


@pytest.mark.parametrize(("identity", "expected"), [
    (Identity(kind="anonymous", role="public", actor="anonymous"), "public"),
    (who("org", org=USCC), "self"),
    (who("org", org="51330302MJ00000279"), "public"),
    (who("staff", "3303"), "department"),
    (who("staff", "330302"), "department"),
    (who("staff", "3304"), "public"),
    (who("supervisor", ""), "department"),
    (who("internal"), "internal"),
])
def test_best_view_follows_role_and_jurisdiction(identity: Identity, expected: str) -> None:
    assert best_view(identity, USCC) == expected


@pytest.mark.parametrize(("identity", "requested"), [
    (Identity(kind="anonymous", role="public", actor="anonymous"), "department"),
    (Identity(kind="anonymous", role="public", actor="anonymous"), "internal"),
    (who("org", org="51330302MJ00000279"), "self"),
    (who("staff", "3304"), "department"),
    (who("staff", "3303"), "internal"),
    (who("staff", "3303"), "self"),
])
def test_choose_view_403_when_role_asks_for_more_than_it_may_see(identity: Identity, requested: str) -> None:
    with pytest.raises(ServiceError) as refused:
        choose_view(identity, USCC, requested)
    assert refused.value.status == 403 and refused.value.problems[0].rule == "CODE-4"


def test_choose_view_allows_public_and_lesser_views_when_asked() -> None:
    assert choose_view(who("staff", "3303"), USCC, "public") == "public"
    assert choose_view(who("internal"), USCC, "department") == "department"
    assert choose_view(who("staff", "3303"), USCC, None) == "department"


def test_event_payload_never_stores_captured_members_and_hides_counts_from_purchaser() -> None:
    subject = "registry.organisation.registered.v1"
    data = {"uscc": USCC, "name": "温州市测试协会", "party_full_members": 3,
            "party_members": [{"name": "赵六", "id_number": ID}]}
    stored = for_storage(subject, data)
    assert "party_members" not in stored
    assert disclose_event(subject, stored, "department", "staff")["party_full_members"] == 3
    assert disclose_event(subject, stored, "department", "purchaser")["party_full_members"] is None
    assert disclose_event(subject, data, "internal", "internal").get("party_members") is None
