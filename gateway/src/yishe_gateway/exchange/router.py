"""The change feed for departments (EXCH-1) and webhook subscriptions of system clients (EXCH-2, EXCH-3)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response
from pydantic import BaseModel, ConfigDict, Field

from yishe_kit.db import SessionDep

from ..identity.dependencies import IdentityDep, require
from ..identity.principal import DEPARTMENT_ROLES
from ..upstream import json_response
from . import service

router = APIRouter(tags=["exchange"])
FEED_ROLES = (*DEPARTMENT_ROLES, "internal")
_refused: dict = {401: {"description": "authentication required or refused"},
            403: {"description": "not a department role / not a system client"}}


class FeedPage(BaseModel):
    items: list[dict[str, Any]] = Field(description=(
        "CloudEvents 1.0 structured JSON events, oldest first: `specversion`, `id` (the bus event's id), `source`, "
        "`type` (the subject), `subject` (USCC, or e.g. `application:12`), `time`, `datacontenttype`, `data`; "
        "extensions `cursor` (this entry's feed position), `uscc` and `correlationid` (left out when empty)"))
    next_cursor: str = Field(description="pass as `cursor` to read on; unchanged when nothing new")
    has_more: bool


class WebhookCreate(BaseModel):
    url: str = Field(max_length=2000, examples=["https://dept.example.gov.cn/yishe/events"])
    subjects: list[str] = Field(default_factory=list, description="event types wanted; empty = every type")


class WebhookRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    subscription_id: str
    url: str
    subjects: list[str]
    active: bool
    created_at: datetime


class WebhookCreated(WebhookRead):
    secret: str = Field(description=(
        "shown once, Standard Webhooks form (`whsec_…`): verify each delivery with "
        "`standardwebhooks.Webhook(secret).verify(body, headers)`"))


class AttemptRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    attempt: int
    at: datetime
    status_code: int | None
    error: str | None
    duration_ms: int


class DeliveryRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    delivery_id: int
    feed_seq: int
    status: str
    attempts: int
    next_attempt_at: datetime
    delivered_at: datetime | None
    last_status_code: int | None
    attempt_log: list[AttemptRead]


@router.get("/v1/feed", response_model=FeedPage, responses=_refused)
async def read_feed(session: SessionDep, identity: IdentityDep, request: Request, cursor: str | None = None,
                    limit: int = Query(100, ge=1, le=1000), subject: Annotated[list[str] | None, Query()] = None,
                    uscc: str | None = None) -> Response:
    """Organisation events after `cursor`, oldest first, within the caller's jurisdiction (department view)."""
    require(identity, *FEED_ROLES)
    await request.app.state.audit.record(identity, request, action="read", uscc=uscc, detail={"what": "feed"})
    return json_response(await service.read_feed(session, identity, cursor=cursor, limit=limit, subjects=subject,
                                                 uscc=uscc))


@router.post("/v1/webhooks", status_code=201, response_model=WebhookCreated, responses=_refused)
async def create_webhook(data: WebhookCreate, session: SessionDep, identity: IdentityDep,
                         request: Request) -> WebhookCreated:
    """Subscribe a URL to feed events; deliveries are signed with the secret returned here (once)."""
    require(identity, *FEED_ROLES, kinds=("client",))
    await request.app.state.audit.record(identity, request, action="write", detail={"what": "webhook", "url": data.url})
    sub, secret = await service.subscribe(session, request.app.state.settings, identity, url=data.url,
                                          subjects=data.subjects)
    return WebhookCreated(**WebhookRead.model_validate(sub).model_dump(), secret=secret)


@router.get("/v1/webhooks", response_model=list[WebhookRead], responses=_refused)
async def list_webhooks(session: SessionDep, identity: IdentityDep) -> list[WebhookRead]:
    """This client's subscriptions."""
    require(identity, *FEED_ROLES, kinds=("client",))
    return [WebhookRead.model_validate(s) for s in await service.subscriptions_of(session, identity)]


@router.delete("/v1/webhooks/{subscription_id}", status_code=204, responses=_refused)
async def delete_webhook(subscription_id: str, session: SessionDep, identity: IdentityDep,
                         request: Request) -> Response:
    """Unsubscribe; deliveries still owed are cancelled."""
    require(identity, *FEED_ROLES, kinds=("client",))
    await request.app.state.audit.record(identity, request, action="write", detail={"what": "webhook_delete"})
    await service.unsubscribe(session, identity, subscription_id)
    return Response(status_code=204)


@router.get("/v1/webhooks/{subscription_id}/deliveries", response_model=list[DeliveryRead], responses=_refused)
async def list_webhook_deliveries(subscription_id: str, session: SessionDep, identity: IdentityDep,
                                  limit: int = Query(100, ge=1, le=1000)) -> list[DeliveryRead]:
    """The delivery log: each delivery, newest first, with every attempt's status code or error."""
    require(identity, *FEED_ROLES, kinds=("client",))
    log = await service.delivery_log(session, identity, subscription_id, limit)
    return [DeliveryRead(**{c: getattr(d, c) for c in DeliveryRead.model_fields if c != "attempt_log"},
                         attempt_log=[AttemptRead.model_validate(a) for a in attempts]) for d, attempts in log]
