"""Looking up 一社一码 profiles: current (cache), as of a past day (events), in batches; audited when not public."""

from __future__ import annotations

import asyncio
from datetime import date

import orjson
from fastapi import Request

from yishe_kit.errors import ServiceError, require_social_org_uscc

from .. import qr
from ..config import Settings
from ..disclosure import jurisdiction
from ..disclosure.policy import PUBLIC, choose_view, disclose
from ..errors import bad_request
from ..identity.principal import Identity
from .asof import profile_as_of
from .cache import Entry

SIGNATURE = {None: b',"signature_valid":null}', True: b',"signature_valid":true}', False: b',"signature_valid":false}'}
BATCH_CONCURRENCY = 16


def signature_state(settings: Settings, uscc: str, sig: str | None) -> bool | None:
    """CODE-6: None without a signature, else whether the QR code's signature is the gateway's."""
    return None if sig is None else qr.verify_code(settings.signing_key.get_secret_value(), uscc, sig)


async def audited(request: Request, identity: Identity, uscc: str, view: str, *, as_of: date | None = None) -> None:
    """AUDIT-1: every view but the public one is recorded before it is returned."""
    if view != PUBLIC:
        detail = {"view": view} | ({"as_of": as_of.isoformat()} if as_of else {})
        await request.app.state.audit.record(identity, request, action="read", uscc=uscc, status=200, detail=detail)


async def current(request: Request, identity: Identity, uscc: str, view: str | None) -> tuple[Entry, str]:
    """CODE-4 view of the current profile; a held profile costs no fan-out (CACHE-1)."""
    cache = request.app.state.cache
    entry = cache.fresh(uscc)  # only well-formed codes are ever held: no need to validate those again
    if entry is None:
        require_social_org_uscc(uscc)
    placed = await jurisdiction.organisation_division(request.app.state.sessionmaker, identity, uscc)
    chosen = choose_view(identity, uscc, view, placed)
    if entry is not None:
        cache.hits += 1
        return entry, chosen
    return await cache.get(uscc, request.state.request_id), chosen


async def profile_json(request: Request, identity: Identity, uscc: str, *, view: str | None, sig: str | None,
                       as_of: date | None, known_on: date | None = None) -> bytes:
    """The JSON body of one lookup, current or as effective at the end of a day, as known now or on `known_on`
    (CODE-5)."""
    signature = signature_state(request.app.state.settings, uscc, sig)
    if as_of is not None:
        require_social_org_uscc(uscc)
        placed = await jurisdiction.organisation_division(request.app.state.sessionmaker, identity, uscc)
        chosen = choose_view(identity, uscc, view, placed)
        async with request.app.state.sessionmaker() as session:
            profile = await profile_as_of(session, uscc, as_of, known_on,
                                          request.app.state.settings.colour_mode)
        body = orjson.dumps(disclose(profile, chosen, identity.role))[:-1]
        await audited(request, identity, uscc, chosen, as_of=as_of)
        return body + SIGNATURE[signature]
    entry, chosen = await current(request, identity, uscc, view)
    await audited(request, identity, uscc, chosen)
    return entry.body(chosen, identity.role) + SIGNATURE[signature]


async def public_view(request: Request, uscc: str) -> dict:
    require_social_org_uscc(uscc)
    entry = await request.app.state.cache.get(uscc, request.state.request_id)
    return disclose(entry.profile, PUBLIC, "public")


async def batch(request: Request, identity: Identity, codes: list[str], view: str | None) -> bytes:
    """CODE-7: up to `batch_max` codes at once; each answer carries its own status (200, 400, 403, 404, 503)."""
    limit = request.app.state.settings.batch_max
    if len(codes) > limit:
        raise bad_request("batch_too_large", "codes", "CODE-7", f"一次最多查询 {limit} 个代码",
                          f"at most {limit} codes per batch")
    gate = asyncio.Semaphore(BATCH_CONCURRENCY)

    async def one(uscc: str) -> tuple[bytes, str | None]:
        head = b'{"uscc":' + orjson.dumps(uscc)
        try:
            async with gate:
                entry, chosen = await current(request, identity, uscc, view)
        except ServiceError as exc:
            error = {"code": exc.code, "detail": exc.detail, "errors": [p.as_dict() for p in exc.problems]}
            return head + b',"status":' + str(exc.status).encode() + b',"error":' + orjson.dumps(error) + b"}", None
        body = entry.body(chosen, identity.role) + SIGNATURE[None]
        return head + b',"status":200,"profile":' + body + b"}", chosen

    answers = await asyncio.gather(*[one(c) for c in codes])
    # All audit entries of the batch together: the writer commits them in one transaction.
    await asyncio.gather(*[audited(request, identity, uscc, chosen)
                           for uscc, (_, chosen) in zip(codes, answers, strict=True) if chosen is not None])
    return b'{"results":[' + b",".join(part for part, _ in answers) + b"]}"
