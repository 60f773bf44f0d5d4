"""Filters the other query tests only validate: each selects exactly the records it names.

The expected sets are computed from the company file's records here, independently of the
handlers' predicates (a filter that selected nothing, or everything, fails)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from qbd_emulator.company import CompanyFile
from qbd_emulator.processor import FakeQuickBooks
from tests.emulator.test_processor_support import company, ids, one, rq, session, status


def _records(comp: CompanyFile, key: str) -> list[dict[str, Any]]:
    return [dict(r.data) for r in comp.iter_records(key)]


def _line_accounts(record: dict[str, Any]) -> Iterator[str]:
    for name in ("ExpenseLineRet",):
        lines = record.get(name, [])
        for line in lines if isinstance(lines, list) else [lines]:
            if isinstance(line, dict) and isinstance(line.get("AccountRef"), dict):
                yield str(line["AccountRef"]["ListID"])


Fake = tuple[CompanyFile, FakeQuickBooks, str]


@pytest.fixture(scope="module")
def fake() -> Fake:
    """One small file for the module: these tests only read."""
    comp = company(1, "small")
    qb, ticket = session(comp)
    return comp, qb, ticket


def _query(fake: Fake, body: str, id_field: str = "TxnID") -> list[str]:
    _, qb, ticket = fake
    rs = one(qb.process_request(ticket, rq(body)))
    assert status(rs) in (0, 1)
    return ids(rs, id_field)


def test_account_filter_on_the_bank_account_of_checks(fake: Fake) -> None:
    comp = fake[0]
    checks = _records(comp, "checks")
    bank = str(checks[0]["AccountRef"]["ListID"])
    expected = sorted(
        str(c["TxnID"])
        for c in checks
        if str(c["AccountRef"]["ListID"]) == bank or bank in set(_line_accounts(c))
    )
    found = _query(
        fake,
        f"<CheckQueryRq><AccountFilter><ListID>{bank}</ListID></AccountFilter></CheckQueryRq>",
    )
    assert sorted(found) == expected and expected


def test_account_filter_matches_expense_lines_too(fake: Fake) -> None:
    comp = fake[0]
    checks = _records(comp, "checks")
    with_lines = [c for c in checks if list(_line_accounts(c))]
    assert with_lines, "the generated file has no check with expense lines"
    expense = next(_line_accounts(with_lines[0]))
    expected = sorted(
        str(c["TxnID"])
        for c in checks
        if expense in set(_line_accounts(c)) or str(c["AccountRef"]["ListID"]) == expense
    )
    found = _query(
        fake,
        f"<CheckQueryRq><AccountFilter><ListID>{expense}</ListID></AccountFilter></CheckQueryRq>",
    )
    assert sorted(found) == expected and str(with_lines[0]["TxnID"]) in found


@pytest.mark.parametrize(
    ("criterion", "test"),
    [
        pytest.param("StartsWith", str.startswith, id="starts-with"),
        pytest.param("Contains", str.__contains__, id="contains"),
        pytest.param("EndsWith", str.endswith, id="ends-with"),
    ],
)
def test_ref_number_filter_on_invoices(fake: Fake, criterion: str, test: Any) -> None:
    comp = fake[0]
    invoices = _records(comp, "invoices")
    probe = str(invoices[len(invoices) // 2]["RefNumber"])
    needle = {"StartsWith": probe[:2], "Contains": probe[1:3], "EndsWith": probe[-2:]}[criterion]
    expected = sorted(
        str(i["TxnID"]) for i in invoices if test(str(i.get("RefNumber", "")).lower(), needle)
    )
    body = (
        f"<InvoiceQueryRq><RefNumberFilter><MatchCriterion>{criterion}</MatchCriterion>"
        f"<RefNumber>{needle}</RefNumber></RefNumberFilter></InvoiceQueryRq>"
    )
    found = _query(fake, body)
    assert sorted(found) == expected
    assert 0 < len(expected) < len(invoices)


def test_name_filter_on_customers_ignores_case(fake: Fake) -> None:
    comp = fake[0]
    customers = _records(comp, "customers")
    needle = str(customers[3]["Name"])[1:3].upper()
    expected = sorted(
        str(c["ListID"]) for c in customers if needle.lower() in str(c["FullName"]).lower()
    )
    body = (
        "<CustomerQueryRq><ActiveStatus>All</ActiveStatus><NameFilter>"
        f"<MatchCriterion>Contains</MatchCriterion><Name>{needle}</Name></NameFilter>"
        "</CustomerQueryRq>"
    )
    found = _query(fake, body, "ListID")
    assert sorted(found) == expected
    assert 0 < len(expected) < len(customers)
