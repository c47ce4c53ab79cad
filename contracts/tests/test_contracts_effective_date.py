"""Every event carries the business date it takes effect (`effectivedate` extension) besides when it was recorded."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime

from cloudevents.core.formats.json import JSONFormat

from yishe_contracts.envelope import Envelope
from yishe_contracts.events.credit import CreditList, ListingAction, ListingChanged
from yishe_contracts.events.registry import (
    AnnualReportOverdue,
    GradeChange,
    GradeChanged,
    OrganisationRegistered,
)

USCC = "51330300MJ8A2T0116"


def registered(on: date) -> OrganisationRegistered:
    return OrganisationRegistered(
        uscc=USCC, name="温州市测试协会", org_type="社会团体", division_code="330300", address="温州",
        legal_representative="张三", business_scope="公益", registered_at=datetime(2026, 12, 2, 3, tzinfo=UTC),
        registration_date=on, party_full_members=0, party_probationary_members=0)


def listing(action: ListingAction, *, removed_on: date | None = None) -> ListingChanged:
    return ListingChanged(uscc=USCC, list_type=CreditList.ABNORMAL, action=action, trigger="CR-6.1",
                          reason="未按规定报送年度工作报告", listed_on=date(2024, 6, 1), removed_on=removed_on,
                          decided_by="温州市民政局", abnormal_listed=action != ListingAction.REMOVED,
                          serious_listed=False)


def test_imported_registration_takes_effect_on_its_registration_date_not_when_recorded() -> None:
    envelope = Envelope.wrap(registered(date(2023, 3, 15)), source="registry")
    assert envelope.effectivedate == date(2023, 3, 15)
    assert envelope.effective_day() == date(2023, 3, 15)
    assert json.loads(envelope.to_json_bytes())["effectivedate"] == "2023-03-15"


def test_sdk_reads_effectivedate_as_an_extension_attribute() -> None:
    envelope = Envelope.wrap(registered(date(2023, 3, 15)), source="registry")
    event = JSONFormat().read(None, envelope.to_json_bytes())
    assert event.get_extension("effectivedate") == "2023-03-15"


def test_listing_takes_effect_on_its_listing_day_and_its_removal_on_the_removal_day() -> None:
    """CR-14: a listing is dated by its decision, a removal (CR-10) or escalation (CR-11) by the day it ended."""
    assert listing(ListingAction.LISTED).effective_on() == date(2024, 6, 1)
    assert listing(ListingAction.REMOVED, removed_on=date(2026, 6, 1)).effective_on() == date(2026, 6, 1)
    # CR-11: the abnormal entry escalated to the serious list ends on its escalation day
    assert listing(ListingAction.ESCALATED, removed_on=date(2026, 6, 1)).effective_on() == date(2026, 6, 1)


def test_grade_takes_effect_on_its_first_valid_day_and_expires_the_day_after_its_last() -> None:
    """EVAL-8: a grade announced in 2026 is valid from 1 January of the next year."""
    awarded = GradeChanged(uscc=USCC, change=GradeChange.AWARDED, grade="4A", valid_from=date(2027, 1, 1),
                           valid_until=date(2031, 12, 31), rule="EVAL-8", changed_on=date(2026, 12, 2))
    expired = awarded.model_copy(update={"change": GradeChange.EXPIRED, "grade": None,
                                         "changed_on": date(2032, 1, 5)})
    downgraded = awarded.model_copy(update={"change": GradeChange.DOWNGRADED, "changed_on": date(2028, 5, 5)})
    assert awarded.effective_on() == date(2027, 1, 1)
    assert expired.effective_on() == date(2032, 1, 1)
    assert downgraded.effective_on() == date(2028, 5, 5)


def test_overdue_report_takes_effect_the_day_after_its_deadline_whenever_the_job_noticed() -> None:
    """AR-1: overdue from the day after the deadline, even when the daily job runs late."""
    overdue = AnnualReportOverdue(uscc=USCC, year=2025, deadline=date(2026, 5, 31), as_of=date(2026, 6, 9))
    assert overdue.effective_on() == date(2026, 6, 1)


def test_envelope_without_effectivedate_takes_the_business_date_of_its_time() -> None:
    """Events recorded before the extension existed: 23:30 China time (15:30 UTC) is still that China day."""
    old = Envelope(source="/yishe/registry", type=OrganisationRegistered.subject_name,
                   time=datetime(2026, 3, 5, 16, 30, tzinfo=UTC), data={})
    assert old.effectivedate is None and old.effective_day() == date(2026, 3, 6)
    legacy = Envelope.model_validate_json(b'{"specversion":"1.0","id":"x","source":"/yishe/registry",'
                                          b'"type":"registry.organisation.registered.v1",'
                                          b'"time":"2026-03-05T10:00:00Z","data":{}}')
    assert legacy.effective_day() == date(2026, 3, 5)
