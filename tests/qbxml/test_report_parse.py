"""Reading a ``ReportRet`` as Intuit's documentation lays it out (several column title rows,
``dataType`` on ColData, rows without RowData, empty cells, namespaces aside): the same
structure the fake QuickBooks' reports give."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from lxml import etree

from connector.qbxml.parse import parse_response
from connector.qbxml.reports import read_report_ret
from connector.qbxml.values import Record

RESPONSE = """<?xml version="1.0" ?>
<QBXML><QBXMLMsgsRs>
<AgingReportQueryRs requestID="7" statusCode="0" statusSeverity="Info" statusMessage="Status OK">
<ReportRet>
<ReportTitle>A/R Aging Summary</ReportTitle>
<ReportSubtitle>As of December 15, 2023</ReportSubtitle>
<NumRows>4</NumRows><NumColumns>3</NumColumns><NumColTitleRows>2</NumColTitleRows>
<ColDesc colID="1" dataType="STRTYPE"><ColTitle titleRow="1" /><ColTitle titleRow="2" /><ColType>Label</ColType></ColDesc>
<ColDesc colID="2" dataType="AMTTYPE"><ColTitle titleRow="1" value="Days" /><ColTitle titleRow="2" value="Current" /><ColType>Amount</ColType></ColDesc>
<ColDesc colID="3" dataType="AMTTYPE"><ColTitle titleRow="1" /><ColTitle titleRow="2" value="TOTAL" /><ColType>Total</ColType></ColDesc>
<ReportData>
<TextRow rowNumber="1" value="Customers" />
<DataRow rowNumber="2"><RowData rowType="customer" value="Abercrombie, Kristy" /><ColData colID="1" value="Abercrombie, Kristy" /><ColData colID="2" value="1095.00" dataType="AMTTYPE" /><ColData colID="3" value="1095.00" /></DataRow>
<DataRow rowNumber="3"><ColData colID="1" value="Cook, Brian" /><ColData colID="3" value="-12.50" /></DataRow>
<TotalRow rowNumber="4"><RowData rowType="label" value="TOTAL" /><ColData colID="1" value="TOTAL" /><ColData colID="2" value="1095.00" /><ColData colID="3" value="1082.50" /></TotalRow>
</ReportData>
</ReportRet>
</AgingReportQueryRs>
</QBXMLMsgsRs></QBXML>"""


def test_a_documented_report_reads_into_the_fake_s_structure() -> None:
    (record,) = [e for e in parse_response(RESPONSE) if isinstance(e, Record)]
    assert record.ret == "ReportRet" and record.request_id == "7"
    data = record.data
    assert set(data) == {"ReportTitle", "ReportSubtitle", "Columns", "Rows"}
    assert data["Columns"] == [
        {"Title": "", "ColType": "Label", "DataType": "STRTYPE"},
        {"Title": "Days Current", "ColType": "Amount", "DataType": "AMTTYPE"},
        {"Title": "TOTAL", "ColType": "Total", "DataType": "AMTTYPE"},
    ]
    assert data["Rows"] == [
        {"Kind": "text", "Label": "Customers", "RowType": "", "Values": ["", ""]},
        {
            "Kind": "data",
            "Label": "Abercrombie, Kristy",
            "RowType": "customer",
            "Values": ["1095.00", "1095.00"],
        },
        {"Kind": "data", "Label": "Cook, Brian", "RowType": "", "Values": ["", "-12.50"]},
        {"Kind": "total", "Label": "TOTAL", "RowType": "label", "Values": ["1095.00", "1082.50"]},
    ]


def _big_report(rows: int) -> str:
    data = "".join(
        f'<DataRow rowNumber="{n}"><RowData rowType="customer" value="Customer {n}" />'
        f'<ColData colID="1" value="Customer {n}" /><ColData colID="2" value="{n}.25" />'
        f'<ColData colID="3" value="{n}.25" /></DataRow>'
        for n in range(rows)
    )
    head, tail = RESPONSE.split("<ReportData>")
    return (
        head
        + "<ReportData>"
        + data
        + tail.split("</ReportData>", 1)[0].replace("\n", "")
        + "</ReportData>"
        + tail.split("</ReportData>", 1)[1]
    )


def test_rows_read_as_they_end_are_the_rows_of_the_whole_report() -> None:
    for text in (RESPONSE, _big_report(300)):
        (record,) = [e for e in parse_response(text) if isinstance(e, Record)]
        whole = etree.fromstring(text.encode()).find(".//ReportRet")
        assert whole is not None
        assert record.data == read_report_ret(whole)
        rows = record.data["Rows"]
        assert isinstance(rows, list) and len(rows) == text.count("Row rowNumber=")


PARSE_BIG = """
import sys
from pathlib import Path
from tests.qbxml.test_report_parse import _big_report
from connector.qbxml.parse import parse_response
text = _big_report(30_000)
hwm = lambda: int(Path("/proc/self/status").read_text().split("VmHWM:")[1].split()[0])
before = hwm()
records = [e for e in parse_response(text) if type(e).__name__ == "Record"]
assert len(records[0].data["Rows"]) == 30_004
print((hwm() - before) // 1024)
"""


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="needs Linux /proc (VmHWM)")
def test_a_large_report_is_parsed_without_holding_its_tree() -> None:
    """A 30,000-row report (about 4 MB) held whole as a tree grew the process by 85 MB; read
    row by row, by 11 MB (the rows' own values)."""
    grown = subprocess.run(
        [sys.executable, "-c", PARSE_BIG], capture_output=True, text=True, check=True,
        cwd=Path(__file__).resolve().parents[2],
    ).stdout  # fmt: skip
    assert int(grown) < 40, f"parsing grew the process by {grown} MB"
