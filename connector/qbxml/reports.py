"""Reading a ``ReportRet`` (GeneralSummaryReportQuery, AgingReportQuery, the other report
queries of the schema): its title, basis, columns and rows, attributes included.

Owns: turning a ``ReportRet`` element (the streaming parser hands it over whole: a report
is one record) into a record value: ``ReportTitle``, ``ReportSubtitle``, ``ReportBasis``
when present, ``Columns`` (``[{Title, ColType, DataType}]`` in colID order, the titles of
several title rows joined by a space) and ``Rows`` (``[{Kind, Label, RowType, Values}]``,
``Kind`` one of ``data``, ``text``, ``subtotal``, ``total``; ``Label`` the RowData value,
else the first column's, else a TextRow's value; ``Values`` the ColData values of the
columns after the first, as text, ``""`` where a cell has none). The schema puts every
value in attributes (ColDesc colID/dataType, ColTitle value, RowData rowType/value,
ColData colID/value), which the record reader of ``parse_values`` does not keep, hence
this reader. Must not: do I/O, or decide what a row means (``connector/sync/reports.py``).
"""

from __future__ import annotations

from lxml import etree

from connector.qbxml.values import RecordData, Value

__all__ = ["ROW_KINDS", "read_report_ret"]

ROW_KINDS = {"DataRow": "data", "TextRow": "text", "SubtotalRow": "subtotal", "TotalRow": "total"}


def _local(tag: object) -> str:
    text = str(tag)
    return text.rsplit("}", 1)[-1]


def _int(value: str | None, default: int) -> int:
    try:
        return int(str(value).strip())
    except ValueError:
        return default


def read_report_ret(elem: etree._Element) -> RecordData:
    """The record value of one ``ReportRet`` element (see the module docstring)."""
    out: RecordData = {}
    columns: dict[int, RecordData] = {}
    rows: list[Value] = []
    for child in elem:
        name = _local(child.tag)
        if name in ("ReportTitle", "ReportSubtitle", "ReportBasis"):
            out[name] = (child.text or "").strip()
        elif name == "ColDesc":
            col_id = _int(child.get("colID"), len(columns) + 1)
            titles = [str(t.get("value", "")) for t in child if _local(t.tag) == "ColTitle"]
            col_type = next((t.text or "" for t in child if _local(t.tag) == "ColType"), "")
            columns[col_id] = {
                "Title": " ".join(t for t in titles if t),
                "ColType": col_type.strip(),
                "DataType": str(child.get("dataType", "")),
            }
        elif name == "ReportData":
            order = sorted(columns)
            rows = [_row(row, order) for row in child if _local(row.tag) in ROW_KINDS]
    out["Columns"] = [columns[key] for key in sorted(columns)]
    out["Rows"] = rows
    return out


def _row(elem: etree._Element, order: list[int]) -> RecordData:
    kind = ROW_KINDS[_local(elem.tag)]
    cells: dict[int, str] = {}
    label = row_type = ""
    for child in elem:
        name = _local(child.tag)
        if name == "RowData":
            label = str(child.get("value", ""))
            row_type = str(child.get("rowType", ""))
        elif name == "ColData":
            cells[_int(child.get("colID"), len(cells) + 1)] = str(child.get("value", ""))
    if kind == "text":
        label = str(elem.get("value", ""))
    first = order[0] if order else 1
    if not label:
        label = cells.get(first, "")
    values: list[Value] = [cells.get(col_id, "") for col_id in order[1:]]
    return {"Kind": kind, "Label": label, "RowType": row_type, "Values": values}
