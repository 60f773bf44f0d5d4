"""REST reads of sync history: ``/companies/{companyId}/syncs`` and ``/syncs/{syncId}``.

Owns: the JSON models of a run (the shape ``connector.sync.history.run_json`` gives the CLI
too: status, per data type counts, errors with their QuickBooks status code or hresult) and
the newest-first run list with its keyset cursor. Read-only: queuing a manual sync
(``POST /syncs``) belongs elsewhere.
Must not: write SQL (``connector.store``) or change runs.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel, ConfigDict, Field

from connector.api.cursors import Cursor, cut_page, decode_key_cursor, encode_key_cursor
from connector.api.deps import ApiKeyDep, DatabaseDep, reading_company
from connector.api.errors import ApiError
from connector.store import record_reads
from connector.store import sync_runs as run_store
from connector.store.companies import CompanyKey
from connector.store.sync_runs import SyncRun
from connector.sync.history import run_json

router = APIRouter(tags=["syncs"])
PageSize = Annotated[int, Query(alias="pageSize", ge=1, le=500)]


class Totals(BaseModel):
    fetched: int
    created: int
    updated: int
    unchanged: int
    deleted: int
    errors: int


class TypeCountsOut(Totals):
    dataType: str
    status: str = Field(examples=["pending", "running", "done", "error"])


class RunErrorOut(BaseModel):
    model_config = ConfigDict(populate_by_name=True)

    dataType: str | None
    statusCode: int | None = Field(description="The QuickBooks status code, when one caused it")
    hresult: str | None = Field(description="The COM hresult the Web Connector reported")
    status_class: str = Field(alias="class", description="The error's class in the status table")
    message: str
    at: datetime


class SyncRunSummary(BaseModel):
    id: str
    companyId: str
    connectionId: str | None
    status: str = Field(examples=["running", "succeeded", "failed", "interrupted"])
    kind: str = Field(examples=["full", "incremental"])
    dataTypes: list[str]
    createdAt: datetime
    startedAt: datetime | None
    endedAt: datetime | None
    summary: str | None
    totals: Totals


class SyncRunOut(SyncRunSummary):
    types: list[TypeCountsOut]
    errors: list[RunErrorOut]


class SyncRunPage(BaseModel):
    data: list[SyncRunSummary]
    nextCursor: str | None


def _summary(run: SyncRun, totals: dict[str, int]) -> SyncRunSummary:
    fields = run_json(run)
    fields["totals"] = totals
    return SyncRunSummary.model_validate(fields)


@router.get("/companies/{companyId}/syncs")
def list_syncs(
    companyId: str,
    database: DatabaseDep,
    _key: ApiKeyDep,
    pageSize: PageSize = 50,
    cursor: Cursor = None,
) -> SyncRunPage:
    """The company's sync runs, newest first, each with its counts summed over data types."""
    key = decode_key_cursor(cursor) if cursor else None
    with reading_company(database, companyId) as (conn, company):
        rows = record_reads.page_runs(
            conn,
            company.id,
            before=(key.created_at, key.id) if key else None,
            limit=pageSize + 1,
        )
    page, next_cursor = cut_page(
        rows, pageSize, lambda r: encode_key_cursor(CompanyKey(r.run.created_at, r.run.id))
    )
    return SyncRunPage(data=[_summary(row.run, row.totals) for row in page], nextCursor=next_cursor)


@router.get(
    "/companies/{companyId}/syncs/{syncId}",
    responses={404: {"description": "No such company, or no such run of it"}},
)
def get_sync(companyId: str, syncId: str, database: DatabaseDep, _key: ApiKeyDep) -> SyncRunOut:
    """One run: status, counts per data type, and every error or note it recorded."""
    with reading_company(database, companyId) as (conn, company):
        run = run_store.get_run(conn, syncId)
    if run is None or run.company_id != company.id:
        raise ApiError(404, "not_found", f"no sync {syncId!r} of this company")
    return SyncRunOut.model_validate(run_json(run))
