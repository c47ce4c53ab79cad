"""OCDS releases captured at each stage, release packages and compiled records (OCDS 1.1, offline-valid)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from yishe_kit.clock import now
from yishe_kit.errors import NotFound
from yishe_kit.principal import Principal

from ..common import jsonnum
from ..common.roles import can_see_all
from ..config import OcdsSettings, Settings
from .builder import Snapshot, build, ts
from .merge import compile_releases
from .models import OcdsRelease

VERSION = "1.1"


async def _snapshot(session: AsyncSession, project_id: str) -> Snapshot:
    # Imported here, not at the top: each of these domains calls capture() itself.
    from ..bid import service as bid_service
    from ..contract import service as contract_service
    from ..evaluation import service as evaluation_service
    from ..performance import service as performance_service
    from ..project import service as project_service

    snap = Snapshot(project=await project_service.get(session, project_id),
                    amendments=await project_service.amendments(session, project_id),
                    award=await evaluation_service.find_award(session, project_id))
    if snap.award:
        snap.bids = [b for b in await bid_service.for_project(session, project_id, active_only=True)]
    snap.contract = await contract_service.find_for_project(session, project_id)
    if snap.contract:
        cid = snap.contract.contract_id
        snap.milestones, snap.payments = await contract_service.milestones_and_payments(session, cid)
        snap.evaluations = await performance_service.for_contract(session, cid)
    return snap


async def capture(session: AsyncSession, project_id: str, tags: list[str], settings: Settings) -> None:
    """Record the release of a stage as it is now; release dates strictly increase within a process."""
    snap = await _snapshot(session, project_id)
    last = (await session.execute(select(func.max(OcdsRelease.seq), func.max(OcdsRelease.date))
                                  .where(OcdsRelease.project_id == project_id))).one()
    seq, at = (last[0] or 0) + 1, now()
    if last[1] is not None and at <= last[1]:
        at = last[1] + timedelta(microseconds=1)
    release_id = f"{snap.project.ocid}-{seq:03d}-{tags[0]}"
    release = build(snap, release_id=release_id, at=at, tags=tags, settings=settings.ocds)
    session.add(OcdsRelease(project_id=project_id, ocid=snap.project.ocid, release_id=release_id, seq=seq,
                            tag=",".join(tags), date=at, payload=jsonnum.dumps(release)))
    await session.flush()


async def _releases(session: AsyncSession, principal: Principal, *, project_id: str | None = None,
                    ocid: str | None = None) -> list[dict[str, Any]]:
    query = select(OcdsRelease)
    query = query.where(OcdsRelease.project_id == project_id) if project_id else query.where(OcdsRelease.ocid == ocid)
    rows = list(await session.scalars(query.order_by(OcdsRelease.seq)))
    # A process is public once its tender is published; until then only staff see the planning releases.
    public = any(r.tag.split(",")[0] != "planning" and r.tag != "planningUpdate" for r in rows)
    if not rows or not (public or can_see_all(principal)):
        raise NotFound("ocds_process_not_found", f"no published contracting process {project_id or ocid}")
    return [jsonnum.loads(r.payload) for r in rows]


def _package_meta(settings: OcdsSettings, releases: list[dict[str, Any]]) -> dict[str, Any]:
    return {"version": VERSION, "publishedDate": max(r["date"] for r in releases) if releases else ts(now()),
            "publisher": {"name": settings.publisher_name} | (
                {"scheme": "CN-USCI", "uid": settings.publisher_uid} if settings.publisher_uid else {})}


async def release_package(session: AsyncSession, project_id: str, principal: Principal,
                          settings: Settings) -> dict[str, Any]:
    """Every release of a project's contracting process, in order (OCDS release package)."""
    releases = await _releases(session, principal, project_id=project_id)
    return _package_meta(settings.ocds, releases) | {"releases": releases}


async def record_package(session: AsyncSession, principal: Principal, settings: Settings, *,
                         project_id: str | None = None, ocid: str | None = None) -> dict[str, Any]:
    """The project's record: its releases and the compiled release (OCDS merge rules)."""
    releases = await _releases(session, principal, project_id=project_id, ocid=ocid)
    record = {"ocid": releases[0]["ocid"], "releases": releases, "compiledRelease": compile_releases(releases)}
    return _package_meta(settings.ocds, releases) | {"records": [record]}


async def feed(session: AsyncSession, settings: Settings, *, after: int,
               limit: int) -> tuple[dict[str, Any], int]:
    """Releases of published processes after a position, for bulk readers (finance departments, the public)."""
    published = select(OcdsRelease.project_id).where(OcdsRelease.tag != "planning",
                                                     OcdsRelease.tag != "planningUpdate")
    rows = list(await session.scalars(select(OcdsRelease).where(OcdsRelease.release_pk > after,
                                                                OcdsRelease.project_id.in_(published))
                                      .order_by(OcdsRelease.release_pk).limit(limit)))
    releases = [jsonnum.loads(r.payload) for r in rows]
    return _package_meta(settings.ocds, releases) | {"releases": releases}, rows[-1].release_pk if rows else after
