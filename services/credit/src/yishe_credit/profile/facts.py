"""What registry tells credit about an organisation: changes, status (CR-12.7, CR-13), grades (EVAL, CODE-3)."""

from __future__ import annotations

from datetime import date

from yishe_contracts.events.registry import GradeChange, GradeChanged, OrganisationChanged, OrganisationStatusChanged

from ..context import Ctx
from . import service

LEADER_FIELDS = {"legal_representative", "leaders", "principal", "secretary_general", "chair", "负责人", "法定代表人"}
STATUS_LABELS = {"active": "正常", "deregistered": "注销", "simple_deregistered": "简易注销",
                 "registration_cancelled": "撤销成立登记", "certificate_revoked": "吊销登记证书",
                 "suspended": "限期停止活动"}


async def organisation_changed(ctx: Ctx, event: OrganisationChanged) -> None:
    """CR-4.1 基础信息: a change registration; leader changes feed risk, an address change restores contact."""
    from ..listing import service as listing_service
    from ..record import service as record_service

    profile = await service.for_event(ctx, event.uscc)
    fields = sorted(event.changes)
    leader = bool(LEADER_FIELDS & set(fields))
    await record_service.add(ctx, event.uscc, category="basic", kind="leader_change" if leader else "change",
                             title="变更登记：" + "、".join(fields), formed_on=event.change_date,
                             source=event.subject_name, source_ref=f"change:{event.changed_at.isoformat()}",
                             details={"changes": event.changes})
    if "name" in event.changes and event.changes["name"].get("after"):
        profile.org_name = str(event.changes["name"]["after"])
    if (event.changes.get("registration_date") or {}).get("after"):  # a legacy record corrected by a re-import
        profile.registration_date = date.fromisoformat(str(event.changes["registration_date"]["after"]))
    record_service.touch_activity(profile, event.change_date)
    if "address" in event.changes:  # CR-6.6: a new registered address is the organisation re-establishing contact
        await listing_service.fulfil(ctx, event.uscc, "contact", event.change_date,
                                     [f"{event.change_date} 变更登记住所（{event.subject_name}）"],
                                     apply_for_removal=True)
    await service.recolour(ctx, [profile.uscc])


async def status_changed(ctx: Ctx, event: OrganisationStatusChanged) -> None:
    """吊销/撤销 → serious list CR-12.7 (red); 限期停止活动 → CR-12.3 (red); 注销 after them → CR-13 removal."""
    from ..listing import removal
    from ..listing import service as listing_service
    from ..listing.rules import TRIGGERS
    from ..record import service as record_service

    profile = await service.for_event(ctx, event.uscc)
    to, on = event.to_status.value, event.effective_date
    await record_service.add(ctx, event.uscc, category="basic", kind="status_changed",
                             title=f"登记状态：{STATUS_LABELS[event.from_status.value]} → {STATUS_LABELS[to]}"
                                   f"（{event.reason}）", formed_on=on, source=event.subject_name,
                             source_ref=f"status:{to}:{on}",
                             details={"from": event.from_status.value, "to": to, "rule": event.rule,
                                      "decided_by": event.decided_by})
    previous = profile.registration_status
    profile.registration_status, profile.status_since = to, on
    evidence = [f"{event.decided_by} {on} 决定：{STATUS_LABELS[to]}（{event.rule}：{event.reason}）"]
    trigger = {"certificate_revoked": "CR-12.7", "registration_cancelled": "CR-12.7", "suspended": "CR-12.3"}.get(to)
    if trigger is not None:
        await listing_service.list_entry(ctx, profile, TRIGGERS[trigger], listed_on=on, evidence=evidence,
                                         ref=None, dedupe_key=f"{trigger}:{event.uscc}:{on}",
                                         decided_by=event.decided_by)
    if to in ("deregistered", "simple_deregistered") and previous in ("certificate_revoked", "registration_cancelled"):
        await removal.remove_at_deregistration(ctx, event.uscc, on, evidence[0])
    await service.recolour(ctx, [profile.uscc])


async def grade_changed(ctx: Ctx, event: GradeChanged) -> None:
    """CR-4.5 其他信息: the evaluation grade and its validity; a downgrade is a CODE-3 early warning (EVAL-7)."""
    from ..record import service as record_service

    profile = await service.for_event(ctx, event.uscc)
    labels = {"awarded": "评定", "downgraded": "降级", "revoked": "撤销", "expired": "到期"}
    title = f"评估等级{labels[event.change.value]}：{event.previous_grade or '无'} → {event.grade or '无'}"
    if event.valid_until:
        title += f"（有效期至{event.valid_until}）"
    await record_service.add(ctx, event.uscc, category="other", kind=f"grade_{event.change.value}", title=title,
                             formed_on=event.changed_on, source=event.subject_name,
                             source_ref=f"grade:{event.change.value}:{event.changed_on}:{event.grade}",
                             details={"grade": event.grade, "previous_grade": event.previous_grade,
                                      "valid_from": str(event.valid_from) if event.valid_from else None,
                                      "valid_until": str(event.valid_until) if event.valid_until else None,
                                      "rule": event.rule})
    # An expired or revoked grade's event still carries the ended validity: no grade in force, no validity.
    profile.grade, profile.grade_valid_until = event.grade, event.valid_until if event.grade else None
    if event.change is GradeChange.DOWNGRADED:
        profile.grade_downgraded_on = event.changed_on
    await service.recolour(ctx, [profile.uscc])
