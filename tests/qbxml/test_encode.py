"""Encoding record values into schema-ordered qbXML elements and documents."""

from __future__ import annotations

import random
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal

import pytest
from lxml import etree

from connector.qbxml.encode import OnError, document, document_text, encode_element
from connector.qbxml.errors import (
    BadValueError,
    ChoiceConflictError,
    MissingElementError,
    QbxmlBuildError,
    TextError,
    UnknownElementError,
    UnsupportedError,
)
from connector.qbxml.leaves import format_datetime, format_leaf
from connector.qbxml.parse import declared_version
from connector.qbxml.safexml import parse_document
from connector.qbxml.schema import SUPPORTED_VERSIONS, Leaf, LeafType, Schema
from tests.refpaths import reference_path

PST = timezone(timedelta(hours=-8))
S16 = Schema.for_version("16.0")


@pytest.fixture(scope="module")
def xsd16() -> etree.XMLSchema:
    path = reference_path("xsd", "qbxml16.0", "qbxmlops160.xsd")
    return etree.XMLSchema(etree.parse(str(path)))


def c14n(elem: etree._Element) -> bytes:
    return etree.tostring(elem, method="c14n")


def customer() -> dict[str, object]:
    return {
        "ListID": "80000001-1712345678",
        "TimeCreated": datetime(2024, 3, 5, 10, 11, 12, tzinfo=PST),
        "TimeModified": datetime(2024, 3, 10, 9, 0, 0, tzinfo=PST),
        "EditSequence": "1712345678",
        "Name": "Café Amélie",
        "FullName": "Café Amélie",
        "IsActive": True,
        "Sublevel": 0,
        "CompanyName": "Café Amélie SARL",
        "BillAddress": {"Addr1": "12 rue des Fleurs", "City": "Montréal", "Country": "CA"},
        "Phone": "514-555-0100",
        "Balance": Decimal("1234.5"),
        "TotalBalance": Decimal("1234.50"),
        "JobStatus": "None",
    }


def test_children_follow_schema_order_whatever_the_dict_order() -> None:
    record = customer()
    keys = list(record)
    random.Random(7).shuffle(keys)
    shuffled = {k: record[k] for k in keys}
    a = encode_element(S16, "CustomerRet", record)
    b = encode_element(S16, "CustomerRet", shuffled)
    assert c14n(a) == c14n(b)
    order = [child.tag for child in a]
    schema_order = [c.name for c in S16.children("CustomerRet")]
    assert order == [n for n in schema_order if n in record]


def test_response_document_validates(xsd16: etree.XMLSchema) -> None:
    rs = encode_element(
        S16,
        "CustomerQueryRs",
        {"CustomerRet": [customer(), {**customer(), "ListID": "80000002-1712345678"}]},
        attrs={
            "requestID": "1",
            "statusCode": 0,
            "statusSeverity": "Info",
            "statusMessage": "Status OK",
        },
    )
    raw = document("16.0", [rs], response=True, new_message_set_id="ms-1", message_set_status=0)
    assert raw.startswith(b'<?xml version="1.0" ?>\n<?qbxml version="16.0"?>\n<QBXML>')
    tree = etree.fromstring(raw)
    assert xsd16.validate(tree), xsd16.error_log
    msgs = tree[0]
    assert msgs.tag == "QBXMLMsgsRs" and msgs.get("messageSetStatusCode") == "0"
    assert tree.findtext(".//Balance") == "1234.50"
    assert tree.findtext(".//TimeCreated") == "2024-03-05T10:11:12-08:00"
    assert tree.findtext(".//IsActive") == "true"


def test_request_document_attributes(xsd16: etree.XMLSchema) -> None:
    rq = encode_element(
        S16, "InvoiceQueryRq", {"MaxReturned": 50}, attrs={"requestID": "9", "iterator": "Start"}
    )
    text = document_text(
        "16.0",
        [rq],
        response=False,
        on_error=OnError.CONTINUE,
        new_message_set_id="abc",
        old_message_set_id="abd",
    )
    tree = etree.fromstring(text.encode())
    assert xsd16.validate(tree), xsd16.error_log
    assert tree[0].attrib == {
        "onError": "continueOnError",
        "newMessageSetID": "abc",
        "oldMessageSetID": "abd",
    }
    assert tree.find(".//InvoiceQueryRq").attrib == {"requestID": "9", "iterator": "Start"}  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("leaf", "value", "text"),
    [
        pytest.param(LeafType.AMT, Decimal("1234.5"), "1234.50", id="amt-pads"),
        pytest.param(LeafType.AMT, Decimal("-0.10"), "-0.10", id="amt-negative"),
        pytest.param(LeafType.AMT, 12, "12.00", id="amt-int"),
        pytest.param(LeafType.AMT, Decimal("3.1400"), "3.14", id="amt-trailing-zeros"),
        pytest.param(LeafType.PRICE, Decimal("19.99999"), "19.99999", id="price-5-places"),
        pytest.param(LeafType.PRICE, Decimal("2.50"), "2.50", id="price-keeps-scale"),
        pytest.param(LeafType.QUAN, Decimal("1E+2"), "100", id="quantity-no-exponent"),
        pytest.param(LeafType.PERCENT, Decimal("7.25"), "7.25", id="percent"),
        pytest.param(LeafType.QUAN, Decimal("0E-7"), "0", id="zero-with-scale"),
        pytest.param(LeafType.AMT, Decimal("5.1000000"), "5.10", id="amt-long-zeros"),
        pytest.param(LeafType.BOOL, False, "false", id="bool"),
        pytest.param(LeafType.INT, 42, "42", id="int"),
        pytest.param(LeafType.DATE, date(2024, 2, 29), "2024-02-29", id="date"),
        pytest.param(
            LeafType.DATETIME,
            datetime(2024, 3, 5, 10, 11, 12, tzinfo=PST),
            "2024-03-05T10:11:12-08:00",
            id="dt-offset",
        ),
        pytest.param(
            LeafType.DATETIME,
            datetime(2024, 3, 5, 10, 11, 12, tzinfo=timezone(timedelta(hours=5, minutes=30))),
            "2024-03-05T10:11:12+05:30",
            id="dt-half-hour",
        ),
        pytest.param(
            LeafType.DATETIME,
            datetime(2024, 3, 5, 10, 11, 12),
            "2024-03-05T10:11:12",
            id="dt-naive",
        ),
        pytest.param(LeafType.DATETIME, date(2024, 3, 5), "2024-03-05", id="dt-date-only"),
        pytest.param(LeafType.FLOAT, 1.25, "1.25", id="float-exchange-rate"),
        pytest.param(LeafType.FLOAT, Decimal("0.8125"), "0.8125", id="float-decimal"),
        pytest.param(
            LeafType.TIMEINTERVAL, timedelta(hours=1, minutes=30), "PT1H30M0S", id="interval"
        ),
        pytest.param(
            LeafType.GUID,
            "{0BD2D6E1-0E8A-4C11-9F1B-1D0B2E6C3A10}",
            "{0BD2D6E1-0E8A-4C11-9F1B-1D0B2E6C3A10}",
            id="guid",
        ),
    ],
)
def test_leaf_formats(leaf: LeafType, value: object, text: str) -> None:
    assert format_leaf(Leaf(leaf), value) == text


@pytest.mark.parametrize(
    ("leaf", "value", "match"),
    [
        pytest.param(
            LeafType.AMT, Decimal("1.005"), "more than 2 decimal places", id="amt-rounding"
        ),
        pytest.param(LeafType.AMT, Decimal("12345678901234"), "integer digits", id="amt-too-big"),
        pytest.param(LeafType.AMT, Decimal("NaN"), "finite", id="amt-nan"),
        pytest.param(LeafType.AMT, "12.00", "expected Decimal", id="amt-str"),
        pytest.param(LeafType.AMT, 1.5, "expected Decimal", id="amt-float"),
        pytest.param(
            LeafType.QUAN, Decimal("0.000001"), "more than 5 decimal places", id="quan-6-places"
        ),
        pytest.param(LeafType.BOOL, "true", "expected bool", id="bool-str"),
        pytest.param(LeafType.INT, True, "expected int", id="int-bool"),
        pytest.param(LeafType.DATE, datetime(2024, 1, 1), "expected date", id="date-datetime"),
        pytest.param(
            LeafType.DATETIME, datetime(2024, 1, 1, 0, 0, 0, 5), "fractions", id="dt-micro"
        ),
        pytest.param(LeafType.DATETIME, "2024-01-01", "expected datetime", id="dt-str"),
        pytest.param(LeafType.GUID, "not-a-guid", "GUID", id="guid"),
        pytest.param(LeafType.STR, 5, "expected str", id="str-int"),
        pytest.param(LeafType.FLOAT, float("nan"), "finite", id="float-nan"),
        pytest.param(LeafType.FLOAT, float("-inf"), "finite", id="float-infinity"),
        pytest.param(LeafType.FLOAT, Decimal("Infinity"), "finite", id="float-decimal-infinity"),
    ],
)
def test_bad_leaf_values(leaf: LeafType, value: object, match: str) -> None:
    with pytest.raises(BadValueError, match=match):
        format_leaf(Leaf(leaf), value)


def test_format_datetime_keeps_the_offset_as_sent() -> None:
    # QuickBooks' DST quirk: the offset is echoed exactly, never normalised (PROTOCOL.md 1.10).
    value = datetime(2024, 7, 1, 12, 0, 0, tzinfo=timezone(timedelta(hours=-8)))
    assert format_datetime(value) == "2024-07-01T12:00:00-08:00"


def test_non_latin1_text_is_refused_naming_the_field() -> None:
    with pytest.raises(TextError, match=r"CustomerAdd/Name: character '€' \(U\+20AC\).*ISO-8859-1"):
        encode_element(S16, "CustomerAdd", {"Name": "Euro € Shop"})


def test_latin1_text_is_accepted() -> None:
    elem = encode_element(S16, "CustomerAdd", {"Name": "Ça coûte ½"})
    assert elem.findtext("Name") == "Ça coûte ½"


def test_too_long_text_is_refused() -> None:
    with pytest.raises(
        TextError,
        match=r"CustomerAdd/Name: text is 42 characters long; the schema allows at most 41",
    ):
        encode_element(S16, "CustomerAdd", {"Name": "x" * 42})


def test_control_characters_are_refused() -> None:
    with pytest.raises(TextError, match="U\\+0001"):
        encode_element(S16, "CustomerAdd", {"Name": "bad\x01name"})


def test_unknown_element_names_the_parent_and_version() -> None:
    with pytest.raises(
        UnknownElementError, match=r"'Nickname' is not a child of CustomerAdd in qbXML 16\.0"
    ):
        encode_element(S16, "CustomerAdd", {"Name": "A", "Nickname": "a"})
    with pytest.raises(UnknownElementError, match="NoSuchRq"):
        encode_element(S16, "NoSuchRq", {})


def test_field_missing_in_an_older_version_says_where_it_exists() -> None:
    s13 = Schema.for_version("13.0")
    bill = {"VendorRef": {"FullName": "Acme"}, "ClassRef": {"FullName": "East"}}
    with pytest.raises(
        UnknownElementError, match=r"'ClassRef'.*qbXML 13\.0; it exists in qbXML 15\.0, 16\.0"
    ):
        encode_element(s13, "BillAdd", bill)
    assert encode_element(S16, "BillAdd", bill).find("ClassRef") is not None


def test_missing_required_child() -> None:
    with pytest.raises(MissingElementError, match=r"CustomerMod: required child 'ListID'"):
        encode_element(S16, "CustomerMod", {"EditSequence": "1", "Name": "B"})


def test_required_choice_without_any_alternative() -> None:
    # EntityFilter needs one of its four alternatives; a ref may legally be empty.
    with pytest.raises(
        MissingElementError,
        match="EntityFilter: one of ListID, FullName, ListIDWithChildren, FullNameWithChildren",
    ):
        encode_element(S16, "InvoiceQueryRq", {"EntityFilter": {}})
    assert len(encode_element(S16, "InvoiceAdd", {"CustomerRef": {}})) == 1


def test_two_alternatives_of_one_choice_conflict() -> None:
    with pytest.raises(ChoiceConflictError, match="ListID and MaxReturned are alternatives"):
        encode_element(S16, "CustomerQueryRq", {"ListID": ["80000001-1"], "MaxReturned": 5})


def test_unbounded_choice_takes_both_alternatives(xsd16: etree.XMLSchema) -> None:
    entry = {
        "TxnDate": date(2024, 1, 31),
        "JournalCreditLine": [{"AccountRef": {"FullName": "Sales"}, "Amount": Decimal("100")}],
        "JournalDebitLine": [{"AccountRef": {"FullName": "Checking"}, "Amount": Decimal("100")}],
    }
    rq = encode_element(S16, "JournalEntryAddRq", {"JournalEntryAdd": entry})
    tree = etree.fromstring(document("16.0", [rq], response=False))
    assert xsd16.validate(tree), xsd16.error_log
    assert [e.tag for e in tree.find(".//JournalEntryAdd")][-2:] == [
        "JournalDebitLine",
        "JournalCreditLine",
    ]  # type: ignore[union-attr]


def test_lists_and_single_values() -> None:
    elem = encode_element(S16, "CustomerQueryRq", {"ListID": "80000001-1"})
    assert [e.text for e in elem] == ["80000001-1"]
    with pytest.raises(BadValueError, match="occurs at most once"):
        encode_element(S16, "CustomerQueryRq", {"MaxReturned": [1, 2]})
    with pytest.raises(BadValueError, match="expected a dict"):
        encode_element(S16, "InvoiceAdd", {"CustomerRef": "Acme"})


def test_none_and_empty_lists_mean_absent() -> None:
    elem = encode_element(S16, "CustomerAdd", {"Name": "A", "CompanyName": None, "Contacts": []})
    assert [e.tag for e in elem] == ["Name"]


def test_child_in_parent_context() -> None:
    elem = encode_element(S16, "Memo", "x" * 4095, parent="InvoiceAdd")
    assert elem.text == "x" * 4095
    with pytest.raises(UnknownElementError):
        encode_element(S16, "Nope", "x", parent="InvoiceAdd")


def test_attributes_are_checked() -> None:
    with pytest.raises(
        UnsupportedError, match="attribute 'iterator' is not allowed on AccountQueryRq"
    ):
        encode_element(S16, "AccountQueryRq", {}, attrs={"iterator": "Start"})
    with pytest.raises(BadValueError, match="'Begin' is not one of Start, Continue, Stop"):
        encode_element(S16, "CustomerQueryRq", {}, attrs={"iterator": "Begin"})


def test_document_refusals() -> None:
    rs = encode_element(
        S16, "CustomerQueryRs", {}, attrs={"statusCode": 0, "statusSeverity": "Info"}
    )
    with pytest.raises(UnknownElementError, match="cannot appear in QBXMLMsgsRq"):
        document("16.0", [rs], response=False)
    with pytest.raises(TextError, match="at most 24"):
        document("16.0", [], response=False, new_message_set_id="x" * 25)
    with pytest.raises(UnsupportedError, match="oldMessageSetID"):
        document("16.0", [], response=True, old_message_set_id="a")
    with pytest.raises(QbxmlBuildError):
        document("16.0", [], response=False, message_set_status=0)


@pytest.mark.parametrize("version", SUPPORTED_VERSIONS)
def test_version_of_the_prolog_matches(version: str) -> None:
    # The XML declaration, then the qbxml PI, then the root: QBWC and QuickBooks reject a
    # request without the PI (PROTOCOL.md 1.10, qbwc/qbwc#69).
    schema = Schema.for_version(version)
    raw = document(version, [encode_element(schema, "HostQueryRq", {})], response=False)
    assert raw.startswith(
        f'<?xml version="1.0" ?>\n<?qbxml version="{version}"?>\n<QBXML><QBXMLMsgsRq '.encode()
    )
    assert raw.endswith(b"<HostQueryRq/></QBXMLMsgsRq></QBXML>")
    root = parse_document(raw)
    assert declared_version(root) == version and root.tag == "QBXML"


def test_required_attributes() -> None:
    with pytest.raises(MissingElementError, match="required attribute statusSeverity is missing"):
        encode_element(S16, "CustomerQueryRs", {}, attrs={"statusCode": 0})
    bare = encode_element(S16, "CustomerQueryRs", {})  # attributes left to the caller...
    with pytest.raises(MissingElementError, match="CustomerQueryRs: required attribute statusCode"):
        document("16.0", [bare], response=True)  # ...but a document checks them
