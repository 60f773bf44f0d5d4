"""The RequestProcessor life cycle and the refusals QuickBooks makes before answering."""

from __future__ import annotations

import pytest

from connector.processors.base import FileMode, ProcessorError, RequestProcessor
from qbd_emulator.company import HostInfo
from qbd_emulator.processor import FakeQuickBooks
from tests.emulator.test_processor_support import company, fixed_clock, one, rq, session, status

PARSE_MESSAGE = "QuickBooks found an error when parsing the provided XML text stream."
VERSION_MESSAGE = "The version of QBXML that was requested is not supported or is unknown."


def test_is_a_request_processor() -> None:
    assert isinstance(FakeQuickBooks(company()), RequestProcessor)


def test_session_life_cycle_and_file_name() -> None:
    qb, ticket = session()
    assert qb.get_current_company_file_name(ticket) == qb.company.file_path
    qb.end_session(ticket)
    with pytest.raises(ProcessorError) as err:
        qb.process_request(ticket, rq("<HostQueryRq/>"))
    assert err.value.hresult_text == "0x8004040D"
    qb.close_connection()


def test_begin_session_refusals() -> None:
    comp = company()
    qb = FakeQuickBooks(comp, clock=fixed_clock())
    with pytest.raises(ProcessorError):
        qb.begin_session("")  # no connection yet
    qb.open_connection("", "t")
    with pytest.raises(ProcessorError) as other:
        qb.begin_session("C:\\Other.qbw")
    assert other.value.hresult_text == "0x8004040A"
    assert qb.begin_session(comp.file_path.upper(), FileMode.SINGLE_USER)
    closed = FakeQuickBooks(comp, clock=fixed_clock(), file_open_in_ui=False)
    closed.open_connection("", "t")
    with pytest.raises(ProcessorError) as missing:
        closed.begin_session("C:\\Other.qbw")
    assert missing.value.hresult_text == "0x80040406"
    with pytest.raises(ProcessorError) as no_file:
        closed.begin_session("")
    assert no_file.value.hresult_text == "0x80040417"
    assert closed.begin_session(comp.file_path)
    down = FakeQuickBooks(comp, clock=fixed_clock(), running=False)
    down.open_connection("", "t")
    with pytest.raises(ProcessorError) as not_running:
        down.begin_session("")
    assert not_running.value.hresult_text == "0x80040408"
    assert not_running.value.message == "Could not start QuickBooks."


BAD_REQUESTS = [
    pytest.param("not xml at all", id="not-xml"),
    pytest.param(
        '<?xml version="1.0"?><QBXML><QBXMLMsgsRq onError="stopOnError"><HostQueryRq/></QBXMLMsgsRq></QBXML>',
        id="no-qbxml-pi",
    ),
    pytest.param(rq("<NoSuchQueryRq/>"), id="unknown-request"),
    pytest.param(rq('<AccountQueryRq iterator="Start"/>'), id="iterator-on-non-iterable"),
    pytest.param(
        rq(
            "<CustomerQueryRq><ActiveStatus>All</ActiveStatus><MaxReturned>1</MaxReturned></CustomerQueryRq>"
        ),
        id="out-of-order",
    ),
    pytest.param(
        rq("<CustomerQueryRq><ListID>1</ListID><MaxReturned>1</MaxReturned></CustomerQueryRq>"),
        id="two-choice-branches",
    ),
    pytest.param(
        rq(
            "<CustomerAddRq><CustomerAdd><CompanyName>x</CompanyName></CustomerAdd></CustomerAddRq>"
        ),
        id="missing-required",
    ),
    pytest.param(
        rq("<CustomerQueryRq><ActiveStatus>Sometimes</ActiveStatus></CustomerQueryRq>"),
        id="bad-enum",
    ),
    pytest.param(
        rq("<CustomerQueryRq><MaxReturned>many</MaxReturned></CustomerQueryRq>"), id="bad-int"
    ),
    pytest.param(
        rq(
            "<CustomerQueryRq><MaxReturned>1</MaxReturned><MaxReturned>2</MaxReturned></CustomerQueryRq>"
        ),
        id="repeated",
    ),
    pytest.param(rq("<HostQueryRq/>").replace('onError="stopOnError"', ""), id="no-onError"),
    pytest.param(rq("<HostQueryRq/>", on_error="rollbackOnError"), id="rollbackOnError"),
    pytest.param(
        '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "b">]><?qbxml version="13.0"?><QBXML/>',
        id="doctype",
    ),
    pytest.param(
        rq(
            "<InvoiceQueryRq><IncludeLineItems>true</IncludeLineItems><MaxReturned>1</MaxReturned></InvoiceQueryRq>"
        ),
        id="filter-after-option",
    ),
]


@pytest.mark.parametrize("request_text", BAD_REQUESTS)
def test_invalid_requests_are_refused_whole(request_text: str) -> None:
    qb, ticket = session()
    before = qb.company.count("customers")
    with pytest.raises(ProcessorError) as err:
        qb.process_request(ticket, request_text)
    assert err.value.hresult_text == "0x80040400"
    assert err.value.message == PARSE_MESSAGE
    assert err.value.detail  # type: ignore[attr-defined]
    assert qb.company.count("customers") == before


def test_a_bad_request_anywhere_means_no_partial_answer() -> None:
    qb, ticket = session()
    before = qb.company.count("customers")
    with pytest.raises(ProcessorError):
        qb.process_request(
            ticket,
            rq(
                "<CustomerAddRq><CustomerAdd><Name>Never</Name></CustomerAdd></CustomerAddRq>"
                '<AccountQueryRq iterator="Start"/>'
            ),
        )
    assert qb.company.count("customers") == before


def test_text_outside_latin1_becomes_question_marks() -> None:
    qb, ticket = session()
    rs = one(
        qb.process_request(
            ticket,
            rq("<CustomerAddRq><CustomerAdd><Name>Zoë 東京 ₤</Name></CustomerAdd></CustomerAddRq>"),
        )
    )
    assert status(rs) == 0
    assert rs.findtext("CustomerRet/Name") == "Zoë ?? ₤".replace("₤", "?")


def test_older_sdk_versions_are_answered() -> None:
    qb, ticket = session()
    rs = one(
        qb.process_request(
            ticket,
            rq("<CustomerQueryRq><MaxReturned>1</MaxReturned></CustomerQueryRq>", version="8.0"),
        )
    )
    assert status(rs) == 0


def test_product_is_configurable_and_caps_versions() -> None:
    product = HostInfo(
        product_name="QuickBooks Pro 2014",
        major_version="24",
        supported_qbxml_versions=("12.0", "13.0"),
    )
    qb, ticket = session(product=product)
    host = one(qb.process_request(ticket, rq("<HostQueryRq/>", version="13.0")))
    assert host.findtext("HostRet/ProductName") == "QuickBooks Pro 2014"
    assert [e.text for e in host.findall("HostRet/SupportedQBXMLVersion")] == ["12.0", "13.0"]
    with pytest.raises(ProcessorError) as err:
        qb.process_request(ticket, rq("<HostQueryRq/>", version="14.0"))
    assert err.value.hresult_text == "0x80040423"
    assert err.value.message == VERSION_MESSAGE


@pytest.mark.parametrize("version", ["17.0", "99.0"])
def test_an_unknown_version_is_refused_whole(version: str) -> None:
    qb, ticket = session()
    before = qb.company.count("customers")
    add = "<CustomerAddRq><CustomerAdd><Name>Never</Name></CustomerAdd></CustomerAddRq>"
    with pytest.raises(ProcessorError) as err:
        qb.process_request(ticket, rq(add, version=version))
    assert (err.value.hresult_text, err.value.message) == ("0x80040423", VERSION_MESSAGE)
    assert version in err.value.detail  # type: ignore[attr-defined]
    assert qb.company.count("customers") == before


def test_unmodelled_requests_answer_honestly() -> None:
    qb, ticket = session()
    sales_reps = one(qb.process_request(ticket, rq("<SalesRepQueryRq/>")))
    assert status(sales_reps) == 1
    lead = one(
        qb.process_request(ticket, rq("<ToDoAddRq><ToDoAdd><Notes>x</Notes></ToDoAdd></ToDoAddRq>"))
    )
    assert status(lead) == 1030


def test_requests_are_validated_against_the_version_asked_for() -> None:
    qb, ticket = session()
    newer = "<PayrollItemQueryRq/>"  # in qbXML 16.0, not in 13.0
    assert status(one(qb.process_request(ticket, rq(newer, version="16.0")))) == 1
    with pytest.raises(ProcessorError) as err:
        qb.process_request(ticket, rq(newer, version="13.0"))
    assert err.value.hresult_text == "0x80040400"


def test_host_reports_the_session_file_mode() -> None:
    qb = FakeQuickBooks(company(), clock=fixed_clock())
    qb.open_connection("", "t")
    ticket = qb.begin_session("", FileMode.MULTI_USER)
    host = one(qb.process_request(ticket, rq("<HostQueryRq/>")))
    assert host.findtext("HostRet/QBFileMode") == "MultiUser"


@pytest.mark.parametrize("value", ["0", "-1"])
def test_max_returned_below_the_schema_minimum_is_a_parse_error(value: str) -> None:
    qb, ticket = session()
    with pytest.raises(ProcessorError) as err:
        qb.process_request(
            ticket, rq(f"<CustomerQueryRq><MaxReturned>{value}</MaxReturned></CustomerQueryRq>")
        )
    assert err.value.hresult_text == "0x80040400"


def test_character_references_outside_latin1_become_question_marks_too() -> None:
    qb, ticket = session()
    rs = one(
        qb.process_request(
            ticket,
            rq(
                "<CustomerAddRq><CustomerAdd><Name>Tokyo &#x6771;&#233;</Name></CustomerAdd></CustomerAddRq>"
            ),
        )
    )
    assert status(rs) == 0 and rs.findtext("CustomerRet/Name") == "Tokyo ?é"
    found = one(
        qb.process_request(
            ticket, rq("<CustomerQueryRq><FullName>Tokyo ?é</FullName></CustomerQueryRq>")
        )
    )
    assert status(found) == 0
