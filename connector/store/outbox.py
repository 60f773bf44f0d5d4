"""The write outbox (issue 19, writes): pushes the platform asked for, kept until their
outcome is stored.

Owns: queueing a push (``create_push``: one per company and idempotency key; the same key
with the same record is the same push, with another record a ``PushKeyReused`` conflict),
reading pushes back (by id, by status, and a company's pending ones in the order received),
and the status steps a sender records: ``pending`` -> ``sent`` (with the message-set ID and
request ID it went out under, for PROTOCOL.md 1.5 recovery) -> ``succeeded`` (QuickBooks'
ID) | ``failed`` (status code, message) | ``conflict`` (a stale EditSequence); a push in use
elsewhere (3170/3175/3176) goes back to ``pending`` for a later session.
Must not: validate records or build qbXML (``connector.portal.pushes``), or send anything.
"""

from __future__ import annotations

import json
import secrets
import time
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy import Connection
from sqlalchemy.exc import IntegrityError

from connector.store import webhooks
from connector.store.db import Database, transaction
from connector.store.errors import Conflict, InvalidValue, NotFound
from connector.store.tables_sync import outbox

STATUSES = ("pending", "sent", "succeeded", "failed", "conflict")
OPERATIONS = ("add", "mod", "delete", "void")
FINAL = frozenset({"succeeded", "failed", "conflict"})


class PushNotFound(NotFound):
    what = "push of this company"


class PushKeyReused(Conflict):
    def __init__(self, key: str) -> None:
        super().__init__(f"the idempotency key {key!r} was used for another record")


@dataclass(frozen=True)
class Push:
    id: str
    company_id: str
    data_type: str
    operation: str
    record: dict[str, Any]
    idempotency_key: str | None
    status: str
    message_set_id: str | None
    request_id: str | None
    result_qb_id: str | None
    status_code: int | None
    error: str | None
    attempts: int
    created_at: datetime
    updated_at: datetime


def _aware(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _push(m: sa.RowMapping) -> Push:
    return Push(
        m["id"], m["company_id"], m["data_type"], m["operation"], json.loads(m["payload"]),
        m["idempotency_key"], m["status"], m["message_set_id"], m["request_id"],
        m["result_qb_id"], m["status_code"], m["error"], int(m["attempts"]),
        _aware(m["created_at"]), _aware(m["updated_at"]),
    )  # fmt: skip


_last_ns = 0


def _ordered_id() -> str:
    """A UUID-shaped id that sorts in the order pushes were made (the clock's nanoseconds,
    strictly increasing in this process, then 64 random bits): pushes queued with the same
    ``created_at`` still go out in the order received."""
    global _last_ns
    _last_ns = max(time.time_ns(), _last_ns + 1)
    return str(uuid.UUID(int=(_last_ns << 64) | secrets.randbits(64)))


def find_by_key(conn: Connection, company_id: str, key: str) -> Push | None:
    query = sa.select(outbox).where(
        outbox.c.company_id == company_id, outbox.c.idempotency_key == key
    )
    first = conn.execute(query).mappings().first()
    return None if first is None else _push(first)


def create_push(
    db: Database | Connection,
    company_id: str,
    data_type: str,
    operation: str,
    record: Mapping[str, Any],
    *,
    idempotency_key: str | None,
    now: datetime,
) -> tuple[Push, bool]:
    """Queue a push; returns it and whether it is new (False: the idempotency key's push)."""
    if operation not in OPERATIONS:
        raise InvalidValue(f"unknown push operation {operation!r}")
    if idempotency_key is not None and not 1 <= len(idempotency_key) <= 128:
        raise InvalidValue("an idempotency key is 1 to 128 characters")
    payload = json.dumps(record, sort_keys=True, separators=(",", ":"))
    push_id = _ordered_id()
    row: dict[str, Any] = {
        "id": push_id, "company_id": company_id, "data_type": data_type,
        "operation": operation, "payload": payload, "idempotency_key": idempotency_key,
        "status": "pending", "attempts": 0, "created_at": now, "updated_at": now,
    }  # fmt: skip
    with transaction(db) as conn:
        if idempotency_key is not None:
            existing = find_by_key(conn, company_id, idempotency_key)
            if existing is not None:
                return same_push(existing, data_type, operation, record, idempotency_key), False
        try:
            with conn.begin_nested():  # a concurrent twin must not poison the transaction
                conn.execute(outbox.insert().values(**row))
        except IntegrityError:
            existing = find_by_key(conn, company_id, idempotency_key or "")
            if existing is None:
                raise
            return same_push(existing, data_type, operation, record, idempotency_key or ""), False
        return get_push(conn, company_id, push_id), True


def same_push(
    push: Push, data_type: str, operation: str, record: Mapping[str, Any], key: str
) -> Push:
    if (push.data_type, push.operation, push.record) != (data_type, operation, dict(record)):
        raise PushKeyReused(key)
    return push


def get_push(db: Database | Connection, company_id: str, push_id: str) -> Push:
    query = sa.select(outbox).where(outbox.c.company_id == company_id, outbox.c.id == push_id)
    with transaction(db, write=False) as conn:
        first = conn.execute(query).mappings().first()
    if first is None:
        raise PushNotFound(push_id)
    return _push(first)


def list_pushes(
    db: Database | Connection,
    company_id: str,
    *,
    status: str | None = None,
    limit: int = 100,
    after: tuple[datetime, str] | None = None,
) -> list[Push]:
    """A company's pushes in the order received (oldest first), optionally of one status;
    ``after`` (created_at, id) continues a page."""
    if status is not None and status not in STATUSES:
        raise InvalidValue(f"unknown push status {status!r}; known: {', '.join(STATUSES)}")
    query = sa.select(outbox).where(outbox.c.company_id == company_id)
    if status is not None:
        query = query.where(outbox.c.status == status)
    if after is not None:
        at, last = after
        query = query.where(
            sa.or_(
                outbox.c.created_at > at,
                sa.and_(outbox.c.created_at == at, outbox.c.id > last),
            )
        )
    query = query.order_by(outbox.c.created_at, outbox.c.id).limit(limit)
    with transaction(db, write=False) as conn:
        return [_push(m) for m in conn.execute(query).mappings()]


def next_to_send(conn: Connection, company_id: str) -> Push | None:
    """What a session sends first: a push left ``sent`` (its answer never stored: resolved
    by message-set recovery before anything else), else the oldest ``pending`` one."""
    for status in ("sent", "pending"):
        query = (
            sa.select(outbox)
            .where(outbox.c.company_id == company_id, outbox.c.status == status)
            .order_by(outbox.c.created_at, outbox.c.id)
            .limit(1)
        )
        first = conn.execute(query).mappings().first()
        if first is not None:
            return _push(first)
    return None


UNSENT_STATUSES = ("pending", "sent")
"""A push waits for a session while pending, or sent with its answer never stored."""


def has_unsent(conn: Connection, company_id: str) -> bool:
    """Whether a push of the company waits for a session (pending, or sent and unresolved)."""
    query = sa.select(outbox.c.id).where(
        outbox.c.company_id == company_id, outbox.c.status.in_(UNSENT_STATUSES)
    )
    return conn.execute(query.limit(1)).first() is not None


def outcomes_since(conn: Connection, company_id: str, request_prefix: str) -> dict[str, int]:
    """How many pushes by status went out under requestIDs starting with ``request_prefix``
    (one session's: ``connector.sync.pushing``)."""
    query = (
        sa.select(outbox.c.status, sa.func.count())
        .where(
            outbox.c.company_id == company_id,
            outbox.c.request_id.startswith(request_prefix, autoescape=True),
        )
        .group_by(outbox.c.status)
    )
    return {str(status): int(n) for status, n in conn.execute(query)}


def sent_with_request(conn: Connection, company_id: str, request_id: str) -> Push | None:
    """The sent push whose request carried ``request_id`` (a response names it)."""
    query = sa.select(outbox).where(
        outbox.c.company_id == company_id,
        outbox.c.status == "sent",
        outbox.c.request_id == request_id,
    )
    first = conn.execute(query).mappings().first()
    return None if first is None else _push(first)


def _step(
    conn: Connection, push_id: str, allowed_from: tuple[str, ...], now: datetime, **values: Any
) -> Push:
    done = conn.execute(
        outbox.update()
        .where(outbox.c.id == push_id, outbox.c.status.in_(allowed_from))
        .values(updated_at=now, **values)
    )
    row = conn.execute(sa.select(outbox).where(outbox.c.id == push_id)).mappings().first()
    if row is None:
        raise PushNotFound(push_id)
    if done.rowcount != 1:
        raise Conflict(f"push {push_id} is {row['status']}, not {' or '.join(allowed_from)}")
    return _push(row)


def mark_sent(
    conn: Connection, push_id: str, *, message_set_id: str, request_id: str, now: datetime
) -> Push:
    """The push went out in a request under these IDs (kept for error recovery)."""
    return _step(
        conn, push_id, ("pending",), now, status="sent", message_set_id=message_set_id,
        request_id=request_id, attempts=outbox.c.attempts + 1,
    )  # fmt: skip


def mark_resent(conn: Connection, push_id: str, *, request_id: str, now: datetime) -> Push:
    """A ``sent`` push whose answer was never stored went out again in the same message set
    (``oldMessageSetID``: QuickBooks answers from what it stored, PROTOCOL.md 1.5), under
    this session's ``request_id``."""
    return _step(
        conn, push_id, ("sent",), now, request_id=request_id, attempts=outbox.c.attempts + 1
    )


def record_outcome(
    conn: Connection,
    push_id: str,
    status: str,
    *,
    now: datetime,
    qb_id: str | None = None,
    status_code: int | None = None,
    error: str | None = None,
) -> Push:
    """What QuickBooks answered for a sent push: a final status, or ``pending`` again (the
    record was in use: a later session retries it)."""
    if status not in FINAL | {"pending"}:
        raise InvalidValue(
            f"a sent push ends succeeded, failed, conflict or pending, not {status!r}"
        )
    push = _step(
        conn, push_id, ("sent",), now, status=status, result_qb_id=qb_id,
        status_code=status_code, error=error[:2000] if error else None,
    )  # fmt: skip
    if status in FINAL:  # in this transaction: the event commits with the outcome or not at all
        webhooks.emit(conn, f"push.{status}", push.company_id, event_data(push), now)
    return push


def event_data(push: Push) -> dict[str, Any]:
    """The ``data`` of a ``push.*`` webhook event."""
    return {
        "pushId": push.id, "dataType": push.data_type, "operation": push.operation,
        "status": push.status, "idempotencyKey": push.idempotency_key,
        "qbId": push.result_qb_id, "statusCode": push.status_code, "message": push.error,
    }  # fmt: skip
