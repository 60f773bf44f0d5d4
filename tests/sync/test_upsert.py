"""Applying hand-written qbXML responses: records stored, mismatched requestIDs ignored,
deletions marked, statuses classified, progress and history computed."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from connector.qbwc.server.work import SessionContext
from connector.qbxml.datatypes import BY_KEY
from connector.qbxml.parse import iter_events
from connector.qbxml.status import StatusClass
from connector.store import records as store
from connector.store import sync_runs as runs
from connector.store.companies import create_company
from connector.store.db import Database
from connector.store.sync_runs import CursorRow
from connector.sync.engine import SyncEngine
from connector.sync.history import run_json, summary_text
from connector.sync.plan import Policy
from connector.sync.progress import percent
from connector.sync.upsert import apply_page

NOW = datetime(2026, 3, 1, tzinfo=UTC)


def _doc(body: str) -> str:
    return f'<?xml version="1.0" ?><?qbxml version="13.0"?><QBXML><QBXMLMsgsRs>{body}</QBXMLMsgsRs></QBXML>'


def _customer(list_id: str, edit: str, balance: str = "12.50") -> str:
    return (
        f"<CustomerRet><ListID>{list_id}</ListID><TimeCreated>2026-02-01T09:00:00-08:00</TimeCreated>"
        f"<TimeModified>2026-02-0{edit}T09:00:00-08:00</TimeModified><EditSequence>{edit}</EditSequence>"
        f"<Name>C{list_id}</Name><FullName>C{list_id}</FullName><IsActive>true</IsActive><Sublevel>0</Sublevel>"
        f"<Balance>{balance}</Balance></CustomerRet>"
    )


PAGE = _doc(
    '<CustomerQueryRs requestID="7.customers" statusCode="0" statusSeverity="Info" statusMessage="Status OK" '
    'iteratorRemainingCount="3" iteratorID="{abc}">'
    + _customer("1", "1")
    + _customer("2", "2")
    + "</CustomerQueryRs>"
)


def test_a_page_is_stored_and_summarised(db: Database) -> None:
    company = create_company(db, "Acme").id
    with db.begin() as conn:
        applied = apply_page(
            conn, company, BY_KEY["customers"], "7.customers", iter_events(PAGE), NOW
        )
        row = store.get_record(conn, company, "customers", "2")
    page = applied.page
    assert page is not None and page.status_class is StatusClass.OK
    assert (page.count, page.remaining, page.iterator_id) == (2, 3, "{abc}")
    assert page.max_time is not None and page.max_time.isoformat() == "2026-02-02T09:00:00-08:00"
    assert page.min_offset == page.max_offset == -480
    assert applied.counts.created == 2
    assert row is not None and row.data["Balance"] == Decimal("12.50")
    assert row.normalised["balance"] == "12.50" and row.normalised["listId"] == "2"


def test_a_response_to_another_request_is_ignored(db: Database) -> None:
    company = create_company(db, "Acme").id
    with db.begin() as conn:
        applied = apply_page(
            conn, company, BY_KEY["customers"], "8.customers", iter_events(PAGE), NOW
        )
        assert applied.page is None
        assert store.count_records(conn, company) == {}


def test_no_match_and_errors_are_classified(db: Database) -> None:
    company = create_company(db, "Acme").id
    empty = _doc(
        '<AccountQueryRs requestID="1.accounts" statusCode="1" statusSeverity="Info" statusMessage="A query request did not find a matching object in QuickBooks" />'
    )
    locked = _doc(
        '<AccountQueryRs requestID="1.accounts" statusCode="3180" statusSeverity="Error" statusMessage="There was an error when saving" />'
    )
    with db.begin() as conn:
        none = apply_page(
            conn, company, BY_KEY["accounts"], "1.accounts", iter_events(empty), NOW
        ).page
        busy = apply_page(
            conn, company, BY_KEY["accounts"], "1.accounts", iter_events(locked), NOW
        ).page
    assert none is not None and none.status_class is StatusClass.NO_MATCH and none.count == 0
    assert (
        busy is not None
        and busy.status_class is StatusClass.RETRY_LATER
        and busy.status_code == 3180
    )


def test_deleted_sweep_marks_records_of_every_mapped_type(db: Database) -> None:
    company = create_company(db, "Acme").id
    with db.begin() as conn:
        apply_page(conn, company, BY_KEY["customers"], "7.customers", iter_events(PAGE), NOW)
    sweep = _doc(
        '<ListDeletedQueryRs requestID="3.deleted_lists" statusCode="0" statusSeverity="Info" statusMessage="Status OK">'
        "<ListDeletedRet><ListDelType>Customer</ListDelType><ListID>1</ListID>"
        "<TimeCreated>2026-01-01T00:00:00-08:00</TimeCreated><TimeDeleted>2026-02-10T00:00:00-08:00</TimeDeleted>"
        "<FullName>C1</FullName></ListDeletedRet>"
        "<ListDeletedRet><ListDelType>Vendor</ListDelType><ListID>99</ListID>"
        "<TimeCreated>2026-01-01T00:00:00-08:00</TimeCreated><TimeDeleted>2026-02-10T00:00:00-08:00</TimeDeleted>"
        "<FullName>V</FullName></ListDeletedRet></ListDeletedQueryRs>"
    )
    with db.begin() as conn:
        applied = apply_page(
            conn, company, BY_KEY["deleted_lists"], "3.deleted_lists", iter_events(sweep), NOW
        )
        assert applied.deleted == 1  # the vendor was never synced
        assert store.count_records(conn, company) == {"customers": 1}


def test_unreadable_response_is_an_error_of_that_type_only(db: Database) -> None:
    company = create_company(db, "Acme").id
    engine = SyncEngine(db, Policy())
    ctx = SessionContext("conn", company, "T", "13.0", "US", NOW)
    engine.begin(ctx, "")
    request = engine.next_request(ctx)
    assert request is not None and "AccountQueryRq" in request
    progress = engine.apply_response(ctx, "<not-qbxml")
    assert 0 <= progress.percent < 100
    following = engine.next_request(ctx)
    assert following is not None and "CustomerQueryRq" in following
    with db.begin() as conn:
        run = runs.run_for_ticket(conn, "T")
        assert run is not None
        full = runs.get_run(conn, run.id)
    assert full is not None
    accounts = next(t for t in full.types if t.data_type == "accounts")
    assert accounts.status == "error" and accounts.errors == 1
    assert "unreadable response" in full.errors[0].message
    assert run_json(full)["errors"][0]["dataType"] == "accounts"
    assert "accounts" in summary_text(full, "partial")


def _c(key: str, **kw: object) -> CursorRow:
    return CursorRow(company_id="c", data_type=key, **kw)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("cursors", "expected"),
    [
        pytest.param({}, 0, id="nothing-started"),
        pytest.param({"a": _c("a", state="done"), "b": _c("b", state="pending")}, 50, id="half"),
        pytest.param(
            {"a": _c("a", state="done"), "b": _c("b", state="active", fetched=30, remaining=10)},
            87,
            id="paging",
        ),
        pytest.param(
            {"a": _c("a", state="done"), "b": _c("b", state="error")}, 100, id="all-finished"
        ),
        pytest.param(
            {"a": _c("a", state="done"), "b": _c("b", state="active", fetched=10, remaining=0)},
            99,
            id="never-100-while-work-remains",
        ),
    ],
)
def test_percent_reflects_real_progress(cursors: dict[str, CursorRow], expected: int) -> None:
    assert percent(["a", "b"], cursors) == expected


@pytest.mark.parametrize(
    "customer",
    [
        pytest.param(_customer("L" * 10_000, "1"), id="10000-character-ListID"),
        pytest.param(
            _customer("1", "1").replace("<Name>C1", "<Name>" + "n" * 5000), id="long-Name"
        ),
        pytest.param(_customer("1&#9;2", "1"), id="control-character-in-ListID"),
        pytest.param(
            _customer("1", "1").replace("<EditSequence>1", "<EditSequence>" + "9" * 40),
            id="long-EditSequence",
        ),
    ],
)
def test_a_record_quickbooks_could_not_have_sent_is_not_stored(db: Database, customer: str) -> None:
    """Issue 18 item 6: a 10,000-character ListID was stored; ids, EditSequence and names are
    bounded by the qbXML schemas, and such a page is refused like an unreadable one."""
    from connector.sync.upsert import ApplyError

    company = create_company(db, "Bounded").id
    page = _doc(
        '<CustomerQueryRs requestID="7.customers" statusCode="0" statusSeverity="Info" '
        f'statusMessage="Status OK">{customer}</CustomerQueryRs>'
    )
    with db.begin() as conn, pytest.raises(ApplyError):
        apply_page(conn, company, BY_KEY["customers"], "7.customers", iter_events(page), NOW)
    with db.begin() as conn:
        assert store.count_records(conn, company).get("customers", 0) == 0


@pytest.mark.parametrize(
    "attrs",
    [
        pytest.param(
            'iteratorRemainingCount="99999999999999999999" iteratorID="{abc}"', id="count"
        ),
        pytest.param('iteratorRemainingCount="-1" iteratorID="{abc}"', id="negative-count"),
        pytest.param(f'iteratorRemainingCount="3" iteratorID="{"x" * 65}"', id="long-iterator-id"),
    ],
)
def test_a_head_no_cursor_can_keep_is_refused(db: Database, attrs: str) -> None:
    """issue 18 item 7: numbers the store cannot keep are a response QuickBooks never sends
    (an ApplyError, the engine's unreadable-response path), not an overflow while saving."""
    from connector.sync.upsert import ApplyError

    company = create_company(db, "Acme").id
    page = _doc(
        f'<CustomerQueryRs requestID="7.customers" statusCode="0" statusSeverity="Info" {attrs}>'
        + _customer("1", "1")
        + "</CustomerQueryRs>"
    )
    with db.begin() as conn, pytest.raises(ApplyError, match="iterator"):
        apply_page(conn, company, BY_KEY["customers"], "7.customers", iter_events(page), NOW)
