"""The streaming response parser on hand-made documents: shapes, types, status, iterators."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from decimal import Decimal

import pytest

from connector.qbxml import safexml
from connector.qbxml.errors import QbxmlError, QbxmlResponseError, XmlParseError
from connector.qbxml.parse import declared_version, iter_events, parse_response
from connector.qbxml.safexml import parse_document
from connector.qbxml.values import MessageSet, Record, ResponseStart


def wrap(body: str, *, prolog: str = "", msgs_attrs: str = "") -> bytes:
    return (
        f'<?xml version="1.0" ?>{prolog}<QBXML><QBXMLMsgsRs{msgs_attrs}>{body}'
        "</QBXMLMsgsRs></QBXML>"
    ).encode()


def records(events: list[object]) -> list[Record]:
    return [e for e in events if isinstance(e, Record)]


def responses(events: list[object]) -> list[ResponseStart]:
    return [e for e in events if isinstance(e, ResponseStart)]


INVOICE = """
<InvoiceQueryRs requestID="7" statusCode="0" statusSeverity="Info" statusMessage="Status OK"
    iteratorRemainingCount="3" iteratorID="{abc}" retCount="1">
  <InvoiceRet>
    <TxnID>C5-1417118624</TxnID>
    <TimeCreated>2014-03-09T02:30:00-07:00</TimeCreated>
    <TimeModified>2014-03-09T03:30:00-08:00</TimeModified>
    <EditSequence>1417118624</EditSequence>
    <TxnNumber>64</TxnNumber>
    <CustomerRef><ListID>80000013-1416570432</ListID><FullName>Ann &amp; Co</FullName></CustomerRef>
    <TxnDate>2014-02-03</TxnDate>
    <IsPending>false</IsPending>
    <Subtotal>206.00</Subtotal>
    <SalesTaxPercentage>7.25</SalesTaxPercentage>
    <IsPaid>true</IsPaid>
    <InvoiceLineRet>
      <TxnLineID>C7-1</TxnLineID><Quantity>2.5</Quantity><Rate>103.00</Rate><Amount>206.00</Amount>
    </InvoiceLineRet>
    <DataExtRet><OwnerID>0</OwnerID><DataExtName>Color</DataExtName>
      <DataExtType>STR255TYPE</DataExtType><DataExtValue>  red  </DataExtValue></DataExtRet>
  </InvoiceRet>
</InvoiceQueryRs>"""


def test_event_order_and_response_fields() -> None:
    events = parse_response(wrap(INVOICE, prolog='<?qbxml version="13.0"?>'))
    assert [type(e) for e in events] == [MessageSet, ResponseStart, Record]
    response = responses(events)[0]
    assert response.name == "InvoiceQueryRs"
    assert response.request_id == "7"
    assert (response.status.code, response.status.severity) == (0, "Info")
    assert response.status.message == "Status OK"
    assert response.iterator_remaining == 3
    assert response.iterator_id == "{abc}"
    assert response.ret_count == 1
    assert records(events)[0].request_id == "7"


def test_values_are_typed_by_the_schema() -> None:
    data = records(parse_response(wrap(INVOICE)))[0].data
    assert data["TxnNumber"] == 64
    assert data["Subtotal"] == Decimal("206.00") and str(data["Subtotal"]) == "206.00"
    assert data["SalesTaxPercentage"] == Decimal("7.25")
    assert data["TxnDate"] == date(2014, 2, 3)
    assert data["IsPending"] is False and data["IsPaid"] is True
    assert data["EditSequence"] == "1417118624"  # STRTYPE stays text
    assert data["CustomerRef"] == {"ListID": "80000013-1416570432", "FullName": "Ann & Co"}
    line = data["InvoiceLineRet"]
    assert isinstance(line, list) and len(line) == 1  # repeated: a list even with one member
    assert line[0]["Quantity"] == Decimal("2.5")  # type: ignore[index]
    ext = data["DataExtRet"]
    assert isinstance(ext, list) and ext[0]["DataExtValue"] == "  red  "  # type: ignore[index]
    assert list(data)[:3] == ["TxnID", "TimeCreated", "TimeModified"]  # document order


def test_datetimes_keep_the_offset_exactly_as_sent() -> None:
    # PROTOCOL.md 1.10: during DST QuickBooks may send a wrong offset; it must come back as is.
    data = records(parse_response(wrap(INVOICE)))[0].data
    created, modified = data["TimeCreated"], data["TimeModified"]
    assert isinstance(created, datetime) and isinstance(modified, datetime)
    assert created.utcoffset() == timedelta(hours=-7)
    assert modified.utcoffset() == timedelta(hours=-8)
    assert created.isoformat() == "2014-03-09T02:30:00-07:00"


def test_unknown_elements_are_kept_and_guessed_not_fatal() -> None:
    body = """<CustomerQueryRs statusCode="0" statusSeverity="Info">
      <CustomerRet><ListID>1</ListID><FutureAmount>12.30</FutureAmount>
        <IsFuture>true</IsFuture><FutureDate>2030-01-02</FutureDate><FutureTime>nope</FutureTime>
        <FutureText>12.30</FutureText><FutureAgg><A>1</A><A>2</A></FutureAgg></CustomerRet>
    </CustomerQueryRs>"""
    data = records(parse_response(wrap(body)))[0].data
    assert data["FutureAmount"] == Decimal("12.30")
    assert data["IsFuture"] is True
    assert data["FutureDate"] == date(2030, 1, 2)
    assert data["FutureTime"] == "nope"  # the guess did not parse: text kept
    assert data["FutureText"] == "12.30"
    assert data["FutureAgg"] == {"A": ["1", "2"]}


def test_empty_typed_leaves_are_kept_as_sent() -> None:
    # qbxmltypes*.xsd lets BOOL/DATE/DATETIME/AMT leaves be empty.
    body = """<CustomerQueryRs statusCode="0"><CustomerRet><Balance/><IsActive> </IsActive>
      <TimeCreated></TimeCreated><Sublevel>0</Sublevel></CustomerRet></CustomerQueryRs>"""
    data = records(parse_response(wrap(body)))[0].data
    assert data == {"Balance": "", "IsActive": " ", "TimeCreated": "", "Sublevel": 0}


def test_unknown_response_type_uses_guesses() -> None:
    body = '<MadeUpQueryRs statusCode="0"><MadeUpRet><Balance>1.5</Balance></MadeUpRet></MadeUpQueryRs>'
    events = parse_response(wrap(body))
    assert records(events)[0].ret == "MadeUpRet"
    assert records(events)[0].data == {"Balance": Decimal("1.5")}


def test_message_set_attributes() -> None:
    events = parse_response(
        wrap("", msgs_attrs=' newMessageSetID="set-42" messageSetStatusCode="9002"')
    )
    message_set = events[0]
    assert isinstance(message_set, MessageSet)
    assert message_set.new_message_set_id == "set-42"
    assert message_set.message_set_status is not None
    assert message_set.message_set_status.code == 9002
    assert message_set.message_set_status.severity == "Error"
    plain = parse_response(wrap(""))[0]
    assert plain == MessageSet(None, None)


def test_error_recovery_child_is_a_record() -> None:
    body = """<CustomerAddRs requestID="1" statusCode="0" statusSeverity="Info">
      <CustomerRet><ListID>1</ListID></CustomerRet>
      <ErrorRecovery><ListID>1</ListID><EditSequence>99</EditSequence></ErrorRecovery>
    </CustomerAddRs>"""
    rets = records(parse_response(wrap(body)))
    assert [r.ret for r in rets] == ["CustomerRet", "ErrorRecovery"]
    assert rets[1].data == {"ListID": "1", "EditSequence": "99"}


def test_records_carry_the_request_id_of_their_own_response() -> None:
    body = (
        '<CustomerQueryRs requestID="a" statusCode="1" statusSeverity="Info"/>'
        '<AccountQueryRs requestID="b" statusCode="0" statusSeverity="Info">'
        "<AccountRet><ListID>1</ListID></AccountRet><AccountRet><ListID>2</ListID></AccountRet>"
        "</AccountQueryRs>"
    )
    events = parse_response(wrap(body))
    assert [r.status.code for r in responses(events)] == [1, 0]
    assert [(r.ret, r.request_id) for r in records(events)] == [
        ("AccountRet", "b"),
        ("AccountRet", "b"),
    ]


@pytest.mark.parametrize(
    ("body", "message"),
    [
        pytest.param('<CustomerQueryRs statusSeverity="Info"/>', "no statusCode", id="no-status"),
        pytest.param('<CustomerQueryRs statusCode="zero"/>', "not an integer", id="bad-status"),
        pytest.param(
            '<CustomerQueryRs statusCode="0" iteratorRemainingCount="x"/>',
            "iteratorRemainingCount",
            id="bad-iterator-count",
        ),
        pytest.param(
            '<CustomerQueryRs statusCode="0"><CustomerRet><Balance>abc</Balance></CustomerRet>'
            "</CustomerQueryRs>",
            "Balance",
            id="bad-amount",
        ),
        pytest.param(
            '<CustomerQueryRs statusCode="0"><CustomerRet><IsActive>yes</IsActive></CustomerRet>'
            "</CustomerQueryRs>",
            "BOOLTYPE",
            id="bad-bool",
        ),
        pytest.param(
            '<CustomerQueryRs statusCode="0"><CustomerRet><TimeCreated>2020-13-45T00:00:00'
            "</TimeCreated></CustomerRet></CustomerQueryRs>",
            "TimeCreated",
            id="bad-datetime",
        ),
        pytest.param(
            '<CustomerQueryRs statusCode="0"><CustomerRet><Balance>NaN</Balance></CustomerRet>'
            "</CustomerQueryRs>",
            "Balance",
            id="nan-amount",
        ),
    ],
)
def test_unreadable_responses_are_clear_errors(body: str, message: str) -> None:
    with pytest.raises(QbxmlResponseError, match=message) as info:
        parse_response(wrap(body))
    assert info.value.line == 1


@pytest.mark.parametrize(
    "data",
    [
        pytest.param(b"<QBXML><QBXMLMsgsRq/></QBXML>", id="a-request"),
        pytest.param(b"<html><body>500</body></html>", id="html"),
    ],
)
def test_documents_without_a_response_set(data: bytes) -> None:
    with pytest.raises(QbxmlResponseError, match="QBXMLMsgsRs"):
        parse_response(data)


def test_records_before_a_break_are_streamed_then_the_error() -> None:
    good = '<CustomerQueryRs statusCode="0"><CustomerRet><ListID>1</ListID></CustomerRet>'
    seen: list[object] = []
    with pytest.raises(XmlParseError):
        for event in iter_events(wrap(good + "<CustomerRet><ListID>2</Oops>")):
            seen.append(event)
    assert [r.data["ListID"] for r in records(seen)] == ["1"]


def test_qbxml_inside_a_soap_envelope_is_found_by_local_names() -> None:
    data = (
        b'<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body>'
        b'<receiveResponseXML xmlns="http://developer.intuit.com/"><ticket>t</ticket><response>'
        b'<QBXML><QBXMLMsgsRs><CustomerQueryRs statusCode="0"><CustomerRet><Balance>2.00</Balance>'
        b"</CustomerRet></CustomerQueryRs></QBXMLMsgsRs></QBXML></response></receiveResponseXML>"
        b"</soap:Body></soap:Envelope>"
    )
    events = parse_response(data)
    assert records(events)[0].data == {"Balance": Decimal("2.00")}


def test_version_choice() -> None:
    root = parse_document(wrap("", prolog='<?qbxml version="14.0"?>'))
    assert declared_version(root) == "14.0"
    assert declared_version(parse_document(wrap(""))) is None
    # Fields only in newer versions are still typed when the caller names the version.
    for version in (None, "13.0", "16.0", "CA3.0", "junk"):
        events = parse_response(wrap(INVOICE, prolog='<?qbxml version="2.0"?>'), version=version)
        assert records(events)[0].data["Subtotal"] == Decimal("206.00")


def test_str_source_and_small_limit() -> None:
    text = wrap(INVOICE).decode()
    assert len(records(parse_response(text))) == 1
    with pytest.raises(QbxmlError):
        parse_response(text, max_bytes=100)


def test_aware_datetime_equality_is_by_instant_but_offset_is_preserved() -> None:
    data = records(parse_response(wrap(INVOICE)))[0].data
    created = data["TimeCreated"]
    assert isinstance(created, datetime)
    assert created.tzinfo == timezone(timedelta(hours=-7))


def test_only_the_first_message_set_is_read_and_instructions_between_records_are_skipped() -> None:
    first = (
        '<CustomerQueryRs requestID="1" statusCode="0"><?pi a?><CustomerRet><ListID>1</ListID>'
        "</CustomerRet><?pi b?><CustomerRet><ListID>2</ListID></CustomerRet><?pi c?>"
        '</CustomerQueryRs><?pi d?><AccountQueryRs requestID="2" statusCode="0"/>'
    )
    second = '<QBXMLMsgsRs><VendorQueryRs statusCode="0"><VendorRet/></VendorQueryRs></QBXMLMsgsRs>'
    events = parse_response(
        f'<?xml version="1.0" ?><QBXML><QBXMLMsgsRs>{first}</QBXMLMsgsRs>{second}</QBXML>'
    )
    assert [r.name for r in responses(events)] == ["CustomerQueryRs", "AccountQueryRs"]
    assert [r.data for r in records(events)] == [{"ListID": "1"}, {"ListID": "2"}]


def test_records_split_across_many_chunks(monkeypatch: pytest.MonkeyPatch) -> None:
    # A record is handed out once complete, whatever chunk boundaries cut it.
    body = '<AccountQueryRs statusCode="0">' + "".join(
        f"<AccountRet><ListID>{i}</ListID><Name>{'n' * i}</Name></AccountRet>" for i in range(40)
    )
    expected = records(parse_response(wrap(body + "</AccountQueryRs>")))
    for size in (1, 7, 64):
        monkeypatch.setattr(safexml, "CHUNK_SIZE", size)
        assert records(parse_response(wrap(body + "</AccountQueryRs>"))) == expected
    assert [r.data["ListID"] for r in expected] == [str(i) for i in range(40)]


def test_a_break_after_a_response_ended_still_hands_out_its_last_record() -> None:
    cut = (
        b'<QBXML><QBXMLMsgsRs><AccountQueryRs statusCode="0"><AccountRet><ListID>1</ListID>'
        b'</AccountRet></AccountQueryRs><CustomerQueryRs statusCode="31'
    )
    seen: list[object] = []
    with pytest.raises(XmlParseError):
        for event in iter_events(cut):
            seen.append(event)
    assert [r.data for r in records(seen)] == [{"ListID": "1"}]


def test_responses_outside_the_message_set_are_not_reported() -> None:
    junk = b'<CustomerQueryRs statusCode="0"><CustomerRet/></CustomerQueryRs>' * 40_000
    data = (
        b"<QBXML>" + junk + b'<QBXMLMsgsRs><AccountQueryRs statusCode="0"/></QBXMLMsgsRs></QBXML>'
    )
    assert [r.name for r in responses(parse_response(data))] == ["AccountQueryRs"]
