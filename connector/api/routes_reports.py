"""``/companies/{companyId}/reports``: financial reports taken from QuickBooks (issue 17).

Owns: the JSON shapes. ``GET /reports/{reportType}`` answers the stored report
(``connector.sync.reports``: ``{reportType, basis, from, to | asOf, takenAt, title,
subtitle, columns, rows, summary}``): the newest without dates; with ``from``/``to``
(profit and loss) or ``asOf`` (the others) the report taken for those dates, or that
column of a wider one (a month of the monthly P&L, a month end of the monthly balance
sheet); 404 ``report_not_found`` when no session has brought it yet (ask for it with a
request). ``POST /reports/{reportType}/requests {from, to | asOf, basis}`` queues the report
for the next Web Connector session (202, like a manual sync);
``GET /reports/{reportType}/requests/{requestId}`` shows it ``queued``, ``planned``,
``sent``, then ``done`` or ``failed`` with QuickBooks' answer. Dates are ISO dates.
Must not: write SQL (``connector.store.reports``) or shape reports (``connector.sync``).
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query
from pydantic import BaseModel, ConfigDict, Field

from connector.api.deps import ApiKeyDep, DatabaseDep
from connector.api.errors import ApiError
from connector.store import companies as company_store
from connector.store import reports as store
from connector.sync.reports import REPORT_TYPES, select_report

router = APIRouter(tags=["reports"])

ReportTypeName = Literal[
    "profit-and-loss", "balance-sheet", "trial-balance", "aged-receivables", "aged-payables"
]
Basis = Literal["accrual", "cash"]


class ReportRow(BaseModel):
    kind: Literal["data", "subtotal", "total", "text"]
    label: str
    accountId: str | None = Field(default=None, description="The synced account's ListID")
    values: list[str | None] = Field(description="One amount (decimal string) per column")


class ReportColumn(BaseModel):
    model_config = ConfigDict(populate_by_name=True, serialize_by_alias=True)
    title: str = Field(description="QuickBooks' column title")
    type: str = Field(description="QuickBooks' ColType (Amount, Debit, Credit, Total)")
    from_: date | None = Field(default=None, alias="from")
    to: date | None = None
    asOf: date | None = None


class ReportOut(BaseModel):
    model_config = ConfigDict(populate_by_name=True, serialize_by_alias=True)
    reportType: ReportTypeName
    basis: Basis
    from_: date | None = Field(default=None, alias="from")
    to: date | None = None
    asOf: date | None = None
    takenAt: datetime = Field(description="When the report was taken from QuickBooks")
    title: str
    subtitle: str
    columns: list[ReportColumn]
    rows: list[ReportRow]
    summary: dict[str, Any] = Field(
        description="balance-sheet {totalAssets, totalLiabilities, totalEquity}; "
        "profit-and-loss {totalIncome, totalCostOfGoodsSold, grossProfit, totalExpenses, "
        "netIncome}; trial-balance {totalDebit, totalCredit}; aging {total, buckets}"
    )


class ReportRequestIn(BaseModel):
    model_config = ConfigDict(populate_by_name=True)
    from_: date | None = Field(default=None, alias="from", description="profit-and-loss")
    to: date | None = Field(default=None, description="profit-and-loss")
    asOf: date | None = Field(default=None, description="the other reports")
    basis: Basis = "accrual"


class ReportRequestOut(BaseModel):
    model_config = ConfigDict(populate_by_name=True, serialize_by_alias=True)
    id: str
    reportType: ReportTypeName
    basis: Basis
    from_: date | None = Field(default=None, alias="from")
    to: date | None = None
    asOf: date | None = None
    status: Literal["queued", "planned", "sent", "done", "failed"]
    error: str | None = Field(description="failed: why (QuickBooks' status or error)")
    createdAt: datetime
    answeredAt: datetime | None


def _dates(report_type: str, start: date | None, end: date | None, as_of: date | None) -> None:
    """422 ``invalid_report_dates`` unless the dates fit the report type."""
    period = REPORT_TYPES[report_type].period
    if (period and as_of is not None) or (not period and (start or end)):
        wanted = "from and to" if period else "asOf"
        raise ApiError(422, "invalid_report_dates", f"{report_type} takes {wanted}")
    if (start is None) != (end is None):
        raise ApiError(422, "invalid_report_dates", "from and to go together")
    if start is not None and end is not None and start > end:
        raise ApiError(422, "invalid_report_dates", "from is after to")


def _request_out(row: store.ReportRequest) -> ReportRequestOut:
    return ReportRequestOut.model_validate(
        {
            "id": row.id,
            "reportType": row.report_type,
            "basis": row.basis,
            "from": row.from_date,
            "to": row.to_date,
            "asOf": row.as_of,
            "status": row.status,
            "error": row.error,
            "createdAt": row.created_at,
            "answeredAt": row.answered_at,
        }
    )


@router.get(
    "/companies/{companyId}/reports/{reportType}",
    responses={
        404: {"description": "No such company, or no such report taken yet (report_not_found)"},
        422: {"description": "Dates that do not fit the report type (invalid_report_dates)"},
    },
)
def get_report(
    companyId: str,
    reportType: ReportTypeName,
    database: DatabaseDep,
    _key: ApiKeyDep,
    from_: Annotated[date | None, Query(alias="from")] = None,
    to: date | None = None,
    asOf: date | None = None,
    basis: Basis = "accrual",
) -> ReportOut:
    company = company_store.get_company(database, companyId)
    _dates(reportType, from_, to, asOf)
    bodies = [r.body for r in store.find_reports(database, company.id, reportType, basis)]
    found = select_report(bodies, start=from_, end=to, as_of=asOf)
    if found is None:
        raise ApiError(
            404,
            "report_not_found",
            f"no {basis} {reportType} for those dates has been taken from QuickBooks yet; "
            "POST a request and it is taken in the next Web Connector session",
        )
    return ReportOut.model_validate(found)


@router.post(
    "/companies/{companyId}/reports/{reportType}/requests",
    status_code=202,
    responses={
        422: {"description": "Dates that do not fit the report type (invalid_report_dates)"}
    },
)
def request_report(
    companyId: str,
    reportType: ReportTypeName,
    database: DatabaseDep,
    _key: ApiKeyDep,
    body: ReportRequestIn | None = None,
) -> ReportRequestOut:
    asked = body or ReportRequestIn()
    company = company_store.get_company(database, companyId)
    _dates(reportType, asked.from_, asked.to, asked.asOf)
    now = datetime.now(UTC)
    period = REPORT_TYPES[reportType].period
    if period and asked.from_ is None:
        raise ApiError(422, "invalid_report_dates", f"{reportType} takes from and to")
    row = store.queue(
        database,
        company.id,
        report_type=reportType,
        basis=asked.basis,
        from_date=asked.from_,
        to_date=asked.to,
        as_of=None if period else (asked.asOf or now.date()),
        by_month=False,
        origin="api",
        now=now,
    )
    return _request_out(row)


@router.get(
    "/companies/{companyId}/reports/{reportType}/requests/{requestId}",
    responses={404: {"description": "No such company, or no such request of it"}},
)
def get_report_request(
    companyId: str,
    reportType: ReportTypeName,
    requestId: str,
    database: DatabaseDep,
    _key: ApiKeyDep,
) -> ReportRequestOut:
    company = company_store.get_company(database, companyId)
    row = store.get_request(database, company.id, requestId)
    if row is None or row.report_type != reportType:
        raise ApiError(404, "report_request_not_found", f"no report request {requestId}")
    return _request_out(row)
