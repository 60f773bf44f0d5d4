"""The report requests of a session: the shell around ``connector.sync.reports``.

Owns: at a session's start, queueing the standard reports (``Policy.reports``) and taking
every open report request of the company (those the REST API queued, those a broken
session left); once the data types are done, sending them one by one; storing each
answer as the API serves it (account rows carry the synced account's ID), or recording
QuickBooks' refusal on the request. Everything in the caller's transaction.
Must not: speak SOAP, or plan data types (``plan``).
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from dataclasses import asdict
from datetime import datetime

from sqlalchemy import Connection

from connector.qbwc.server.text_spool import Response, TextSpool, slices, xml_source
from connector.qbwc.server.work import SessionContext
from connector.qbxml.errors import QbxmlError
from connector.qbxml.parse import iter_events
from connector.qbxml.report_requests import report_request
from connector.qbxml.values import Event, Record, ResponseStart
from connector.store import reports as store
from connector.store import sync_runs as runs
from connector.store.records import iter_records
from connector.sync.reports import (
    REPORT_TYPES,
    ROWS_PIECE,
    ReportJson,
    ReportSpec,
    standard_reports,
)

__all__ = ["apply", "fail", "next_request", "pending", "start_session"]


def spec_of(row: store.ReportRequest) -> ReportSpec:
    return ReportSpec(
        row.report_type, row.basis, row.from_date, row.to_date, row.as_of, row.by_month
    )


def start_session(conn: Connection, ctx: SessionContext, *, standard: bool) -> None:
    if standard:
        for spec in standard_reports(ctx.now.date()):
            store.queue(conn, ctx.company_id, **asdict(spec), origin="standard", now=ctx.now)
    store.take_for_session(conn, ctx.company_id, ctx.ticket)


def _books_unchanged(conn: Connection, ctx: SessionContext) -> bool:
    """This session's run found nothing new, changed or deleted (its deleted-transaction
    sweep included), without errors: QuickBooks' books are as the last reports saw them."""
    run = runs.run_for_ticket(conn, ctx.ticket)
    full = runs.get_run(conn, run.id) if run is not None else None
    if full is None or not full.types or "deleted_txns" not in full.data_types:
        return False
    return all(
        t.status == "done" and not (t.created or t.updated or t.deleted or t.errors)
        for t in full.types
    )


def _skip_standing(conn: Connection, ctx: SessionContext) -> None:
    """Standard reports already taken for the same dates are not asked again when the
    books have not changed since (incremental: a second sync on the same day asks none)."""
    planned = store.planned(conn, ctx.ticket)
    if not any(row.origin == "standard" for row in planned) or not _books_unchanged(conn, ctx):
        return
    for row in planned:
        spec = spec_of(row)
        key = (spec.report_type, spec.basis, spec.period_key)
        if row.origin == "standard" and store.has_report(conn, ctx.company_id, *key):
            store.finish(conn, row.id, error=None, now=ctx.now)


def next_request(conn: Connection, ctx: SessionContext) -> str | None:
    """The next report request of this session, recorded as sent; None when none is left."""
    _skip_standing(conn, ctx)
    while (row := store.next_planned(conn, ctx.ticket)) is not None:
        spec = spec_of(row)
        kind = REPORT_TYPES[spec.report_type]
        try:
            text = report_request(
                kind.qb_type,
                ctx.qbxml_version,
                start=spec.start,
                end=spec.end,
                basis=spec.basis.capitalize() if kind.basis else None,
                by_month=spec.by_month,
                request_id=row.id,
            )
        except (QbxmlError, ValueError) as exc:
            store.finish(conn, row.id, error=f"cannot ask QuickBooks: {exc}", now=ctx.now)
            continue
        store.mark_sent(conn, row.id, row.id)
        return text
    return None


def pending(conn: Connection, ctx: SessionContext) -> bool:
    """Whether this session has report requests left to send or to hear back from (the
    standard ones the unchanged books make needless settled first)."""
    if not store.has_open(conn, ctx.ticket):
        return False
    _skip_standing(conn, ctx)
    return store.has_open(conn, ctx.ticket)


def apply(conn: Connection, ctx: SessionContext, response: Response) -> bool:
    """Store the answer to this session's report request in flight; False when none is. Its
    rows are written as the parser reads them (``ReportJson``), never held as objects, each
    full piece waiting in a spool, and stored a piece at a time, never joined (issue 12)."""
    row = store.in_flight(conn, ctx.ticket)
    if row is None:
        return False
    spec = spec_of(row)
    accounts = {
        str(r.data.get("FullName", "")): r.qb_id
        for r in iter_records(conn, ctx.company_id, "accounts")
    }
    with TextSpool(in_memory=ROWS_PIECE) as written:  # full pieces wait on disk
        body = ReportJson(spec, accounts, sink=written.write)
        try:
            events = list(
                iter_events(
                    xml_source(response), version=ctx.qbxml_version or None, report_rows=body.add
                )
            )
        except QbxmlError as exc:
            store.finish(conn, row.id, error=f"unreadable report: {exc}", now=ctx.now)
            return True
        _store_answer(conn, ctx, row.id, spec, body, events, written)
    return True


def _store_answer(
    conn: Connection,
    ctx: SessionContext,
    request_id: str,
    spec: ReportSpec,
    body: ReportJson,
    events: list[Event],
    written: TextSpool,
) -> None:
    status = next((e.status for e in events if isinstance(e, ResponseStart)), None)
    ret = next((e.data for e in events if isinstance(e, Record) and e.ret == "ReportRet"), None)
    if status is None or status.code != 0 or ret is None:
        said = f"{status.code}: {status.message}" if status is not None else "no answer"
        store.finish(conn, request_id, error=f"QuickBooks answered {said}", now=ctx.now)
        return
    head, rest = body.parts(ret, ctx.now)
    rows = itertools.chain(slices(written, ROWS_PIECE), rest)
    _save(conn, ctx.company_id, spec, head, rows, ctx.now)
    store.finish(conn, request_id, error=None, now=ctx.now)


def _save(
    conn: Connection,
    company_id: str,
    spec: ReportSpec,
    body: str,
    rows: Iterator[str],
    now: datetime,
) -> None:
    fields = asdict(spec)
    del fields["by_month"]  # the period key says it
    report = store.StoredReport(
        company_id=company_id, period_key=spec.period_key, body={}, taken_at=now, **fields
    )
    store.save_report(conn, report, body_json=body, rows=rows)


def fail(conn: Connection, ctx: SessionContext, message: str) -> bool:
    """QuickBooks could not run this session's report request in flight."""
    row = store.in_flight(conn, ctx.ticket)
    if row is None:
        return False
    store.finish(conn, row.id, error=message, now=ctx.now)
    return True
