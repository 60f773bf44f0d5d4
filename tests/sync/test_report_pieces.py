"""A report's rows stored in pieces (``report_row_chunks``, issue 12): read back, the body is
the whole body ``ReportJson`` writes, in its key order; a report stored whole before reads as
it did; a newer answer replaces the pieces too; applying a large report never holds its
rows' text whole."""

from __future__ import annotations

import json
import tracemalloc
from datetime import UTC, date, datetime

from sqlalchemy import func, select

from connector.qbwc.server.text_spool import TextSpool
from connector.qbwc.server.work import SessionContext
from connector.qbxml.parse import iter_events
from connector.qbxml.values import Record
from connector.store import reports as store
from connector.store.companies import create_company
from connector.store.db import Database
from connector.store.tables_reports import report_row_chunks
from connector.sync import report_work
from connector.sync.reports import ROWS_PIECE, ReportJson, ReportSpec
from tests.qbxml.test_report_parse import _big_report

SPEC = ReportSpec("aged-receivables", "accrual", as_of=date(2024, 1, 2))
NOW = datetime(2024, 1, 2, 18, 0, tzinfo=UTC)


def _ask(db: Database, company_id: str, ticket: str) -> SessionContext:
    ctx = SessionContext("c", company_id, ticket, "16.0", "US", NOW)
    with db.begin() as conn:
        store.queue(conn, company_id, report_type=SPEC.report_type, basis=SPEC.basis,
                    from_date=None, to_date=None, as_of=SPEC.as_of, by_month=False,
                    origin="api", now=NOW)  # fmt: skip
        store.take_for_session(conn, company_id, ticket)
        assert report_work.next_request(conn, ctx) is not None
    return ctx


def _whole(text: str) -> dict[str, object]:
    """The body ``ReportJson`` writes for ``text`` as one text."""
    sink = ReportJson(SPEC, {})
    (record,) = [e for e in iter_events(text, report_rows=sink.add) if isinstance(e, Record)]
    body: dict[str, object] = json.loads(sink.text(record.data, NOW))
    return body


def _pieces(db: Database) -> int:
    with db.begin() as conn:
        return int(conn.execute(select(func.count()).select_from(report_row_chunks)).scalar_one())


def test_a_report_stored_in_pieces_reads_as_the_whole_body(db: Database) -> None:
    company_id = create_company(db, "Pieces").id
    text = _big_report(8_000)
    ctx = _ask(db, company_id, "t1")
    with db.begin() as conn:
        assert report_work.apply(conn, ctx, text)
    pieces = _pieces(db)
    assert pieces > 1  # about 650 KB of rows' JSON
    (stored,) = store.find_reports(db, company_id)
    expected = _whole(text)
    assert list(stored.body) == list(expected)  # the API's key order, rows before summary
    assert stored.body == expected
    assert len(expected["rows"]) == text.count("Row rowNumber=") > 8_000  # type: ignore[arg-type]

    with TextSpool(in_memory=0) as spool:  # the same report again, read from a spool
        spool.write(text)
        ctx = _ask(db, company_id, "t2")
        with db.begin() as conn:
            assert report_work.apply(conn, ctx, spool)
    assert _pieces(db) == pieces  # the newer answer replaced the older, pieces and all
    (again,) = store.find_reports(db, company_id)
    assert again.body == expected


def test_a_report_stored_whole_reads_as_before(db: Database) -> None:
    company_id = create_company(db, "Whole").id
    text = _big_report(50)
    body = _whole(text)
    report = store.StoredReport(company_id, SPEC.report_type, SPEC.basis, SPEC.period_key, None,
                                None, SPEC.as_of, body, NOW)  # fmt: skip
    with db.begin() as conn:
        store.save_report(conn, report)
    assert _pieces(db) == 0
    assert store.find_reports(db, company_id)[0].body == body


def test_rows_are_cut_into_pieces_between_rows() -> None:
    sink = ReportJson(SPEC, {})
    text = _big_report(5_000)
    (record,) = [e for e in iter_events(text, report_rows=sink.add) if isinstance(e, Record)]
    body, rows = sink.parts(record.data, NOW)
    pieces = list(rows)
    assert json.loads(body)["rows"] == []
    assert len(pieces) > 1 and all(len(p) < ROWS_PIECE + 200 for p in pieces)
    assert all(json.loads(f"[{piece.removeprefix(',')}]") for piece in pieces)  # whole rows
    assert json.loads("[" + "".join(pieces) + "]") == _whole(text)["rows"]


def test_a_large_report_is_applied_without_holding_its_rows(db: Database) -> None:
    """A 9 MB report, its rows 3.3 MB of JSON: the body's text joined, and the copy a store
    makes of one value, held them twice (7.2 MB); in pieces, each on disk once full, a piece
    or two at a time (1.5 MB)."""
    company_id = create_company(db, "Large").id
    ctx = _ask(db, company_id, "t")
    with TextSpool(in_memory=0) as spool:
        spool.write(_big_report(45_000))
        tracemalloc.start()
        try:
            with db.begin() as conn:
                assert report_work.apply(conn, ctx, spool)
            peak = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
    with db.begin() as conn:
        stored = conn.execute(select(func.sum(func.length(report_row_chunks.c.text)))).scalar()
    assert stored > 3_000_000
    assert peak < stored / 2, f"{peak / 1e6:.1f} MB for {stored / 1e6:.1f} MB of rows"
