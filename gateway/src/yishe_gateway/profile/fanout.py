"""The 一社一码 profile: one concurrent fan-out to the four services, merged, naming missing and pending sources."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import Any

import aiohttp

from yishe_kit.errors import NotFound

from .config import Settings
from .upstream import Fetched, get_json, unavailable

PATHS = {
    "registry": "/v1/organisations/{}",
    "credit": "/v1/profiles/{}",
    "party": "/v1/records/{}",
    "procurement": "/v1/bidders/{}",
}
# Only what the public scan shows (CODE-4); each service already disclosed by the public role.
FIELDS = {
    "credit": ("colour", "colour_rule", "colour_reason", "abnormal_listed", "serious_listed", "list_entries"),
    "party": ("route", "route_rule", "route_label", "capture_task_status", "capture_task_due"),
    "procurement": ("may_bid", "problems", "contracts"),
}


async def fetch_all(session: aiohttp.ClientSession, settings: Settings, uscc: str,
                    headers: dict[str, str]) -> dict[str, Fetched]:
    """Ask every source at once; each has its own timeout so one slow service cannot hold the others."""
    calls = [
        get_json(session, source, settings.upstreams.get(source).rstrip("/") + path.format(uscc),
                 headers=headers, timeout=settings.upstream_timeout_seconds)
        for source, path in PATHS.items()
    ]
    return {f.source: f for f in await asyncio.gather(*calls)}


def merge(uscc: str, fetched: dict[str, Fetched]) -> dict[str, Any]:
    """Registry decides existence; the other sources are present, pending (404: events still travelling) or missing."""
    registry = fetched["registry"]
    if registry.status == 404:
        raise NotFound("organisation_not_found", f"no organisation {uscc}")
    if not registry.ok:
        raise unavailable("registry", 503, "暂不可用，无法确认该社会组织",
                          "is unavailable, so the organisation cannot be shown")
    profile: dict[str, Any] = {"uscc": uscc, "organisation": registry.body}
    missing, pending = [], []
    for source, fields in FIELDS.items():
        f = fetched[source]
        profile[source] = {k: f.body.get(k) for k in fields} if f.ok else None
        if f.status == 404:
            pending.append(source)
        elif not f.ok:
            missing.append(source)
    profile |= {"missing_sources": missing, "pending_sources": pending, "as_of": datetime.now(UTC).isoformat()}
    return profile
