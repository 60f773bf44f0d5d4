"""``FakeQuickBooks(layout="indented")``: answers laid out as QuickBooks writes them.

One element a line, indented by two spaces, a line break at the end: the layout of answers
recorded from live company files (``render.INDENT`` says which recordings). The answer is
otherwise the one-line answer, element for element.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from lxml import etree

from qbd_emulator.handlers.render import indented
from tests.emulator.test_processor_support import assert_valid, company, fixed_clock, rq, session

REQUESTS = {
    "customers, an iterator's first page": (
        '<CustomerQueryRq requestID="1" iterator="Start"><MaxReturned>3</MaxReturned>'
        "</CustomerQueryRq>"
    ),
    "invoices with their lines": (
        '<InvoiceQueryRq requestID="2"><MaxReturned>2</MaxReturned>'
        "<IncludeLineItems>true</IncludeLineItems></InvoiceQueryRq>"
    ),
    "a report": (
        '<AgingReportQueryRq requestID="3"><AgingReportType>ARAgingSummary</AgingReportType>'
        "</AgingReportQueryRq>"
    ),
    "an error status": '<CustomerQueryRq requestID="4"><ListID>nope</ListID></CustomerQueryRq>',
    "nothing": "",
}


def _one_line(text: str) -> str:
    root = etree.fromstring(text.encode(), etree.XMLParser(remove_blank_text=True))
    return etree.tostring(root, encoding="unicode")


def test_the_layout_is_that_of_an_answer_recorded_from_quickbooks(reference: Path) -> None:
    """A recorded answer, its layout taken out and put back, is the same text."""
    recorded = (reference / "responses/hotglue-qbwc-common/account-add.response.xml").read_text()
    one_line = _one_line(recorded)
    assert "\n" not in one_line
    assert indented('<?xml version="1.0" ?>' + one_line) == recorded


@pytest.mark.parametrize("name", REQUESTS)
def test_an_indented_answer_is_the_one_line_answer_laid_out(name: str) -> None:
    answers = {}
    for layout in ("one-line", "indented"):
        qb, ticket = session(company(), clock=fixed_clock(), layout=layout)
        answers[layout] = qb.process_request(ticket, rq(REQUESTS[name]))
    flat, laid_out = answers["one-line"], answers["indented"]
    assert "\n" not in flat and laid_out.endswith("</QBXML>\n")
    assert laid_out.startswith('<?xml version="1.0" ?>\n<QBXML>\n  <QBXMLMsgsRs')
    assert _one_line(laid_out) == _one_line(flat)
    assert_valid("16.0", laid_out)


def test_the_default_is_one_line() -> None:
    qb, ticket = session(company())
    assert "\n" not in qb.process_request(
        ticket, rq(REQUESTS["customers, an iterator's first page"])
    )
