"""``/companies/{companyId}/push``: writes to QuickBooks (issue 19, writes).

Owns: the JSON shapes. ``POST /push/{dataType}`` takes ``{record, operation?,
idempotencyKey?}``: ``operation`` is ``add`` (the default: ``record`` is the new record in
the data endpoints' camelCase shape; an item names its kind in ``type``, e.g.
``ItemService``), ``mod`` (``record`` carries ``listId``/``txnId`` and the current
``editSequence`` besides the fields to change), ``delete`` or ``void`` (``record`` is only
``{"listId"}`` or ``{"txnId"}``). It answers 201 with the push, ``pending`` until the next
Web Connector session sends it; the same idempotency key answers the same push (200), with
another record 409. Every field error at once: 422 ``invalid_record`` with ``details.errors``
``[{field, message}]``. A push shows its outcome: ``succeeded`` with ``qbId`` and the record
as QuickBooks saved it, ``failed`` with the QuickBooks ``statusCode`` and message,
``conflict`` (a stale EditSequence) with the pushed record and QuickBooks' current one.
Must not: write SQL (``connector.store``) or check records (``connector.portal.pushes``).
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Response
from pydantic import BaseModel, Field

from connector.api.cursors import Cursor, cut_page, decode_key_cursor, encode_key_cursor
from connector.api.deps import ApiKeyDep, DatabaseDep, reading_company
from connector.api.errors import ApiError
from connector.portal.pushes import queue_push
from connector.store import companies as company_store
from connector.store import outbox, record_reads
from connector.store.companies import CompanyKey
from connector.sync.writes import PUSH_TYPES, PushRefused

router = APIRouter(tags=["push"])

Operation = Literal["add", "mod", "delete", "void"]
Status = Literal["pending", "sent", "succeeded", "failed", "conflict"]


class PushIn(BaseModel):
    record: dict[str, Any] = Field(
        description="add: the new record (camelCase, as the data endpoints show records); "
        "mod: listId/txnId, editSequence and the fields to change; delete/void: only "
        "listId (lists) or txnId (transactions)"
    )
    operation: Operation = Field(default="add", description="What QuickBooks is asked to do")
    idempotencyKey: str | None = Field(
        default=None, min_length=1, max_length=128, description="Same key: the same push"
    )


class PushError(BaseModel):
    statusCode: int | None = Field(description="QuickBooks' statusCode")
    message: str | None


class PushOut(BaseModel):
    id: str
    companyId: str
    dataType: str
    operation: str
    status: Status
    idempotencyKey: str | None
    record: dict[str, Any] = Field(description="The record as pushed")
    qbId: str | None = Field(description="The QuickBooks ID (ListID or TxnID) once succeeded")
    result: dict[str, Any] | None = Field(
        description="succeeded: the record as QuickBooks saved it (the data endpoints' "
        "shape); conflict: QuickBooks' current version of the record"
    )
    error: PushError | None
    attempts: int
    createdAt: datetime
    updatedAt: datetime


class PushPage(BaseModel):
    data: list[PushOut]
    nextCursor: str | None


def _result(conn: Any, push: outbox.Push) -> dict[str, Any] | None:
    qb_id = push.result_qb_id
    if push.status == "conflict":
        qb_id = str(push.record.get("listId") or push.record.get("txnId") or "")
    if push.status not in ("succeeded", "conflict") or not qb_id:
        return None
    row = record_reads.get_normalised(conn, push.company_id, push.data_type, qb_id)
    if row is None:
        return None
    loaded: dict[str, Any] = json.loads(row.normalised)
    return loaded


def push_out(conn: Any, push: outbox.Push) -> PushOut:
    failed = push.status_code is not None or push.error is not None
    return PushOut(
        id=push.id,
        companyId=push.company_id,
        dataType=push.data_type,
        operation=push.operation,
        status=push.status,  # type: ignore[arg-type]  # the store keeps STATUSES only
        idempotencyKey=push.idempotency_key,
        record=push.record,
        qbId=push.result_qb_id,
        result=_result(conn, push),
        error=PushError(statusCode=push.status_code, message=push.error) if failed else None,
        attempts=push.attempts,
        createdAt=push.created_at,
        updatedAt=push.updated_at,
    )


@router.post(
    "/companies/{companyId}/push/{dataType}",
    status_code=201,
    responses={
        200: {"description": "The push this idempotency key queued before", "model": PushOut},
        404: {"description": "No such company, or a data type that cannot be pushed"},
        409: {"description": "The idempotency key was used for another record (conflict)"},
        422: {"description": "The record is not valid (invalid_record): details.errors names "
              "every field at fault"},
    },
)  # fmt: skip
def create_push(
    companyId: str,
    dataType: str,
    body: PushIn,
    database: DatabaseDep,
    _key: ApiKeyDep,
    response: Response,
) -> PushOut:
    """Queue a write for the next Web Connector session (sent before that session's reads)."""
    company = company_store.get_company(database, companyId)
    if dataType not in PUSH_TYPES:
        known = ", ".join(sorted(PUSH_TYPES))
        raise ApiError(404, "not_found", f"{dataType!r} cannot be pushed (pushable: {known})")
    try:
        push, new = queue_push(
            database, company.id, dataType, body.record, operation=body.operation,
            idempotency_key=body.idempotencyKey, now=datetime.now(UTC),
        )  # fmt: skip
    except PushRefused as exc:
        errors = [{"field": e.field, "message": e.message} for e in exc.errors]
        raise ApiError(422, "invalid_record", str(exc), {"errors": errors}) from exc
    if not new:
        response.status_code = 200
    with database.begin(write=False) as conn:
        return push_out(conn, push)


@router.get("/companies/{companyId}/push")
def list_pushes(
    companyId: str,
    database: DatabaseDep,
    _key: ApiKeyDep,
    status: Status | None = None,
    pageSize: Annotated[int, Query(ge=1, le=500)] = 100,
    cursor: Cursor = None,
) -> PushPage:
    """The company's pushes in the order received (oldest first), optionally of one status."""
    key = decode_key_cursor(cursor) if cursor else None
    with reading_company(database, companyId) as (conn, company):
        rows = outbox.list_pushes(
            conn, company.id, status=status, limit=pageSize + 1,
            after=(key.created_at, key.id) if key else None,
        )  # fmt: skip
        page, next_cursor = cut_page(
            rows, pageSize, lambda p: encode_key_cursor(CompanyKey(p.created_at, p.id))
        )
        return PushPage(data=[push_out(conn, p) for p in page], nextCursor=next_cursor)


@router.get(
    "/companies/{companyId}/push/{pushId}",
    responses={404: {"description": "No such company, or no such push of it"}},
)
def get_push(companyId: str, pushId: str, database: DatabaseDep, _key: ApiKeyDep) -> PushOut:
    """One push: its status and outcome."""
    with reading_company(database, companyId) as (conn, company):
        return push_out(conn, outbox.get_push(conn, company.id, pushId))
