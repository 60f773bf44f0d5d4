"""Unit tests of the pure handler pieces: validation, filters, iterators, reading."""

from __future__ import annotations

import random
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal

import pytest
from lxml import etree

from connector.qbxml.safexml import parse_document
from connector.qbxml.schema import Schema
from qbd_emulator.errors import StatusError
from qbd_emulator.handlers import filters as f
from qbd_emulator.handlers.iterators import IteratorTable, RecordKey
from qbd_emulator.handlers.reading import raw_values, typed_record
from qbd_emulator.handlers.validate import SchemaViolation, validate_request

S13 = Schema.for_version("13.0")
PDT = timezone(timedelta(hours=-7))


def _el(text: str) -> etree._Element:
    return parse_document(text)


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("<CustomerQueryRq/>", id="empty"),
        pytest.param(
            "<CustomerQueryRq><ListID>1</ListID><ListID>2</ListID></CustomerQueryRq>",
            id="repeated-ids",
        ),
        pytest.param(
            "<CustomerQueryRq><MaxReturned>5</MaxReturned><ActiveStatus>All</ActiveStatus>"
            "<NameFilter><MatchCriterion>StartsWith</MatchCriterion><Name>a</Name></NameFilter>"
            "<OwnerID>0</OwnerID></CustomerQueryRq>",
            id="filter-group",
        ),
        pytest.param(
            '<InvoiceQueryRq iterator="Start" requestID="x"><MaxReturned>5</MaxReturned>'
            "<ModifiedDateRangeFilter><FromModifiedDate>2024-01-01</FromModifiedDate></ModifiedDateRangeFilter>"
            "<IncludeLineItems>true</IncludeLineItems></InvoiceQueryRq>",
            id="txn-filters",
        ),
    ],
)
def test_valid_requests_pass(text: str) -> None:
    validate_request(S13, _el(text))


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("<CustomerQueryRq><Bogus/></CustomerQueryRq>", "no child <Bogus>"),
        (
            "<CustomerQueryRq><ListID>1</ListID><FullName>a</FullName></CustomerQueryRq>",
            "alternatives",
        ),
        (
            "<InvoiceQueryRq><ModifiedDateRangeFilter/><TxnDateRangeFilter/></InvoiceQueryRq>",
            "alternatives",
        ),
        ('<AccountQueryRq iterator="Start"/>', "no attribute 'iterator'"),
        ('<CustomerQueryRq iterator="Sometimes"/>', "not one of"),
        (
            "<CustomerQueryRq><NameFilter><Name>a</Name></NameFilter></CustomerQueryRq>",
            "needs <MatchCriterion>",
        ),
        (
            "<CustomerQueryRq><ActiveStatus>All</ActiveStatus><MaxReturned>1</MaxReturned></CustomerQueryRq>",
            "must come before",
        ),
        ("<TxnDelRq><TxnID>1</TxnID></TxnDelRq>", "needs <TxnDelType>"),
        (
            "<CustomerQueryRq><IncludeLineItems>true</IncludeLineItems></CustomerQueryRq>",
            "no child",
        ),
    ],
)
def test_violations_are_named(text: str, fragment: str) -> None:
    with pytest.raises(SchemaViolation, match=fragment):
        validate_request(S13, _el(text))


def test_parse_when_rules() -> None:
    assert f.parse_when("2024-03-05", PDT) == datetime(2024, 3, 5, tzinfo=PDT)
    assert f.parse_when("2024-03-05", PDT, end_of_day=True) == datetime(
        2024, 3, 5, 23, 59, 59, tzinfo=PDT
    )
    assert f.parse_when("2024-03-05T10:00:00", PDT).utcoffset() == timedelta(hours=-7)
    assert f.parse_when("2024-03-05T10:00:00+00:00", PDT).utcoffset() == timedelta(0)
    with pytest.raises(StatusError) as err:
        f.parse_when("yesterday", PDT)
    assert err.value.code == 3020


def test_name_and_ref_filters() -> None:
    record = {"FullName": "Acme:Job 7", "RefNumber": "1042"}
    assert f.name_filter({"MatchCriterion": "Contains", "Name": "JOB"})(record)
    assert not f.name_filter({"MatchCriterion": "StartsWith", "Name": "job"})(record)
    assert f.name_filter({"MatchCriterion": "EndsWith", "Name": "7"})(record)
    assert f.name_range({"FromName": "a", "ToName": "acme"})(record)
    assert f.ref_number_range({"FromRefNumber": "999", "ToRefNumber": "2000"})(record)
    assert not f.ref_number_range({"FromRefNumber": "1043"})(record)
    match = f.RefMatch.from_raw({"FullNameWithChildren": "Acme"})
    assert match.matches({"ListID": "1", "FullName": "Acme:Job 7"}, {})
    assert not match.matches({"ListID": "1", "FullName": "Acmeish"}, {})


def test_modified_range_is_inclusive_and_checked() -> None:
    at = datetime(2024, 1, 2, 3, 4, 5, tzinfo=PDT)
    keep = f.modified_between(at.isoformat(), at.isoformat(), PDT)
    assert keep({"TimeModified": at})
    assert not keep({"TimeModified": at + timedelta(seconds=1)})
    with pytest.raises(StatusError):
        f.modified_between("2024-02-01", "2024-01-01", PDT)


def test_iterators_page_and_expire() -> None:
    table = IteratorTable(random.Random(1))
    keys = tuple(RecordKey("customers", str(i)) for i in range(5))
    it = table.start("CustomerQueryRq", keys, {})
    assert it.iterator_id.startswith("{") and it.iterator_id.endswith("}")
    assert [k.record_id for k in it.next_page(2)] == ["0", "1"] and it.remaining == 3
    assert table.resume("CustomerQueryRq", it.iterator_id) is it
    with pytest.raises(StatusError):
        table.resume("VendorQueryRq", it.iterator_id)
    table.clear()
    with pytest.raises(StatusError) as err:
        table.resume("CustomerQueryRq", it.iterator_id)
    assert err.value.code == 3391


def test_reading_types_values_by_the_ret_model() -> None:
    el = _el(
        "<InvoiceAdd><CustomerRef><FullName>A</FullName></CustomerRef><TxnDate>2024-01-02</TxnDate>"
        "<InvoiceLineAdd><Quantity>2</Quantity><Rate>1.5</Rate></InvoiceLineAdd></InvoiceAdd>"
    )
    raw = raw_values(S13.content("InvoiceAdd"), el)
    assert raw["InvoiceLineAdd"] == [{"Quantity": "2", "Rate": "1.5"}]
    typed = typed_record(
        S13, "InvoiceRet", {**raw, "InvoiceLineRet": raw["InvoiceLineAdd"], "IsPaid": "false"}
    )
    assert typed["TxnDate"] == date(2024, 1, 2)
    assert typed["InvoiceLineRet"] == [{"Quantity": Decimal("2"), "Rate": Decimal("1.5")}]
    assert typed["IsPaid"] is False
    assert "InvoiceLineAdd" not in typed


def test_a_required_choice_with_an_empty_branch_accepts_nothing() -> None:
    validate_request(S13, _el("<InvoiceQueryRq><TxnDateRangeFilter/></InvoiceQueryRq>"))
    with pytest.raises(SchemaViolation):
        validate_request(S13, _el("<InvoiceQueryRq><EntityFilter/></InvoiceQueryRq>"))
