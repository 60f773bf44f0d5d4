"""Financial reports and report requests (issue 17, ``tables_reports``).

Owns: queueing a report request (a standard one is not queued twice while one like it is
still open), handing a session its requests (every open request of the company is taken
by the session that begins: a request sent in a broken session is asked again), marking
one sent, answered or failed, and keeping reports: one row per company, type, basis and
period key, the newest answer replacing the older. Must not: decide which reports a sync
asks for or what a report means (``connector.sync.reports``).
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy import ColumnElement, Connection, Row, and_, select, update

from connector.store.db import Database, transaction
from connector.store.rows import from_row
from connector.store.tables_reports import report_requests, report_row_chunks, reports

OPEN = ("queued", "planned", "sent")


@dataclass(frozen=True)
class ReportRequest:
    id: str
    company_id: str
    report_type: str
    basis: str
    from_date: date | None
    to_date: date | None
    as_of: date | None
    by_month: bool
    origin: str
    status: str
    ticket: str | None
    request_id: str | None
    error: str | None
    created_at: datetime
    answered_at: datetime | None


@dataclass(frozen=True)
class StoredReport:
    company_id: str
    report_type: str
    basis: str
    period_key: str
    from_date: date | None
    to_date: date | None
    as_of: date | None
    body: dict[str, Any]
    taken_at: datetime


def _request(row: Row[Any]) -> ReportRequest:
    return from_row(ReportRequest, row._mapping)


def _report(row: Row[Any]) -> StoredReport:
    return from_row(StoredReport, row._mapping)


def queue(
    db: Database | Connection,
    company_id: str,
    *,
    report_type: str,
    basis: str,
    from_date: date | None,
    to_date: date | None,
    as_of: date | None,
    by_month: bool,
    origin: str,
    now: datetime,
) -> ReportRequest:
    """A new request (``queued``); a ``standard`` one like an open one is not added again."""
    asked = {
        "company_id": company_id,
        "report_type": report_type,
        "basis": basis,
        "from_date": from_date,
        "to_date": to_date,
        "as_of": as_of,
        "by_month": by_month,
    }
    with transaction(db) as conn:
        same = and_(
            *(
                report_requests.c[name].is_(None)
                if value is None
                else report_requests.c[name] == value
                for name, value in asked.items()
            ),
            report_requests.c.status.in_(OPEN),
        )
        if origin == "standard":
            found = conn.execute(select(report_requests).where(same).limit(1)).first()
            if found is not None:
                return _request(found)
        request_id = str(uuid.uuid4())
        conn.execute(
            report_requests.insert().values(
                id=request_id, **asked, origin=origin, status="queued", created_at=now
            )
        )
        row = conn.execute(select(report_requests).where(report_requests.c.id == request_id)).one()
        return _request(row)


def get_request(
    db: Database | Connection, company_id: str, request_id: str
) -> ReportRequest | None:
    with transaction(db, write=False) as conn:
        row = conn.execute(
            select(report_requests).where(
                report_requests.c.id == request_id, report_requests.c.company_id == company_id
            )
        ).first()
        return None if row is None else _request(row)


def take_for_session(conn: Connection, company_id: str, ticket: str) -> int:
    """Every open request of the company becomes this session's (``planned``)."""
    found = conn.execute(
        update(report_requests)
        .where(report_requests.c.company_id == company_id, report_requests.c.status.in_(OPEN))
        .values(status="planned", ticket=ticket, request_id=None)
    )
    return int(found.rowcount or 0)


def planned(conn: Connection, ticket: str) -> list[ReportRequest]:
    rows = conn.execute(
        select(report_requests).where(
            report_requests.c.ticket == ticket, report_requests.c.status == "planned"
        )
    )
    return [_request(row) for row in rows]


def next_planned(conn: Connection, ticket: str) -> ReportRequest | None:
    row = conn.execute(
        select(report_requests)
        .where(report_requests.c.ticket == ticket, report_requests.c.status == "planned")
        .order_by(  # deterministic: a replayed session asks in the recorded order
            report_requests.c.created_at,
            report_requests.c.report_type,
            report_requests.c.by_month,
            report_requests.c.id,
        )
        .limit(1)
    ).first()
    return None if row is None else _request(row)


def in_flight(conn: Connection, ticket: str) -> ReportRequest | None:
    row = conn.execute(
        select(report_requests)
        .where(report_requests.c.ticket == ticket, report_requests.c.status == "sent")
        .limit(1)
    ).first()
    return None if row is None else _request(row)


def has_open(conn: Connection, ticket: str) -> bool:
    row = conn.execute(
        select(report_requests.c.id)
        .where(
            report_requests.c.ticket == ticket,
            report_requests.c.status.in_(("planned", "sent")),
        )
        .limit(1)
    ).first()
    return row is not None


def company_has_open(conn: Connection, company_id: str) -> bool:
    """A report request of the company waits for a session (or was left by a broken one)."""
    row = conn.execute(
        select(report_requests.c.id)
        .where(report_requests.c.company_id == company_id, report_requests.c.status.in_(OPEN))
        .limit(1)
    ).first()
    return row is not None


def mark_sent(conn: Connection, request_id: str, qb_request_id: str) -> None:
    conn.execute(
        update(report_requests)
        .where(report_requests.c.id == request_id)
        .values(status="sent", request_id=qb_request_id)
    )


def finish(conn: Connection, request_id: str, *, error: str | None, now: datetime) -> None:
    """``done``, or ``failed`` with ``error`` (kept to 500 characters)."""
    conn.execute(
        update(report_requests)
        .where(report_requests.c.id == request_id)
        .values(
            status="failed" if error else "done",
            error=error[:500] if error else None,
            answered_at=now,
        )
    )


def save_report(
    conn: Connection,
    report: StoredReport,
    *,
    body_json: str | None = None,
    rows: Iterable[str] | None = None,
) -> None:
    """Keep ``report``, replacing the one with the same key. ``body_json``: its body as JSON
    text already, stored in place of ``report.body``; ``rows``: its rows' array as JSON text
    in consecutive pieces (without the brackets), each stored as it comes, the body's own
    ``rows`` left empty (a large report is written as read, issue 12)."""
    conn.execute(
        reports.delete().where(
            reports.c.company_id == report.company_id,
            reports.c.report_type == report.report_type,
            reports.c.basis == report.basis,
            reports.c.period_key == report.period_key,
        )
    )
    values: dict[str, Any] = {
        key: getattr(report, key) for key in StoredReport.__dataclass_fields__
    }
    if body_json is not None:
        values["body"] = _json_text(conn, body_json)
    report_id = str(uuid.uuid4())
    conn.execute(reports.insert().values(id=report_id, **values))
    for seq, text in enumerate(rows or ()):
        conn.execute(report_row_chunks.insert().values(report_id=report_id, seq=seq, text=text))


def _json_text(conn: Connection, text: str) -> ColumnElement[Any]:
    """``text`` (JSON) as the value of a JSON column, not serialized again: a JSON cast on
    PostgreSQL; SQLite keeps JSON as text (its CAST AS JSON would make a number of it)."""
    value = sa.bindparam(None, text, type_=sa.Text())
    return value if conn.dialect.name == "sqlite" else sa.cast(value, sa.JSON())


def has_report(
    conn: Connection, company_id: str, report_type: str, basis: str, period_key: str
) -> bool:
    row = conn.execute(
        select(reports.c.id)
        .where(
            reports.c.company_id == company_id,
            reports.c.report_type == report_type,
            reports.c.basis == basis,
            reports.c.period_key == period_key,
        )
        .limit(1)
    ).first()
    return row is not None


def find_reports(
    db: Database | Connection,
    company_id: str,
    report_type: str | None = None,
    basis: str | None = None,
) -> list[StoredReport]:
    """The company's reports (of one type and basis when given), newest first."""
    query = select(reports).where(reports.c.company_id == company_id)
    if report_type is not None:
        query = query.where(reports.c.report_type == report_type)
    if basis is not None:
        query = query.where(reports.c.basis == basis)
    query = query.order_by(reports.c.taken_at.desc(), reports.c.period_key)
    with transaction(db, write=False) as conn:
        found = list(conn.execute(query))
        pieces = _row_pieces(conn, [row.id for row in found])
    return [_with_rows(_report(row), pieces.get(row.id)) for row in found]


def _row_pieces(conn: Connection, report_ids: list[str]) -> dict[str, list[str]]:
    """The row pieces of these reports, in order (reports stored whole have none)."""
    pieces: dict[str, list[str]] = {}
    if not report_ids:
        return pieces
    query = (
        select(report_row_chunks.c.report_id, report_row_chunks.c.text)
        .where(report_row_chunks.c.report_id.in_(report_ids))
        .order_by(report_row_chunks.c.report_id, report_row_chunks.c.seq)
    )
    for report_id, text in conn.execute(query):
        pieces.setdefault(report_id, []).append(text)
    return pieces


def _with_rows(report: StoredReport, pieces: list[str] | None) -> StoredReport:
    if pieces is None:
        return report
    rows = json.loads("[" + "".join(pieces) + "]")
    return replace(report, body={**report.body, "rows": rows})
