"""``/api/v1/webhooks``: subscriptions, their deletion and their delivery log (issue 19).

Owns: the JSON shapes. ``secret`` (16 to 128 characters; generated when absent) signs every
delivery and is shown once, in the answer that creates the webhook. A webhook made with an
admin key hears about every company; one made with a scoped key hears only about that key's
companies, and a scoped key sees and deletes only such webhooks within its companies (any
other answers 404, as one that does not exist). The URL is checked before anything is
stored (``webhook_delivery.check_target``: 422 ``invalid_webhook_url``).
Must not: write SQL (``connector.store.webhooks``) or send anything.
"""

from __future__ import annotations

import secrets
from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query, Response
from pydantic import BaseModel, Field

from connector.api.deps import ApiKeyDep, DatabaseDep, SettingsDep
from connector.api.errors import ApiError
from connector.api.webhook_delivery import TargetRefused, check_target, describe
from connector.store import webhooks as store

router = APIRouter(tags=["webhooks"])

EventName = Annotated[str, Field(examples=["sync.completed"])]


class WebhookIn(BaseModel):
    url: str = Field(min_length=1, max_length=2000, examples=["https://platform.example/hooks"])
    events: list[EventName] = Field(min_length=1, max_length=len(store.EVENTS))
    secret: str | None = Field(
        default=None, min_length=16, max_length=128, description="Generated when absent"
    )


class WebhookOut(BaseModel):
    id: str
    url: str
    events: list[str]
    companies: list[str] | None = Field(description="null: every company")
    active: bool
    createdAt: datetime


class WebhookCreated(WebhookOut):
    secret: str = Field(description="Signs every delivery (QBD-Signature); shown once")


class WebhookList(BaseModel):
    data: list[WebhookOut]


class DeliveryOut(BaseModel):
    id: str
    eventId: str
    event: str
    companyId: str | None
    status: str = Field(examples=["succeeded"], description="pending, succeeded or failed")
    attempts: int
    nextAttemptAt: datetime | None
    lastStatusCode: int | None
    lastError: str | None
    lastAttemptAt: datetime | None
    latencyMs: int | None
    createdAt: datetime
    deliveredAt: datetime | None


class DeliveryList(BaseModel):
    data: list[DeliveryOut]


def _out(hook: store.Webhook) -> dict[str, Any]:
    return {
        "id": hook.id,
        "url": hook.url,
        "events": list(hook.events),
        "companies": None if hook.company_ids is None else list(hook.company_ids),
        "active": hook.active,
        "createdAt": hook.created_at,
    }


@router.post("/webhooks", status_code=201)
def create_webhook(
    body: WebhookIn, database: DatabaseDep, settings: SettingsDep, caller: ApiKeyDep
) -> WebhookCreated:
    """Subscribe ``url`` to ``events``; deliveries are signed with ``secret`` (README)."""
    try:
        check_target(body.url, allow_private=settings.webhook_allow_private)
    except TargetRefused as exc:
        raise ApiError(422, "invalid_webhook_url", str(exc), {"url": body.url}) from exc
    secret = body.secret or "whsec_" + secrets.token_urlsafe(32)
    hook = store.create_webhook(
        database,
        body.url,
        body.events,
        secret,
        company_ids=caller.company_ids,
        created_by=caller.key_id,
        now=datetime.now(UTC),
    )
    return WebhookCreated(**_out(hook), secret=secret)


@router.get("/webhooks")
def list_webhooks(database: DatabaseDep, caller: ApiKeyDep) -> WebhookList:
    hooks = store.list_webhooks(database, scope=caller.company_ids)
    return WebhookList(data=[WebhookOut(**_out(h)) for h in hooks])


@router.delete("/webhooks/{webhookId}", status_code=204)
def delete_webhook(webhookId: str, database: DatabaseDep, caller: ApiKeyDep) -> Response:
    """Unsubscribe; its pending deliveries are dropped with its delivery log."""
    store.delete_webhook(database, webhookId, scope=caller.company_ids)
    return Response(status_code=204)


@router.get("/webhooks/{webhookId}/deliveries")
def list_webhook_deliveries(
    webhookId: str,
    database: DatabaseDep,
    caller: ApiKeyDep,
    pageSize: Annotated[int, Query(ge=1, le=500)] = 100,
) -> DeliveryList:
    """The newest deliveries first: status, attempts, the receiver's last answer, latency."""
    store.get_webhook(database, webhookId, scope=caller.company_ids)
    rows = store.list_deliveries(database, webhookId, limit=pageSize)
    return DeliveryList(data=[DeliveryOut(**describe(d)) for d in rows])
