"""DISC-1 / CODE-4: the public 一社一码 view shows an organisation's financial disclosures, and nothing personal
that might ride along with them."""

from __future__ import annotations

from yishe_gateway.disclosure.policy import disclose

USCC = "51330302MJ0000013B"


def test_public_view_shows_disclosures_and_withholds_personal_keys_inside_them() -> None:
    """DISC-1: `organisation.disclosures` is a public field; a personal-looking key inside is still withheld."""
    disclosure = {"year": 2025, "income": {"service_purchases": "300000.00"}, "total_income": "300000.00",
                  "audit_report_ref": "attachment:audit-2025.pdf", "contact_phone": "13912345678"}
    profile = {"uscc": USCC, "organisation": {"uscc": USCC, "name": "温州市测试协会", "disclosures": [disclosure]},
               "credit": None, "party": None, "procurement": None}
    public = disclose(profile, "public", "public")["organisation"]["disclosures"]
    assert public == [{**disclosure, "contact_phone": None}]


def test_public_page_lists_each_disclosed_year() -> None:
    """DISC-1: the phone page of a scanned code shows the disclosed years with income, spending and audit report."""
    from yishe_gateway.profile.page import render

    view = {"organisation": {"uscc": USCC, "name": "温州市测试协会", "status": "active", "disclosures": [
        {"year": 2025, "total_income": "312000.00", "total_spending": "286000.50",
         "audit_report_ref": "attachment:audit-2025.pdf"}]}, "credit": None, "missing_sources": []}
    html = render(view, signature_valid=None, authority="温州市民政局")
    assert "财务信息公开" in html and "2025年度" in html and "收入 312000.00 元" in html
    assert "attachment:audit-2025.pdf" in html
