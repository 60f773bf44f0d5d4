"""Webhooks (issue 19): subscriptions, events fanned out to deliveries, and the delivery
queue workers take from.

Owns: ``emit`` (called inside the transaction of the change it reports: a sync run that ends,
a connection paused, connected or in error; the delivery rows commit with it or not at
all, so an event is never lost and never reported for a change that rolled back), the
lease-based claim any worker of any instance may make (a conditional UPDATE: the row goes
to whoever's UPDATE matched, on SQLite and PostgreSQL alike; a dead worker's lease runs
out and another takes the row), and the outcome of each attempt.
Must not: send HTTP, sign, or decide retry timing (``connector.api.webhook_delivery``).
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy import Connection

from connector.store.db import Database, transaction
from connector.store.errors import InvalidValue, NotFound
from connector.store.rows import every, from_row
from connector.store.tables_webhooks import webhook_deliveries, webhooks

EVENTS = (
    "sync.completed",
    "sync.failed",
    "connection.connected",
    "connection.paused",
    "connection.error",
    "push.succeeded",
    "push.failed",
    "push.conflict",
)
"""Events a webhook may ask for."""

PENDING, SUCCEEDED, FAILED = "pending", "succeeded", "failed"


class WebhookNotFound(NotFound):
    what = "webhook"


@dataclass(frozen=True)
class Webhook:
    id: str
    url: str
    events: tuple[str, ...]
    company_ids: tuple[str, ...] | None
    active: bool
    created_at: datetime


@dataclass(frozen=True)
class Delivery:
    id: str
    webhook_id: str
    event_id: str
    event: str
    company_id: str | None
    body: str
    status: str
    attempts: int
    next_attempt_at: datetime
    last_status_code: int | None
    last_error: str | None
    last_attempt_at: datetime | None
    latency_ms: int | None
    created_at: datetime
    delivered_at: datetime | None


@dataclass(frozen=True)
class Claimed:
    """A delivery a worker holds: what to send, where, and the secret to sign it with."""

    delivery: Delivery
    url: str
    secret: str
    claim_token: str


def _webhook(m: sa.RowMapping) -> Webhook:
    scope = m["company_ids"]
    return from_row(
        Webhook,
        m,
        events=tuple(m["events"]),
        company_ids=None if scope is None else tuple(scope),
        active=bool(m["active"]),
    )


def _delivery(m: sa.RowMapping) -> Delivery:
    return from_row(Delivery, m)


def create_webhook(
    db: Database | Connection,
    url: str,
    events: Sequence[str],
    secret: str,
    *,
    company_ids: Collection[str] | None,
    created_by: str | None,
    now: datetime,
) -> Webhook:
    unknown = sorted(set(events) - set(EVENTS))
    if unknown or not events:
        raise InvalidValue(f"unknown webhook events {unknown}; known: {', '.join(EVENTS)}")
    webhook_id = str(uuid.uuid4())
    row: dict[str, Any] = {
        "id": webhook_id,
        "url": url,
        "events": sorted(set(events)),
        "secret": secret,
        "company_ids": None if company_ids is None else sorted(company_ids),
        "created_by": created_by,
        "active": True,
        "created_at": now,
    }
    with transaction(db) as conn:
        conn.execute(webhooks.insert().values(**row))
        return get_webhook(conn, webhook_id)


def _visible(query: Any, scope: Collection[str] | None) -> Any:
    """Only the webhooks a caller whose companies are ``scope`` may see (``None``: all)."""
    return query if scope is None else query.where(webhooks.c.company_ids.is_not(None))


def _in_scope(hook: Webhook, scope: Collection[str] | None) -> bool:
    if scope is None:
        return True
    return hook.company_ids is not None and set(hook.company_ids) <= set(scope)


def get_webhook(
    db: Database | Connection, webhook_id: str, *, scope: Collection[str] | None = None
) -> Webhook:
    with transaction(db, write=False) as conn:
        found = conn.execute(sa.select(webhooks).where(webhooks.c.id == webhook_id)).mappings()
        first = found.first()
    if first is None or not _in_scope(hook := _webhook(first), scope):
        raise WebhookNotFound(webhook_id)
    return hook


def list_webhooks(
    db: Database | Connection, *, scope: Collection[str] | None = None
) -> list[Webhook]:
    query = _visible(sa.select(webhooks).order_by(webhooks.c.created_at, webhooks.c.id), scope)
    hooks = every(db, query, _webhook)
    return [h for h in hooks if _in_scope(h, scope)]


def delete_webhook(
    db: Database | Connection, webhook_id: str, *, scope: Collection[str] | None = None
) -> None:
    """Delete a webhook and its delivery log (pending deliveries are not sent)."""
    with transaction(db) as conn:
        get_webhook(conn, webhook_id, scope=scope)
        conn.execute(webhooks.delete().where(webhooks.c.id == webhook_id))


def emit(
    conn: Connection,
    event: str,
    company_id: str,
    data: dict[str, Any],
    now: datetime,
) -> int:
    """Queue ``event`` for every active webhook that wants it and hears about ``company_id``,
    in the caller's transaction. The body is fixed here (one event id for every webhook,
    so a receiver dedups by it); returns how many deliveries were queued."""
    if event not in EVENTS:
        raise InvalidValue(f"unknown webhook event {event!r}")
    hooks = [
        _webhook(m)
        for m in conn.execute(sa.select(webhooks).where(webhooks.c.active.is_(True))).mappings()
    ]
    wanted = [
        h for h in hooks
        if event in h.events and (h.company_ids is None or company_id in h.company_ids)
    ]  # fmt: skip
    if not wanted:
        return 0
    event_id = str(uuid.uuid4())
    body = json.dumps(
        {"id": event_id, "type": event, "createdAt": now.isoformat(), "companyId": company_id,
         "data": data},
        separators=(",", ":"), sort_keys=True,
    )  # fmt: skip
    rows = [
        {
            "id": str(uuid.uuid4()), "webhook_id": h.id, "event_id": event_id, "event": event,
            "company_id": company_id, "body": body, "status": PENDING, "attempts": 0,
            "next_attempt_at": now, "created_at": now,
        }
        for h in wanted
    ]  # fmt: skip
    conn.execute(webhook_deliveries.insert(), rows)
    return len(rows)


def claim_due(db: Database, now: datetime, *, lease: timedelta, limit: int = 10) -> list[Claimed]:
    """Take up to ``limit`` due deliveries under a lease; each goes to one worker only."""
    due = (
        sa.select(webhook_deliveries.c.id)
        .where(
            webhook_deliveries.c.status == PENDING,
            webhook_deliveries.c.next_attempt_at <= now,
            sa.or_(
                webhook_deliveries.c.claimed_until.is_(None),
                webhook_deliveries.c.claimed_until < now,
            ),
        )
        .order_by(webhook_deliveries.c.next_attempt_at)
        .limit(limit)
    )
    claimed: list[Claimed] = []
    with transaction(db, write=False) as conn:
        ids = list(conn.execute(due).scalars())
    for delivery_id in ids:
        token = str(uuid.uuid4())
        with transaction(db) as conn:
            taken = conn.execute(
                webhook_deliveries.update()
                .where(
                    webhook_deliveries.c.id == delivery_id,
                    webhook_deliveries.c.status == PENDING,
                    sa.or_(
                        webhook_deliveries.c.claimed_until.is_(None),
                        webhook_deliveries.c.claimed_until < now,
                    ),
                )
                .values(claim_token=token, claimed_until=now + lease)
            )
            if taken.rowcount != 1:
                continue  # another worker took it first
            row = (
                conn.execute(
                    sa.select(webhook_deliveries, webhooks.c.url, webhooks.c.secret)
                    .join(webhooks, webhooks.c.id == webhook_deliveries.c.webhook_id)
                    .where(webhook_deliveries.c.id == delivery_id)
                )
                .mappings()
                .one()
            )
            claimed.append(Claimed(_delivery(row), row["url"], row["secret"], token))
    return claimed


def record_attempt(
    db: Database,
    claimed: Claimed,
    *,
    now: datetime,
    status_code: int | None,
    error: str | None,
    latency_ms: int | None,
    succeeded: bool,
    retry_at: datetime | None,
) -> bool:
    """Store one attempt's outcome: delivered, due again at ``retry_at``, or failed for good
    (``retry_at`` None). False when the lease was lost (another worker owns the row now)."""
    status = SUCCEEDED if succeeded else PENDING if retry_at is not None else FAILED
    values: dict[str, Any] = {
        "status": status,
        "attempts": webhook_deliveries.c.attempts + 1,
        "last_status_code": status_code,
        "last_error": error[:500] if error else None,
        "last_attempt_at": now,
        "latency_ms": latency_ms,
        "claim_token": None,
        "claimed_until": None,
        "next_attempt_at": retry_at or now,
        "delivered_at": now if succeeded else None,
    }
    with transaction(db) as conn:
        done = conn.execute(
            webhook_deliveries.update()
            .where(
                webhook_deliveries.c.id == claimed.delivery.id,
                webhook_deliveries.c.claim_token == claimed.claim_token,
            )
            .values(**values)
        )
        return done.rowcount == 1


def list_deliveries(
    db: Database | Connection, webhook_id: str, *, limit: int = 100
) -> list[Delivery]:
    query = (
        sa.select(webhook_deliveries)
        .where(webhook_deliveries.c.webhook_id == webhook_id)
        .order_by(webhook_deliveries.c.created_at.desc(), webhook_deliveries.c.id)
        .limit(limit)
    )
    return every(db, query, _delivery)


def delivery_counts(db: Database | Connection) -> dict[str, int]:
    """Deliveries by status, for ``/metrics``."""
    query = sa.select(webhook_deliveries.c.status, sa.func.count()).group_by(
        webhook_deliveries.c.status
    )
    with transaction(db, write=False) as conn:
        return {str(s): int(n) for s, n in conn.execute(query)}
