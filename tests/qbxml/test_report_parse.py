"""Reading a ``ReportRet`` as Intuit's documentation lays it out (several column title rows,
``dataType`` on ColData, rows without RowData, empty cells, namespaces aside): the same
structure the fake QuickBooks' reports give."""

from __future__ import annotations

from connector.qbxml.parse import parse_response
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
