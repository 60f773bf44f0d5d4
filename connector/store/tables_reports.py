"""Report tables (issue 17): the financial reports taken from QuickBooks, and the report
requests waiting for a session.

``reports``: one row per company, report type, basis and period (``period_key``: the
request's dates, e.g. ``2024-01-01..2024-06-28`` or ``asOf 2024-06-28``), the report as
served (JSON: columns, rows, summary) and when it was taken; a newer answer for the same
key replaces the row. ``report_row_chunks`` (0016): a report's rows as JSON text in
consecutive pieces (``seq`` 0, 1...: ``"[" + "".join(texts) + "]"`` is the rows' array), so
a report of any size is written a piece at a time (issue 12); a report stored before keeps
its rows in its ``body``, and has no pieces. ``report_requests``: reports to ask QuickBooks for (``origin``
``standard``: planned by a sync; ``api``: asked through the REST API), ``queued`` until a
session takes them (``planned``, with its ticket), ``sent`` while QuickBooks works, then
``done`` or ``failed``; a session that breaks leaves them for the next one.
Must not: hold queries (``connector.store.reports``).
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from connector.store.base import metadata
from connector.store.tables_core import UTCDateTime, cascade, keyed_table


def _asked(*after_basis: sa.Column[Any]) -> list[sa.Column[Any]]:
    """The columns a report and a report request share, in table order after the id: the
    company, the report (type and basis, then ``after_basis``) and its dates (from and to, or
    one as-of date)."""
    return [
        sa.Column("company_id", sa.String(36), cascade("companies.id"), nullable=False),
        sa.Column("report_type", sa.String(40), nullable=False),
        sa.Column("basis", sa.String(16), nullable=False),
        *after_basis,
        sa.Column("from_date", sa.Date(), nullable=True),
        sa.Column("to_date", sa.Date(), nullable=True),
        sa.Column("as_of", sa.Date(), nullable=True),
    ]


reports = keyed_table(
    "reports",
    *_asked(sa.Column("period_key", sa.String(60), nullable=False)),
    sa.Column("body", sa.JSON(), nullable=False),
    sa.Column("taken_at", UTCDateTime(), nullable=False),
    sa.UniqueConstraint("company_id", "report_type", "basis", "period_key", name="uq_reports_key"),
    sa.Index("ix_reports_latest", "company_id", "report_type", "taken_at"),
)

report_row_chunks = sa.Table(
    "report_row_chunks",
    metadata,
    sa.Column("report_id", sa.String(36), cascade("reports.id"), primary_key=True),
    sa.Column("seq", sa.Integer(), primary_key=True),
    sa.Column("text", sa.Text(), nullable=False),
)

report_requests = keyed_table(
    "report_requests",
    *_asked(),
    sa.Column("by_month", sa.Boolean(), nullable=False),
    sa.Column("origin", sa.String(16), nullable=False),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("ticket", sa.String(64), nullable=True),
    sa.Column("request_id", sa.String(50), nullable=True),
    sa.Column("error", sa.String(500), nullable=True),
    sa.Column("created_at", UTCDateTime(), nullable=False),
    sa.Column("answered_at", UTCDateTime(), nullable=True),
    sa.Index("ix_report_requests_open", "company_id", "status", "created_at"),
)
