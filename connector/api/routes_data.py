"""REST reads of synced records: ``/companies/{companyId}/data/{dataType}[/{recordId}]``.

Owns: the data types the API serves (the registry's keys, less the two deletion queries,
which only mark other records deleted), the ``modifiedSince`` and ``includeDeleted`` filters
and the page's JSON text (its cursor is ``connector.api.cursors``' record cursor). Records are written out as the store
keeps them (``records.normalised``, see ``connector.sync.normalise``): JSON text joined
into the page without decoding and encoding again; ``deletedAt`` is spliced into the object
text of a deleted record.
Must not: write SQL (``connector.store.record_reads``) or change records.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query, Response
from pydantic import BaseModel, ConfigDict, Field

from connector.api.cursors import Cursor, cut_page, decode_record_cursor, encode_record_cursor
from connector.api.deps import ApiKeyDep, DatabaseDep, reading_company
from connector.api.errors import ApiError, BadRequest
from connector.qbxml.datatypes import DATA_TYPES, Kind
from connector.store import record_reads
from connector.store.record_reads import NormalisedRow
from connector.store.records import Window

router = APIRouter(tags=["data"])

SERVED_TYPES: tuple[str, ...] = tuple(d.key for d in DATA_TYPES if d.kind is not Kind.DELETED)
"""``deleted_lists``/``deleted_txns`` hold no records: they mark other types' records deleted."""
_SERVED = frozenset(SERVED_TYPES)

PageSize = Annotated[int, Query(alias="pageSize", ge=1, le=1000)]
ModifiedSince = Annotated[
    str | None,
    Query(
        alias="modifiedSince",
        description="ISO 8601 date or date-time (UTC when it has no offset): only records "
        "the connector stored, changed or marked deleted at or after it.",
        examples=["2026-01-10T17:00:00Z"],
    ),
]
IncludeDeleted = Annotated[
    bool,
    Query(
        alias="includeDeleted",
        description="Also records deleted in QuickBooks, each with `deletedAt`.",
    ),
]


class RecordOut(BaseModel):
    """A record in its normalised JSON form: these fields, then every QuickBooks field in
    lowerCamelCase (amounts as decimal strings, dates in ISO 8601 with QuickBooks' offset)."""

    model_config = ConfigDict(extra="allow")

    id: str = Field(description="QuickBooks' ListID or TxnID")
    dataType: str = Field(examples=["customers"])
    type: str = Field(description="The qbXML record kind", examples=["Customer"])
    modifiedAt: datetime | None = Field(description="QuickBooks' TimeModified")
    deletedAt: datetime | None = Field(
        default=None, description="When the connector saw the deletion (includeDeleted=true)"
    )


class RecordPage(BaseModel):
    data: list[RecordOut]
    nextCursor: str | None


def _data_type(key: str) -> str:
    if key not in _SERVED:
        raise ApiError(
            404, "not_found", f"unknown data type {key!r}", {"dataTypes": list(SERVED_TYPES)}
        )
    return key


def _modified_since(text: str | None) -> datetime | None:
    if text is None:
        return None
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        raise BadRequest(
            "modifiedSince is not an ISO 8601 date or date-time", {"modifiedSince": text}
        ) from None
    value = value.replace(tzinfo=UTC) if value.tzinfo is None else value
    try:  # 9999-12-31T23:59:59-14:00 is past datetime.max in UTC (issue 18 item 6)
        return value.astimezone(UTC)
    except OverflowError:
        raise BadRequest(
            "modifiedSince is outside the years 1-9999 in UTC", {"modifiedSince": text}
        ) from None


def _stamp(value: datetime) -> str:
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z")


def record_json(row: NormalisedRow, *, with_deleted_at: bool = False) -> str:
    """The record's stored JSON object text, with ``deletedAt`` added when asked for."""
    if not with_deleted_at:
        return row.normalised
    stamp = json.dumps(_stamp(row.deleted_at)) if row.deleted_at is not None else "null"
    body = row.normalised.rstrip()
    assert body.endswith("}"), "normalised records are JSON objects"
    inner = body[:-1].rstrip()
    return f'{inner}{"" if inner.endswith("{") else ","}"deletedAt":{stamp}}}'


def _json_response(text: str) -> Response:
    return Response(text, media_type="application/json")


@router.get(
    "/companies/{companyId}/data/{dataType}",
    response_model=RecordPage,
    responses={404: {"description": "No such company, or an unknown data type"}},
)
def list_records(
    companyId: str,
    dataType: str,
    database: DatabaseDep,
    _key: ApiKeyDep,
    modifiedSince: ModifiedSince = None,
    includeDeleted: IncludeDeleted = False,
    pageSize: PageSize = 100,
    cursor: Cursor = None,
) -> Response:
    """Synced records of one type in the order the connector first stored them."""
    data_type = _data_type(dataType)
    since = _modified_since(modifiedSince)
    after = decode_record_cursor(data_type, cursor) if cursor else 0
    with reading_company(database, companyId) as (conn, company):
        window = Window(after, pageSize + 1, since, includeDeleted)
        rows = record_reads.page_normalised(conn, company.id, data_type, window)
    page, after_page = cut_page(rows, pageSize, lambda r: encode_record_cursor(data_type, r.id))
    next_cursor = json.dumps(after_page)
    items = ",".join(record_json(row, with_deleted_at=includeDeleted) for row in page)
    return _json_response(f'{{"data":[{items}],"nextCursor":{next_cursor}}}')


@router.get(
    "/companies/{companyId}/data/{dataType}/{recordId}",
    response_model=RecordOut,
    responses={404: {"description": "No such company, data type or record"}},
)
def get_record(
    companyId: str,
    dataType: str,
    recordId: str,
    database: DatabaseDep,
    _key: ApiKeyDep,
    includeDeleted: IncludeDeleted = False,
) -> Response:
    """One record by its QuickBooks id (ListID or TxnID; ``host``, ``company`` and
    ``preferences`` are stored under their own name)."""
    data_type = _data_type(dataType)
    with reading_company(database, companyId) as (conn, company):
        row = record_reads.get_normalised(conn, company.id, data_type, recordId)
    if row is None:
        raise ApiError(404, "not_found", f"no {data_type} record {recordId!r}")
    if row.deleted_at is not None and not includeDeleted:
        details: dict[str, Any] = {"deletedAt": _stamp(row.deleted_at)}
        raise ApiError(
            404, "not_found", f"{data_type} record {recordId!r} was deleted in QuickBooks", details
        )
    return _json_response(record_json(row, with_deleted_at=includeDeleted))
