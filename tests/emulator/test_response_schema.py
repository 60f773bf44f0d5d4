"""Every request type x several filters x seeds x versions: each response validates
against its version's XSD (Intuit's, from ../shared/reference; skipped when absent)."""

from __future__ import annotations

import pytest

from connector.qbxml.datatypes import DATA_TYPES, ITEM_RETS, DataType, Kind
from connector.qbxml.schema import Schema
from qbd_emulator.processor import FakeQuickBooks
from tests.emulator.test_processor_support import (
    assert_valid,
    company,
    fixed_clock,
    responses,
    rq,
    status,
)

VERSIONS = ("13.0", "14.0", "15.0", "16.0")
SEEDS = (1, 2, 3)


def _list_filters(dt: DataType, version: str) -> list[tuple[str, str]]:
    schema = Schema.for_version(version)
    out = [
        ("none", ""),
        ("max", "<MaxReturned>3</MaxReturned>"),
        ("all-active", "<ActiveStatus>All</ActiveStatus>"),
        ("modified", "<FromModifiedDate>2024-01-01T00:00:00-07:00</FromModifiedDate>"),
        (
            "name-filter",
            "<NameFilter><MatchCriterion>Contains</MatchCriterion><Name>a</Name></NameFilter>",
        ),
        ("fullname-missing", "<FullName>No Such Name</FullName>"),
        ("listid-missing", "<ListID>80000FFF-1111111111</ListID>"),
    ]
    return [(n, b) for n, b in out if _allowed(schema, dt.request, b)]


def _txn_filters(dt: DataType, version: str) -> list[tuple[str, str]]:
    schema = Schema.for_version(version)
    out = [
        ("none", ""),
        (
            "lines",
            "<IncludeLineItems>true</IncludeLineItems><IncludeLinkedTxns>true</IncludeLinkedTxns>",
        ),
        ("max-lines", "<MaxReturned>2</MaxReturned><IncludeLineItems>true</IncludeLineItems>"),
        (
            "modified",
            "<ModifiedDateRangeFilter><FromModifiedDate>2023-01-01</FromModifiedDate>"
            "<ToModifiedDate>2024-12-31</ToModifiedDate></ModifiedDateRangeFilter>",
        ),
        (
            "txn-date",
            "<TxnDateRangeFilter><FromTxnDate>2023-06-01</FromTxnDate></TxnDateRangeFilter>",
        ),
        (
            "refnumber",
            "<RefNumberFilter><MatchCriterion>StartsWith</MatchCriterion><RefNumber>1</RefNumber></RefNumberFilter>",
        ),
        ("paid", "<PaidStatus>NotPaidOnly</PaidStatus><IncludeLineItems>true</IncludeLineItems>"),
        ("txnid-missing", "<TxnID>FFFF-1111111111</TxnID>"),
    ]
    return [(n, b) for n, b in out if _allowed(schema, dt.request, b)]


def _allowed(schema: Schema, request: str, body: str) -> bool:
    import re

    names = re.findall(r"<([A-Za-z]+)>", body)
    top = [n for n in names if schema.child(request, n) is not None]
    first_level = re.findall(r"^<([A-Za-z]+)>|</[A-Za-z]+><([A-Za-z]+)>", body)
    wanted = {a or b for a, b in first_level}
    return wanted <= set(top)


def _cases() -> list[object]:
    cases: list[object] = []
    for dt in DATA_TYPES:
        for version in VERSIONS:
            if dt.kind is Kind.LIST:
                filters = _list_filters(dt, version)
            elif dt.kind is Kind.TXN:
                filters = _txn_filters(dt, version)
            else:
                filters = [("none", "")]
            for name, body in filters:
                cases.append(
                    pytest.param(dt.request, version, body, id=f"{dt.key}-{version}-{name}")
                )
    for ret in ITEM_RETS:
        request = f"{ret.removesuffix('Ret')}QueryRq"
        if Schema.for_version("13.0").has_element(request):
            cases.append(pytest.param(request, "13.0", "", id=f"{request}-13.0"))
    return cases


@pytest.fixture(scope="module")
def processors() -> dict[int, tuple[FakeQuickBooks, str]]:
    out = {}
    for seed in SEEDS:
        qb = FakeQuickBooks(company(seed), clock=fixed_clock())
        qb.open_connection("", "schema tests")
        out[seed] = (qb, qb.begin_session(""))
    return out


def _body(request: str, body: str) -> str:
    if request == "ListDeletedQueryRq":
        return "<ListDelType>Customer</ListDelType><ListDelType>ItemService</ListDelType><ListDelType>Account</ListDelType>"
    if request == "TxnDeletedQueryRq":
        return "<TxnDelType>Invoice</TxnDelType><TxnDelType>Bill</TxnDelType><TxnDelType>Check</TxnDelType>"
    if request == "CompanyQueryRq":
        return "<OwnerID>0</OwnerID>"
    return body


@pytest.mark.parametrize(("request_name", "version", "body"), _cases())
def test_every_query_response_is_schema_valid(
    processors: dict[int, tuple[FakeQuickBooks, str]], request_name: str, version: str, body: str
) -> None:
    for qb, ticket in processors.values():
        inner = _body(request_name, body)
        answer = qb.process_request(
            ticket, rq(f'<{request_name} requestID="7">{inner}</{request_name}>', version)
        )
        assert_valid(version, answer)
        (rs,) = responses(answer)
        assert rs.get("requestID") == "7"
        assert status(rs) in (0, 1, 500, 3120), answer[:400]


ITERABLE = [d for d in DATA_TYPES if d.iterator]


@pytest.mark.parametrize("dt", ITERABLE, ids=[d.key for d in ITERABLE])
@pytest.mark.parametrize("version", ["13.0", "16.0"])
def test_iterator_pages_are_schema_valid(
    processors: dict[int, tuple[FakeQuickBooks, str]], dt: DataType, version: str
) -> None:
    qb, ticket = processors[1]
    has_lines = Schema.for_version(version).child(dt.request, "IncludeLineItems") is not None
    lines = "<IncludeLineItems>true</IncludeLineItems>" if has_lines else ""
    first = qb.process_request(
        ticket,
        rq(
            f'<{dt.request} requestID="1" iterator="Start"><MaxReturned>2</MaxReturned>{lines}</{dt.request}>',
            version,
        ),
    )
    assert_valid(version, first)
    (rs,) = responses(first)
    iterator_id = rs.get("iteratorID")
    assert iterator_id and iterator_id.startswith("{")
    later = qb.process_request(
        ticket,
        rq(
            f'<{dt.request} requestID="2" iterator="Continue" iteratorID="{iterator_id}"><MaxReturned>50</MaxReturned></{dt.request}>',
            version,
        ),
    )
    assert_valid(version, later)
