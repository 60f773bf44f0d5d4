"""Request builders for the report queries the connector asks: GeneralSummaryReportQuery
(ProfitAndLossStandard, BalanceSheetStandard, TrialBalance) and AgingReportQuery
(ARAgingSummary, APAgingSummary).

Owns: the ``*Rq`` element for a report type, a period (``ReportPeriod`` From/To dates,
always explicit, so the answer does not depend on QuickBooks' clock), ``ReportBasis``,
``SummarizeColumnsBy`` and, for aging, ``ReportAgingAsOf`` ``ReportEndDate`` (the period's
end is the as-of date). Checked against the schema of the version asked for (encoder).
Must not: decide which reports to ask (``connector.sync.reports``) or do I/O.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from connector.qbxml.encode import OnError, document_text, encode_element
from connector.qbxml.schema import Schema

__all__ = ["AGING_TYPES", "GENERAL_TYPES", "report_request"]

GENERAL_TYPES = frozenset({"ProfitAndLossStandard", "BalanceSheetStandard", "TrialBalance"})
AGING_TYPES = frozenset({"ARAgingSummary", "APAgingSummary"})


def report_request(
    qb_type: str,
    version: str,
    *,
    start: date | None,
    end: date,
    basis: str | None = None,
    by_month: bool = False,
    request_id: str | None = None,
) -> str:
    """The request document for one report (``stopOnError``)."""
    schema = Schema.for_version(version)
    period: dict[str, Any] = {}
    if start is not None:
        period["FromReportDate"] = start
    period["ToReportDate"] = end
    body: dict[str, Any]
    if qb_type in GENERAL_TYPES:
        name = "GeneralSummaryReportQueryRq"
        body = {"GeneralSummaryReportType": qb_type, "ReportPeriod": period}
        body["SummarizeColumnsBy"] = "Month" if by_month else "TotalOnly"
        if basis is not None:
            body["ReportBasis"] = basis
    elif qb_type in AGING_TYPES:
        name = "AgingReportQueryRq"
        body = {"AgingReportType": qb_type, "ReportPeriod": period}
        body["ReportAgingAsOf"] = "ReportEndDate"
    else:
        raise ValueError(f"unknown report type {qb_type!r}")
    attrs = {} if request_id is None else {"requestID": request_id}
    element = encode_element(schema, name, body, attrs=attrs)
    return document_text(version, [element], response=False, on_error=OnError.STOP)
