"""Every query filter of issue 2, on every query whose schema has it, in every version.

For each data type and qbXML version 13.0-16.0: one request per filter the query accepts
(``build.supported_filters``, read from the schema tables) is built, each must carry the
filter's element, and the whole batch must validate against Intuit's XSD of that version.
Every filter the query lacks must be refused with ``UnsupportedError`` instead. So a filter
the builder silently drops, emits out of order or in the wrong shape, or lets through where
QuickBooks would reject it, fails here.
"""

from __future__ import annotations

from collections.abc import Iterator as IteratorT
from dataclasses import fields
from datetime import date

import pytest

from connector.qbxml import build
from connector.qbxml.datatypes import DATA_TYPES, DataType, Kind
from connector.qbxml.encode import OnError
from connector.qbxml.errors import UnsupportedError
from connector.qbxml.filters import (
    AccountFilter,
    ActiveStatus,
    DeletedDateRange,
    EntityFilter,
    MatchCriterion,
    ModifiedDateRange,
    NameFilter,
    PaidStatus,
    QueryFilter,
    RefNumberFilter,
    RefNumberRange,
    TxnDateRange,
)
from connector.qbxml.schema import SUPPORTED_VERSIONS
from tests.qbxml.test_build import Validators, assert_valid
from tests.qbxml.test_build_samples import OWNER, SINCE, UNTIL

LIST_ID = "80000001-1712345678"
# One or more sample values per QueryFilter field, with the element each must produce.
SAMPLES: dict[str, list[tuple[object, str]]] = {
    "list_ids": [((LIST_ID, "80000002-1712345679"), "ListID")],
    "full_names": [(("Brasserie Lefèvre",), "FullName")],
    "txn_ids": [(("1A2B-1712345678",), "TxnID")],
    "ref_numbers": [(("INV-1042", "INV-1043"), "RefNumber")],
    "max_returned": [(25, "MaxReturned")],
    "active_status": [(ActiveStatus.INACTIVE_ONLY, "ActiveStatus")],
    "modified": [
        (ModifiedDateRange(SINCE, UNTIL), "ToModifiedDate"),
        (ModifiedDateRange(to_modified=date(2024, 3, 31)), "ToModifiedDate"),
    ],
    "name": [(NameFilter(MatchCriterion.ENDS_WITH, "Co"), "NameFilter/Name")],
    "txn_date": [
        (TxnDateRange(date(2024, 1, 1), date(2024, 3, 31)), "TxnDateRangeFilter/ToTxnDate"),
        (TxnDateRange(date_macro="LastMonth"), "TxnDateRangeFilter/DateMacro"),
    ],
    "entity": [
        (EntityFilter(list_ids=(LIST_ID,)), "EntityFilter/ListID"),
        (EntityFilter(full_names=("Brasserie Lefèvre",)), "EntityFilter/FullName"),
        (EntityFilter(list_id_with_children=LIST_ID), "EntityFilter/ListIDWithChildren"),
        (EntityFilter(full_name_with_children="Acme"), "EntityFilter/FullNameWithChildren"),
    ],
    "account": [
        (AccountFilter(list_ids=(LIST_ID,)), "AccountFilter/ListID"),
        (AccountFilter(full_names=("Checking",)), "AccountFilter/FullName"),
        (AccountFilter(list_id_with_children=LIST_ID), "AccountFilter/ListIDWithChildren"),
        (AccountFilter(full_name_with_children="Expenses"), "AccountFilter/FullNameWithChildren"),
    ],
    "ref_number": [(RefNumberFilter(MatchCriterion.STARTS_WITH, "INV"), "RefNumberFilter")],
    "ref_number_range": [(RefNumberRange("INV-1000", "INV-1099"), "RefNumberRangeFilter")],
    "paid_status": [(PaidStatus.PAID_ONLY, "PaidStatus")],
    "include_line_items": [(True, "IncludeLineItems")],
    "include_linked_txns": [(False, "IncludeLinkedTxns")],
    "deleted_types": [],  # required by the deleted-object queries: given with every filter
    "deleted": [(DeletedDateRange(SINCE, UNTIL), "DeletedDateRangeFilter/ToDeletedDate")],
    "include_ret": [(("TimeModified", "EditSequence"), "IncludeRetElement")],
    "owner_ids": [(("0", OWNER), "OwnerID")],
}
ISSUE_FILTERS = {
    "list_ids", "full_names", "txn_ids", "ref_numbers", "max_returned", "active_status",
    "modified", "txn_date", "entity", "account", "ref_number", "paid_status",
    "include_line_items", "include_linked_txns", "owner_ids",
}  # fmt: skip


def base(dtype: DataType) -> dict[str, object]:
    """What every query of ``dtype`` needs: the deleted-object queries need their types."""
    if dtype.query == "ListDeletedQuery":
        return {"deleted_types": ("Customer", "Vendor")}
    if dtype.query == "TxnDeletedQuery":
        return {"deleted_types": ("Invoice",)}
    return {}


@pytest.fixture(scope="module")
def xsd() -> IteratorT[Validators]:
    yield Validators()


def test_every_filter_field_has_samples_and_the_issue_list_is_reachable() -> None:
    assert set(SAMPLES) == {f.name for f in fields(QueryFilter)}
    reachable = {name for d in DATA_TYPES for name in build.supported_filters(d, "16.0")}
    assert reachable >= ISSUE_FILTERS, sorted(ISSUE_FILTERS - reachable)


@pytest.mark.parametrize("version", SUPPORTED_VERSIONS)
@pytest.mark.parametrize("dtype", DATA_TYPES, ids=lambda d: d.key)
def test_each_supported_filter_validates(xsd: Validators, version: str, dtype: DataType) -> None:
    supported = build.supported_filters(dtype, version)
    requests, expected = [], []
    for name in sorted(supported):
        for value, element in SAMPLES[name]:
            filters = QueryFilter(**{**base(dtype), name: value})  # type: ignore[arg-type]
            rq = build.query(dtype, version, filters, request_id=f"{name}-{len(requests)}")
            if name == "modified" and dtype.kind is Kind.TXN:
                element = f"ModifiedDateRangeFilter/{element}"
            assert rq.find(element) is not None, f"{name}: no {element} in {dtype.request}"
            requests.append(rq)
            expected.append(element)
    if not requests:  # HostQuery and the like still have IncludeRetElement at least
        pytest.fail(f"{dtype.request} accepts no filter at all in qbXML {version}")
    tree = assert_valid(xsd, version, requests, on_error=OnError.CONTINUE)
    assert len(tree[0]) == len(expected)


@pytest.mark.parametrize("version", SUPPORTED_VERSIONS)
@pytest.mark.parametrize("dtype", DATA_TYPES, ids=lambda d: d.key)
def test_each_unsupported_filter_is_refused(version: str, dtype: DataType) -> None:
    unsupported = set(SAMPLES) - build.supported_filters(dtype, version) - {"deleted_types"}
    for name in sorted(unsupported):
        for value, _element in SAMPLES[name]:
            filters = QueryFilter(**{**base(dtype), name: value})  # type: ignore[arg-type]
            with pytest.raises(UnsupportedError, match=f"qbXML {version}"):
                build.query(dtype, version, filters)


def test_deleted_types_are_refused_on_other_queries() -> None:
    with pytest.raises(UnsupportedError, match="TxnDelType"):
        build.query("invoices", "16.0", QueryFilter(deleted_types=("Invoice",)))
