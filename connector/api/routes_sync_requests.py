"""``POST /companies/{companyId}/syncs``: queue a manual sync (issue 19).

Owns: the request shape (``dataTypes``: run these first; absent or empty: every type). The
answer is the run as ``GET /syncs/{syncId}`` shows it: ``queued`` until the next Web
Connector session takes it (even inside the schedule's minimum interval), then
``running``, then its outcome with per-type counts. A second request while one is queued
widens that one. Must not: plan sessions (the sync engine takes queued runs).
"""

from __future__ import annotations

from datetime import UTC, datetime

from fastapi import APIRouter
from pydantic import BaseModel, Field

from connector.api.deps import ApiKeyDep, DatabaseDep
from connector.api.routes_settings import api_error
from connector.api.routes_sync import SyncRunOut
from connector.portal import operations
from connector.portal.errors import PortalError
from connector.store import companies as company_store
from connector.sync.history import run_json

router = APIRouter(tags=["syncs"])


class SyncRequestIn(BaseModel):
    dataTypes: list[str] | None = Field(
        default=None, examples=[["customers", "invoices"]], description="Run these first"
    )


@router.post(
    "/companies/{companyId}/syncs",
    status_code=202,
    responses={422: {"description": "An unknown data type (unknown_data_type)"}},
)
def request_sync(
    companyId: str, database: DatabaseDep, _key: ApiKeyDep, body: SyncRequestIn | None = None
) -> SyncRunOut:
    company = company_store.get_company(database, companyId)
    wanted = body.dataTypes if body is not None else None
    try:
        queued = operations.queue_sync(database, company.id, wanted, datetime.now(UTC))
    except PortalError as exc:
        raise api_error(exc) from exc
    return SyncRunOut.model_validate(run_json(queued.run))
