"""Every real recorded response in ../shared/reference/responses parses, with the file's values.

SOURCES.md marks four files as not well-formed; they must give a clear parse error instead.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path

import pytest
from lxml import etree

from connector.qbxml.errors import XmlParseError
from connector.qbxml.parse import parse_response
from connector.qbxml.safexml import parse_document
from connector.qbxml.status import StatusClass, classify_status
from connector.qbxml.values import Event, MessageSet, Record, ResponseStart
from tests.refpaths import reference_names, reference_path

NOT_WELL_FORMED = {
    "flowlink/item_inventory_query_rs.xml",
    "flowlink/item_inventory_query_rs_empty.xml",
    "flowlink/item_inventory_query_rs_multiple.xml",
    "qbwc-qbwc/strHCPResponse_HostQueryRs_CompanyQueryRs_PreferencesQueryRs_QBPro2014.xml",
}


def load(name: str) -> list[Event]:
    return parse_response(reference_path("responses", name).read_bytes())


def rets(events: list[Event]) -> list[Record]:
    return [e for e in events if isinstance(e, Record)]


def rs(events: list[Event]) -> list[ResponseStart]:
    return [e for e in events if isinstance(e, ResponseStart)]


@pytest.mark.parametrize("name", reference_names("responses"))
def test_every_reference_response(name: str) -> None:
    path: Path = reference_path("responses", name)
    if name in NOT_WELL_FORMED:
        with pytest.raises(XmlParseError) as info:
            parse_response(path.read_bytes())
        assert info.value.line is not None and info.value.column is not None
        return
    events = parse_response(path.read_bytes())
    assert isinstance(events[0], MessageSet)
    # Oracle: the whole-document door, counting *Rs elements and their children.
    root = parse_document(path.read_bytes())
    msgs = next(e for e in root.iter() if etree.QName(e).localname.endswith("XMLMsgsRs"))
    assert [r.name for r in rs(events)] == [etree.QName(e).localname for e in msgs]
    assert [r.ret for r in rets(events)] == [etree.QName(c).localname for e in msgs for c in e]
    for response in rs(events):
        assert isinstance(response.status.code, int)


def test_customer_query_iterator() -> None:
    events = load("qbwc-qbxml/customer_query_iterator_rs.xml")
    (response,) = rs(events)
    assert response.name == "CustomerQueryRs"
    assert response.request_id == "1"
    assert response.iterator_remaining == 18
    assert response.iterator_id == "{eb05f701-e727-472f-8ade-6753c4f67a46}"
    (record,) = rets(events)
    assert record.data["Name"] == "10th Customer"
    assert record.data["IsActive"] is True
    assert record.data["Sublevel"] == 0
    assert record.data["Balance"] == Decimal("0.00")
    assert record.data["SalesTaxCodeRef"] == {"ListID": "10000-1232327562", "FullName": "Tax"}
    created = record.data["TimeCreated"]
    assert isinstance(created, datetime) and created.utcoffset() == timedelta(hours=-5)


def test_status_500_warning() -> None:
    (response,) = rs(load("qbwc-qbwc/CustomerQueryRs_statusCode500_Warn.xml"))
    assert (response.status.code, response.status.severity) == (500, "Warn")
    assert '"bleech"' in response.status.message
    assert classify_status(response.status.code, response.status.severity) is StatusClass.NOT_FOUND


def test_status_3120_error() -> None:
    events = load("qbwc-qbwc/CustomerQueryRs_statusCode3120_Error.xml")
    (response,) = rs(events)
    assert (response.status.code, response.status.severity) == (3120, "Error")
    assert response.request_id is None
    assert rets(events) == []


def test_batch_with_mixed_statuses() -> None:
    events = load("hotglue-qbwc-common/customer-batch-mixed.response.xml")
    codes = [(r.request_id, r.status.code) for r in rs(events)]
    assert codes == [
        ("ext-mix-1", 0),
        ("ext-mix-2", 3100),
        ("ext-mix-3", 3250),
        ("ext-mix-4", 3130),
        ("ext-mix-5", 0),
    ]
    assert [classify_status(c) for _, c in codes] == [
        StatusClass.OK,
        StatusClass.DUPLICATE_NAME,
        StatusClass.UNSUPPORTED,
        StatusClass.BAD_REFERENCE,
        StatusClass.OK,
    ]
    assert [r.request_id for r in rets(events)] == ["ext-mix-1", "ext-mix-5"]


def test_purchase_order_lines_and_amounts() -> None:
    events = load("qbwc-qbxml/purchase_order_query_rs.xml")
    (response,) = rs(events)
    assert response.iterator_remaining == 0
    (order,) = rets(events)
    assert order.data["TotalAmount"] == Decimal("125.00")
    assert order.data["DueDate"] == date(2010, 12, 26)
    lines = order.data["PurchaseOrderLineRet"]
    assert isinstance(lines, list) and len(lines) == 1
    assert lines[0]["Quantity"] == Decimal("5")  # type: ignore[index]
    assert lines[0]["Rate"] == Decimal("25.00")  # type: ignore[index]
    ext = order.data["DataExtRet"]
    assert isinstance(ext, list) and [e["DataExtValue"] for e in ext] == [  # type: ignore[index]
        "test 1",
        "test 2",
        "test 3",
    ]


def test_invoice_add_with_lines() -> None:
    (invoice,) = rets(load("flowlink/InvoiceAddRs_with_lines_2014.xml"))
    assert invoice.data["Subtotal"] == Decimal("206.00")
    assert invoice.data["IsPaid"] is False
    (line,) = invoice.data["InvoiceLineRet"]  # type: ignore[misc]
    assert line["Quantity"] == Decimal("2") and line["Amount"] == Decimal("206.00")


def test_item_inventory_query_many() -> None:
    items = rets(load("flowlink/ItemInventoryQueryRs_multi_2014.xml"))
    assert len(items) == 16
    assert {type(i.data["QuantityOnHand"]) for i in items} == {Decimal}
    assert items[1].data["SalesPrice"] == Decimal("55.00")


def test_no_match_then_add() -> None:
    events = load("flowlink/batch_ItemInventoryQueryRs_nomatch_plus_SalesOrderAddRs_2014.xml")
    assert [classify_status(r.status.code) for r in rs(events)][:2] == [StatusClass.NO_MATCH] * 2


def test_hcp_2006_host_company_preferences() -> None:
    events = load(
        "consolibyte-log-2008/"
        "strHCPResponse_HostQueryRs_CompanyQueryRs_PreferencesQueryRs_QBPro2006.xml"
    )
    assert [r.name for r in rs(events)] == ["HostQueryRs", "CompanyQueryRs", "PreferencesQueryRs"]
    host, company, preferences = rets(events)
    assert host.data["ProductName"] == "QuickBooks Pro 2006"
    assert host.data["SupportedQBXMLVersion"][-1] == "5.0"  # type: ignore[index]
    assert company.data["CompanyName"] == "Test Company"
    file_ids = [e for e in company.data["DataExtRet"] if e["DataExtName"] == "FileID"]  # type: ignore[union-attr,index]
    assert file_ids[0]["DataExtValue"] == "{ee032e95-47f7-2564-096f-2d4545fcb021}"  # type: ignore[index]
    accounting = preferences.data["AccountingPreferences"]
    assert accounting["IsUsingAuditTrail"] is True  # type: ignore[index]


def test_hcp_2014_is_refused_clearly_and_parses_once_its_typo_is_repaired() -> None:
    name = "qbwc-qbwc/strHCPResponse_HostQueryRs_CompanyQueryRs_PreferencesQueryRs_QBPro2014.xml"
    raw = reference_path("responses", name).read_bytes()
    with pytest.raises(XmlParseError, match="line 1"):
        parse_response(raw)
    # SOURCES.md: the authors' redaction typo '<yzer/DataExtType>' is the only flaw.
    events = parse_response(raw.replace(b"<yzer/DataExtType>", b"</DataExtType>"))
    host, company, _preferences = rets(events)
    assert host.data["MajorVersion"] == "24"  # STRTYPE in HostRet (qbxmlops*.xsd)
    assert host.data["SupportedQBXMLVersion"][-1] == "13.0"  # type: ignore[index]
    assert company.data["CompanyName"] == "myCompany"


def test_pos_dialect_is_read_by_guesses() -> None:
    events = load("qbpos-quickbooks_api/SalesReceiptQueryRs_QBPOS.xml")
    (response,) = rs(events)
    assert response.ret_count == 2 and len(rets(events)) == 2
    receipt = rets(events)[0]
    assert isinstance(receipt.data["TimeCreated"], datetime)
    assert receipt.data["Discount"] == "4.00"  # POS names outside the guesses stay text
    assert receipt.data["DiscountPercent"] == Decimal("5.00")


def test_envelope_wrapped_response_with_3140() -> None:
    events = load("flowlink/sales_order_add_rs_invalid_record_ref.xml")
    (response,) = rs(events)
    assert response.status.code == 3140
    assert classify_status(response.status.code) is StatusClass.BAD_REFERENCE


UTC_MINUS_5 = timedelta(hours=-5)


@pytest.mark.parametrize(
    ("name", "index", "path", "expected"),
    [
        pytest.param("qbwc-qbxml/account_query_rs.xml", 0, "Balance", Decimal("-197.02"), id="acct-neg"),
        pytest.param("qbwc-qbxml/account_query_rs.xml", 0, "TaxLineInfoRet/TaxLineID", 1864, id="acct-int"),
        pytest.param("qbwc-qbxml/account_query_rs.xml", 1, "Desc", "Unpaid or unapplied customer ", id="acct-text-as-sent"),
        pytest.param("qbwc-qbxml/account_query_rs.xml", 1, "AccountNumber", "11000", id="acct-number-text"),
        pytest.param("qbwc-qbxml/customer_add_rs.xml", 0, "BillAddress/Addr3", "123 XYZ Road", id="cust-address"),
        pytest.param("qbwc-qbxml/customer_add_rs.xml", 0, "TimeCreated", datetime(2007, 12, 14, 20, 45, 54, tzinfo=timezone(UTC_MINUS_5)), id="cust-created"),
        pytest.param("qbwc-qbxml/customer_query_rs.xml", 0, "BillAddress/PostalCode", "06268", id="zip-keeps-zero"),
        pytest.param("qbwc-qbxml/receive_payment_query_rs.xml", 0, "CreditCardTxnInfo/CreditCardTxnInputInfo/ExpirationYear", 2011, id="rp-card-year"),
        pytest.param("qbwc-qbxml/receive_payment_query_rs.xml", 0, "AppliedToTxnRet/0/Amount", Decimal("112.35"), id="rp-applied"),
        pytest.param("qbwc-qbxml/receive_payment_query_rs.xml", 0, "TimeModified", datetime(2010, 10, 3, 19, 15, 35, tzinfo=timezone(timedelta(hours=-8))), id="rp-modified"),
        pytest.param("qbwc-qbxml/sales_receipt_add_rs.xml", 0, "SalesReceiptLineRet/1/Rate", Decimal("0.00"), id="sr-second-line"),
        pytest.param("qbwc-qbxml/sales_receipt_add_rs.xml", 0, "IsToBeEmailed", False, id="sr-bool"),
        pytest.param("qbwc-qbxml/item_inventory_add_rs.xml", 0, "SalesPrice", Decimal("85.00"), id="inv-price"),
        pytest.param("hotglue-qbwc-common/account-add.response.xml", 0, "CurrencyRef/FullName", "US Dollar", id="acct-currency"),
        pytest.param("hotglue-qbwc-common/customer-batch-valid.response.xml", 4, "ListID", "8000274B-1785964187", id="batch-fifth"),
        pytest.param("flowlink/ReceivePaymentAddRs_2014.xml", 0, "UnusedPayment", Decimal("210.00"), id="rp-unused"),
        pytest.param("flowlink/item_inventory_add_rs.xml", 0, "QuantityOnHand", Decimal("0"), id="qty-zero"),
        pytest.param("qbwc-qbwc/CustomerAddRs_2014.xml", 0, "CreditLimit", Decimal("2000.00"), id="credit-limit"),
        pytest.param("consolibyte-log-2008/receiveResponseXML_CustomerAddRs_2008.xml", 0, "ItemSalesTaxRef/FullName", "Out of State", id="2008-tax-item"),
        pytest.param("qbpos-quickbooks_api/ItemInventoryQueryRs_QBPOS.xml", 0, "IsBelowReorder", False, id="pos-bool-guess"),
        pytest.param("qbpos-quickbooks_api/SalesOrderQueryRs_QBPOS.xml", 0, "SalesOrderItemRet/1/Price", Decimal("100.00"), id="pos-line"),
    ],
)  # fmt: skip
def test_spot_values(name: str, index: int, path: str, expected: object) -> None:
    value: object = rets(load(name))[index].data
    for step in path.split("/"):
        value = value[int(step)] if isinstance(value, list) else value[step]  # type: ignore[index]
    assert type(value) is type(expected) and value == expected
    if isinstance(expected, datetime):
        assert isinstance(value, datetime) and value.utcoffset() == expected.utcoffset()
