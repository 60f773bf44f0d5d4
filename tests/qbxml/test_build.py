"""Every request the builders emit validates against its version's XSD; refusals are clear."""

from __future__ import annotations

from collections.abc import Iterator as IteratorT
from datetime import date

import pytest
from lxml import etree

from connector.qbxml import build
from connector.qbxml.datatypes import DATA_TYPES, DataType, Kind
from connector.qbxml.encode import OnError
from connector.qbxml.errors import (
    BadValueError,
    ChoiceConflictError,
    QbxmlSchemaError,
    TextError,
    UnknownElementError,
    UnsupportedError,
)
from connector.qbxml.filters import (
    EntityFilter,
    Iterator,
    ModifiedDateRange,
    PaidStatus,
    QueryFilter,
    TxnDateRange,
)
from connector.qbxml.schema import SUPPORTED_VERSIONS, Schema
from tests.qbxml.test_build_samples import (
    WRITES,
    list_filters,
    paid_filter,
    ref_number_filters,
    txn_filters,
)
from tests.refpaths import reference_path

_LOADED: dict[str, etree.XMLSchema] = {}


class Validators:
    """Each version's XSD, loaded once per test session (shared by the modules using it)."""

    def __init__(self) -> None:
        self._cache = _LOADED

    def __call__(self, version: str) -> etree.XMLSchema:
        if version not in self._cache:
            nn = version.replace(".", "")
            path = reference_path("xsd", f"qbxml{version}", f"qbxmlops{nn}.xsd")
            self._cache[version] = etree.XMLSchema(etree.parse(str(path)))
        return self._cache[version]


@pytest.fixture(scope="module")
def xsd() -> IteratorT[Validators]:
    yield Validators()


def assert_valid(
    xsd: Validators, version: str, requests: list[etree._Element], **kw: object
) -> etree._Element:
    text = build.request_document(version, requests, **kw)  # type: ignore[arg-type]
    tree = etree.fromstring(text.encode("utf-8"))
    schema = xsd(version)
    assert schema.validate(tree), f"{schema.error_log}\n{text}"
    return tree


def _fields(f: QueryFilter) -> set[str]:
    return {name for name, value in vars(f).items() if value not in ((), None)}


def _query_cases() -> list[object]:
    cases = []
    for dtype in DATA_TYPES:
        if dtype.kind is Kind.LIST:
            filters = list_filters()
        elif dtype.kind is Kind.TXN:
            filters = txn_filters()
            if dtype.query not in ("DepositQuery", "TransferQuery"):
                filters += ref_number_filters(account=dtype.query != "SalesOrderQuery")
            if dtype.query in ("InvoiceQuery", "BillQuery"):
                filters.append(("paid", paid_filter()))
        else:
            filters = [("empty", QueryFilter())]
        supported = build.supported_filters(dtype, "13.0")
        usable = [(fid, f) for fid, f in filters if _fields(f) <= supported]
        assert len(usable) >= min(2, len(filters)), dtype.key
        for fid, f in usable:
            cases.append(pytest.param(dtype, f, id=f"{dtype.key}-{fid}"))
    return cases


@pytest.mark.parametrize("version", SUPPORTED_VERSIONS)
@pytest.mark.parametrize(("dtype", "filters"), _query_cases())
def test_every_query_validates(
    xsd: Validators, version: str, dtype: DataType, filters: QueryFilter
) -> None:
    if dtype.kind is Kind.DELETED:
        kind = "ListDelType" if dtype.query == "ListDeletedQuery" else "TxnDelType"
        filters = QueryFilter(
            deleted_types=("Customer", "Vendor") if kind == "ListDelType" else ("Invoice",)
        )
    rq = build.query(dtype, version, filters, request_id=f"{dtype.key}-1")
    tree = assert_valid(xsd, version, [rq])
    assert tree[0][0].tag == dtype.request
    assert tree[0][0].get("requestID") == f"{dtype.key}-1"


@pytest.mark.parametrize("version", SUPPORTED_VERSIONS)
@pytest.mark.parametrize("dtype", [d for d in DATA_TYPES if d.iterator], ids=lambda d: d.key)
def test_iterators_where_the_schema_allows(xsd: Validators, version: str, dtype: DataType) -> None:
    start = build.query(
        dtype, version, QueryFilter(max_returned=100), iterator=Iterator.start(), request_id="s"
    )
    more = build.query(
        dtype,
        version,
        QueryFilter(max_returned=100),
        iterator=Iterator.resume("{a3f1c6e2-0000-4c11-9f1b-1d0b2e6c3a10}"),
    )
    tree = assert_valid(xsd, version, [start, more], on_error=OnError.CONTINUE)
    assert tree[0][0].get("iterator") == "Start"
    assert tree[0][1].get("iterator") == "Continue"
    assert tree[0][1].get("iteratorID") == "{a3f1c6e2-0000-4c11-9f1b-1d0b2e6c3a10}"


@pytest.mark.parametrize("version", SUPPORTED_VERSIONS)
@pytest.mark.parametrize("dtype", [d for d in DATA_TYPES if not d.iterator], ids=lambda d: d.key)
def test_iterator_refused_where_the_schema_lacks_it(version: str, dtype: DataType) -> None:
    with pytest.raises(UnsupportedError, match=f"{dtype.request} does not support iterators"):
        build.query(dtype, version, iterator=Iterator.start())


@pytest.mark.parametrize("version", SUPPORTED_VERSIONS)
@pytest.mark.parametrize("name", sorted(WRITES), ids=str)
def test_every_write_validates(xsd: Validators, version: str, name: str) -> None:
    rq = build.write(name, WRITES[name], version, request_id=f"w-{name}")
    tree = assert_valid(xsd, version, [rq], new_message_set_id="ms-0001")
    assert tree[0].get("newMessageSetID") == "ms-0001"
    assert tree[0][0].tag == f"{name}Rq" and tree[0][0][0].tag == name


def test_the_write_list_is_covered() -> None:
    assert set(WRITES) == build.ADDS | build.MODS


def _deletable(schema: Schema, dtype: DataType, base: str) -> bool:
    rq = "ListDelRq" if base == "TxnDel" and dtype.kind is not Kind.TXN else f"{base}Rq"
    leaf = schema.leaf(rq, "ListDelType" if rq == "ListDelRq" else f"{base}Type")
    return leaf is not None and leaf.enum is not None and dtype.txn_del_type in leaf.enum


@pytest.mark.parametrize("version", SUPPORTED_VERSIONS)
@pytest.mark.parametrize(
    "dtype", [d for d in DATA_TYPES if d.can_delete or d.can_void], ids=lambda d: d.key
)
def test_delete_and_void(xsd: Validators, version: str, dtype: DataType) -> None:
    schema = Schema.for_version(version)
    object_id = "80000001-1712345678"
    for base, allowed, maker in (
        ("TxnDel", dtype.can_delete, build.delete),
        ("TxnVoid", dtype.can_void, build.void),
    ):
        if not allowed:
            continue
        if _deletable(schema, dtype, base):
            tree = assert_valid(xsd, version, [maker(dtype, object_id, version, request_id="d")])
            assert tree[0][0][1].text == object_id
        else:  # the registry allows it but this version's schema enumeration does not
            with pytest.raises(UnsupportedError, match="QuickBooks does not allow"):
                maker(dtype, object_id, version)


@pytest.mark.parametrize(
    "dtype", [d for d in DATA_TYPES if d.kind is Kind.TXN], ids=lambda d: d.key
)
def test_delete_and_void_flags_are_exactly_what_the_schemas_allow(dtype: DataType) -> None:
    """TxnDel and TxnVoid wherever QuickBooks allows them (issue 2), and nowhere else."""
    for base, flag in (("TxnDel", dtype.can_delete), ("TxnVoid", dtype.can_void)):
        allowed = {
            dtype.txn_del_type
            in (Schema.for_version(v).leaf(f"{base}Rq", f"{base}Type").enum or ())
            for v in SUPPORTED_VERSIONS
        }
        assert allowed == {flag}, f"{dtype.key}: {base} allowed by the schemas: {allowed}"


def test_include_ret_on_writes(xsd: Validators) -> None:
    rq = build.write(
        "CustomerAdd", WRITES["CustomerAdd"], "16.0", include_ret=("ListID", "EditSequence")
    )
    tree = assert_valid(xsd, "16.0", [rq])
    assert [e.text for e in tree.iter("IncludeRetElement")] == ["ListID", "EditSequence"]
    with pytest.raises(TextError, match="IncludeRetElement: text is 51"):
        build.write("VendorMod", WRITES["VendorMod"], "16.0", include_ret=("x" * 51,))


def test_item_list_delete(xsd: Validators) -> None:
    tree = assert_valid(xsd, "16.0", [build.list_delete("ItemService", "80000009-1", "16.0")])
    assert tree[0][0].findtext("ListDelType") == "ItemService"


def test_batch_with_message_set_recovery(xsd: Validators) -> None:
    rqs = [
        build.write("CustomerAdd", WRITES["CustomerAdd"], "15.0", request_id="1"),
        build.write("InvoiceAdd", WRITES["InvoiceAdd"], "15.0", request_id="2"),
    ]
    tree = assert_valid(
        xsd,
        "15.0",
        rqs,
        on_error=OnError.CONTINUE,
        new_message_set_id="b-2",
        old_message_set_id="b-1",
    )
    assert tree[0].attrib == {
        "onError": "continueOnError",
        "newMessageSetID": "b-2",
        "oldMessageSetID": "b-1",
    }


# -- refusals -----------------------------------------------------------------------------
def test_modified_filter_follows_the_query_kind() -> None:
    rng = ModifiedDateRange(from_modified=date(2024, 1, 1))
    lst = build.query("customers", "16.0", QueryFilter(modified=rng))
    txn = build.query("invoices", "16.0", QueryFilter(modified=rng))
    assert lst.findtext("FromModifiedDate") == "2024-01-01"
    assert txn.findtext("ModifiedDateRangeFilter/FromModifiedDate") == "2024-01-01"
    with pytest.raises(
        UnsupportedError,
        match="HostQueryRq: the query has no FromModifiedDate/ModifiedDateRangeFilter",
    ):
        build.query("host", "16.0", QueryFilter(modified=rng))


@pytest.mark.parametrize(
    ("key", "filters", "match"),
    [
        pytest.param(
            "customers",
            QueryFilter(txn_ids=("1-1",)),
            "CustomerQueryRq: the query has no TxnID",
            id="txn-id-on-list",
        ),
        pytest.param(
            "invoices",
            QueryFilter(list_ids=("1-1",)),
            "InvoiceQueryRq: the query has no ListID",
            id="list-id-on-txn",
        ),
        pytest.param(
            "customers", QueryFilter(paid_status=PaidStatus.ALL), "no PaidStatus", id="paid-on-list"
        ),
        pytest.param(
            "transfers",
            QueryFilter(entity=EntityFilter(list_ids=("1-1",))),
            "no EntityFilter",
            id="entity-on-transfer",
        ),
        pytest.param("accounts", QueryFilter(owner_ids=("0",)), None, id="owner-on-accounts-ok"),
        pytest.param(
            "classes",
            QueryFilter(owner_ids=("0",)),
            "ClassQueryRq: the query has no OwnerID",
            id="owner-on-classes",
        ),
    ],
)
def test_filters_a_query_lacks_are_refused(
    key: str, filters: QueryFilter, match: str | None
) -> None:
    if match is None:
        build.query(key, "16.0", filters)
        return
    with pytest.raises(UnsupportedError, match=match):
        build.query(key, "16.0", filters)


def test_alternative_filters_conflict_clearly() -> None:
    with pytest.raises(ChoiceConflictError, match="ListID and MaxReturned are alternatives"):
        build.query("customers", "16.0", QueryFilter(list_ids=("1-1",), max_returned=10))
    with pytest.raises(ChoiceConflictError, match="ModifiedDateRangeFilter and TxnDateRangeFilter"):
        build.query(
            "invoices",
            "16.0",
            QueryFilter(
                modified=ModifiedDateRange(to_modified=date(2024, 1, 1)),
                txn_date=TxnDateRange(date_macro="Today"),
            ),
        )


def test_text_refusals_name_the_field() -> None:
    record = {**WRITES["CustomerAdd"], "Name": "Łódź Bakery"}
    with pytest.raises(TextError, match=r"CustomerAddRq/CustomerAdd/Name: character 'Ł'"):
        build.write("CustomerAdd", record, "16.0")
    with pytest.raises(TextError, match=r"CustomerAddRq/CustomerAdd/Name: text is 50 characters"):
        build.write("CustomerAdd", {**WRITES["CustomerAdd"], "Name": "N" * 50}, "16.0")
    with pytest.raises(TextError, match="FullName"):
        build.query("customers", "16.0", QueryFilter(full_names=("Caf\u00e9 \u2603",)))
    with pytest.raises(TextError, match="requestID"):
        build.query("customers", "16.0", request_id="r" * 51)


def test_unknown_field_and_older_version() -> None:
    with pytest.raises(UnknownElementError, match="'Nickname' is not a child of CustomerAdd"):
        build.write("CustomerAdd", {"Name": "A", "Nickname": "x"}, "16.0")
    bill = {**WRITES["BillAdd"], "ClassRef": {"FullName": "East"}}
    build.write("BillAdd", bill, "16.0")
    with pytest.raises(
        UnknownElementError,
        match=r"'ClassRef' is not a child of BillAdd in qbXML 13\.0; it exists in qbXML 15\.0, 16\.0",
    ):
        build.write("BillAdd", bill, "13.0")


def test_writes_outside_the_list_are_refused() -> None:
    with pytest.raises(UnsupportedError, match="EmployeeAdd is not among the Add requests"):
        build.write("EmployeeAdd", {"FirstName": "A"}, "16.0")
    with pytest.raises(UnsupportedError, match="EmployeeMod is not among the Mod requests"):
        build.write("EmployeeMod", {}, "16.0")
    with pytest.raises(UnsupportedError, match="employees cannot be deleted"):
        build.delete("employees", "1-1", "16.0")
    with pytest.raises(UnsupportedError, match="receive_payments cannot be voided"):
        build.void("receive_payments", "1-1", "16.0")
    with pytest.raises(BadValueError, match="unknown data type 'widgets'"):
        build.query("widgets", "16.0")


def test_filter_values_check_themselves() -> None:
    with pytest.raises(BadValueError, match="tuple of str"):
        QueryFilter(list_ids="80000001-1")  # type: ignore[arg-type]
    with pytest.raises(BadValueError, match="positive int"):
        QueryFilter(max_returned=0)
    with pytest.raises(BadValueError, match="exactly one"):
        EntityFilter()
    with pytest.raises(BadValueError, match="exactly one form"):
        TxnDateRange()
    with pytest.raises(BadValueError, match="after end"):
        TxnDateRange(date(2024, 2, 1), date(2024, 1, 1))
    with pytest.raises(BadValueError, match="Continue needs an iteratorID"):
        Iterator(mode=Iterator.resume("x").mode)
    with pytest.raises(QbxmlSchemaError, match="not supported"):
        build.query("customers", "12.0")
