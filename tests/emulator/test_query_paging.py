"""Iterators and modified-date filters: every record exactly once, exactly the range."""

from __future__ import annotations

from datetime import datetime

import pytest
from lxml.etree import _Element as ET

from connector.qbxml.datatypes import DATA_TYPES, DataType, Kind
from qbd_emulator.company import CompanyFile
from qbd_emulator.processor import FakeQuickBooks
from tests.emulator.test_processor_support import company, ids, one, responses, rq, session, status

ITERABLE = [d for d in DATA_TYPES if d.iterator]
DATED = [d for d in DATA_TYPES if d.kind in (Kind.LIST, Kind.TXN) and d.modified_filter]


def _all_ids(comp: CompanyFile, dt: DataType) -> list[str]:
    return [str(r.data[dt.id_field]) for r in comp.iter_records(dt.key)]


def _active_all(dt: DataType) -> str:
    return "<ActiveStatus>All</ActiveStatus>" if dt.kind is Kind.LIST else ""


def _page_all(qb, ticket: str, dt: DataType, size: int) -> tuple[list[str], list[int]]:  # type: ignore[no-untyped-def]
    start = f'<{dt.request} requestID="s" iterator="Start"><MaxReturned>{size}</MaxReturned>{_active_all(dt)}</{dt.request}>'
    rs = one(qb.process_request(ticket, rq(start)))
    seen, remaining = ids(rs, dt.id_field), [int(rs.get("iteratorRemainingCount", "-1"))]
    iterator_id = rs.get("iteratorID")
    while remaining[-1] > 0:
        cont = f'<{dt.request} requestID="c" iterator="Continue" iteratorID="{iterator_id}"><MaxReturned>{size}</MaxReturned></{dt.request}>'
        rs = one(qb.process_request(ticket, rq(cont)))
        assert status(rs) == 0
        page = ids(rs, dt.id_field)
        assert 0 < len(page) <= size
        seen += page
        remaining.append(int(rs.get("iteratorRemainingCount", "-1")))
    return seen, remaining


@pytest.mark.parametrize("dt", ITERABLE, ids=[d.key for d in ITERABLE])
@pytest.mark.parametrize("size", [1, 2, 5, 1000])
@pytest.mark.parametrize("seed", [1, 2])
def test_paging_returns_every_record_exactly_once(dt: DataType, size: int, seed: int) -> None:
    comp = company(seed)
    qb, ticket = session(comp)
    seen, remaining = _page_all(qb, ticket, dt, size)
    expected = _all_ids(comp, dt)
    assert expected, f"the generated file has no {dt.key}"
    assert sorted(seen) == sorted(expected)
    assert len(seen) == len(set(seen))
    assert remaining == sorted(remaining, reverse=True) and remaining[-1] == 0


def test_paging_a_small_file_in_pages_of_100() -> None:
    comp = company(1, "small")
    qb, ticket = session(comp)
    for key in ("customers", "invoices", "items"):
        dt = next(d for d in DATA_TYPES if d.key == key)
        seen, _ = _page_all(qb, ticket, dt, 100)
        assert sorted(seen) == sorted(_all_ids(comp, dt))


def test_pages_stay_exact_when_records_change_between_pages() -> None:
    comp = company(1)
    qb, ticket = session(comp)
    dt = next(d for d in DATA_TYPES if d.key == "customers")
    first = one(
        qb.process_request(
            ticket,
            rq(
                '<CustomerQueryRq iterator="Start"><MaxReturned>2</MaxReturned><ActiveStatus>All</ActiveStatus></CustomerQueryRq>'
            ),
        )
    )
    it = first.get("iteratorID")
    new = one(
        qb.process_request(
            ticket,
            rq(
                "<CustomerAddRq><CustomerAdd><Name>Late Arrival</Name></CustomerAdd></CustomerAddRq>"
            ),
        )
    )
    assert status(new) == 0
    rest = one(
        qb.process_request(
            ticket,
            rq(
                f'<CustomerQueryRq iterator="Continue" iteratorID="{it}"><MaxReturned>1000</MaxReturned></CustomerQueryRq>'
            ),
        )
    )
    seen = ids(first) + ids(rest)
    assert len(seen) == len(set(seen))
    assert sorted(seen) == sorted(
        i for i in _all_ids(comp, dt) if i != new.findtext("CustomerRet/ListID")
    )


def test_iterator_expires_with_the_session() -> None:
    qb, ticket = session()
    rs = one(
        qb.process_request(
            ticket,
            rq('<CustomerQueryRq iterator="Start"><MaxReturned>1</MaxReturned></CustomerQueryRq>'),
        )
    )
    iterator_id = rs.get("iteratorID")
    qb.end_session(ticket)
    ticket = qb.begin_session("")
    rs = one(
        qb.process_request(
            ticket,
            rq(
                f'<CustomerQueryRq requestID="9" iterator="Continue" iteratorID="{iterator_id}"></CustomerQueryRq>'
            ),
        )
    )
    assert status(rs) == 3391
    assert rs.get("statusMessage") == f'The iteratorID "{iterator_id}" is not valid.'
    assert rs.get("requestID") == "9"


def _start(qb: FakeQuickBooks, ticket: str, size: int) -> ET:
    body = f'<CustomerQueryRq iterator="Start"><MaxReturned>{size}</MaxReturned></CustomerQueryRq>'
    return one(qb.process_request(ticket, rq(body)))


def _continue(qb: FakeQuickBooks, ticket: str, iterator_id: str | None) -> ET:
    body = f'<CustomerQueryRq requestID="k" iterator="Continue" iteratorID="{iterator_id}"><MaxReturned>1000</MaxReturned></CustomerQueryRq>'
    return one(qb.process_request(ticket, rq(body)))


def test_iterator_ends_with_its_last_page() -> None:
    qb, ticket = session()
    first = _start(qb, ticket, 1)
    assert int(first.get("iteratorRemainingCount", "0")) > 0
    last = _continue(qb, ticket, first.get("iteratorID"))
    assert status(last) == 0 and last.get("iteratorRemainingCount") == "0"
    assert last.get("iteratorID") == first.get("iteratorID")
    after = _continue(qb, ticket, first.get("iteratorID"))
    assert status(after) == 3391 and len(after) == 0
    assert after.get("requestID") == "k"


def test_a_start_that_returns_everything_leaves_no_iterator() -> None:
    qb, ticket = session()
    everything = _start(qb, ticket, 100000)
    assert status(everything) == 0 and everything.get("iteratorRemainingCount") == "0"
    assert status(_continue(qb, ticket, everything.get("iteratorID"))) == 3391


def test_iterator_of_another_query_type_is_invalid() -> None:
    qb, ticket = session()
    rs = one(
        qb.process_request(
            ticket,
            rq('<CustomerQueryRq iterator="Start"><MaxReturned>1</MaxReturned></CustomerQueryRq>'),
        )
    )
    other = one(
        qb.process_request(
            ticket,
            rq(
                f'<VendorQueryRq iterator="Continue" iteratorID="{rs.get("iteratorID")}"></VendorQueryRq>'
            ),
        )
    )
    assert status(other) == 3391


def _modified(comp: CompanyFile, dt: DataType) -> list[tuple[datetime, str]]:
    out = []
    for r in comp.iter_records(dt.key):
        tm = r.data["TimeModified"]
        assert isinstance(tm, datetime)
        out.append((tm, str(r.data[dt.id_field])))
    return sorted(out)


@pytest.mark.parametrize("dt", DATED, ids=[d.key for d in DATED])
def test_modified_date_filter_returns_exactly_the_range(dt: DataType) -> None:
    comp = company(2)
    qb, ticket = session(comp)
    stamps = _modified(comp, dt)
    lo, hi = stamps[len(stamps) // 3][0], stamps[(2 * len(stamps)) // 3][0]
    expected = sorted(i for t, i in stamps if lo <= t <= hi)
    if dt.kind is Kind.LIST:
        body = f"<ActiveStatus>All</ActiveStatus><FromModifiedDate>{lo.isoformat()}</FromModifiedDate><ToModifiedDate>{hi.isoformat()}</ToModifiedDate>"
    else:
        body = f"<ModifiedDateRangeFilter><FromModifiedDate>{lo.isoformat()}</FromModifiedDate><ToModifiedDate>{hi.isoformat()}</ToModifiedDate></ModifiedDateRangeFilter>"
    rs = one(qb.process_request(ticket, rq(f"<{dt.request}>{body}</{dt.request}>")))
    assert sorted(ids(rs, dt.id_field)) == expected
    assert status(rs) == (0 if expected else 1)


def test_modified_date_in_another_offset_means_the_same_instant() -> None:
    comp = company(1)
    qb, ticket = session(comp)
    dt = next(d for d in DATA_TYPES if d.key == "customers")
    stamps = _modified(comp, dt)
    lo = stamps[len(stamps) // 2][0]
    utc = lo.astimezone(__import__("datetime").timezone.utc).isoformat()
    rs = one(
        qb.process_request(
            ticket,
            rq(
                f"<CustomerQueryRq><ActiveStatus>All</ActiveStatus><FromModifiedDate>{utc}</FromModifiedDate></CustomerQueryRq>"
            ),
        )
    )
    assert sorted(ids(rs)) == sorted(i for t, i in stamps if t >= lo)


def test_max_returned_without_iterator_and_no_match_status() -> None:
    qb, ticket = session()
    rs = one(
        qb.process_request(
            ticket, rq("<InvoiceQueryRq><MaxReturned>2</MaxReturned></InvoiceQueryRq>")
        )
    )
    assert len(rs) == 2 and rs.get("iteratorID") is None
    none = one(
        qb.process_request(
            ticket,
            rq(
                "<InvoiceQueryRq><TxnDateRangeFilter><FromTxnDate>2099-01-01</FromTxnDate></TxnDateRangeFilter></InvoiceQueryRq>"
            ),
        )
    )
    assert status(none) == 1 and len(none) == 0
    assert (
        none.get("statusMessage") == "A query request did not find a matching object in QuickBooks"
    )
    assert none.get("statusSeverity") == "Info"


def test_several_requests_in_one_message_set_keep_order_and_request_ids() -> None:
    qb, ticket = session()
    answer = qb.process_request(
        ticket,
        rq(
            '<CustomerQueryRq requestID="a"><MaxReturned>1</MaxReturned></CustomerQueryRq>'
            '<VendorQueryRq requestID="b"><MaxReturned>1</MaxReturned></VendorQueryRq>'
            '<CustomerQueryRq requestID="c"><MaxReturned>1</MaxReturned></CustomerQueryRq>'
        ),
    )
    assert [(r.tag, r.get("requestID")) for r in responses(answer)] == [
        ("CustomerQueryRs", "a"),
        ("VendorQueryRs", "b"),
        ("CustomerQueryRs", "c"),
    ]
