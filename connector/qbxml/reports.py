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

from collections.abc import Callable

from lxml import etree

from connector.qbxml.values import RecordData, Value

RowSink = Callable[[RecordData], None]
"""Takes a report's rows one by one as the parser reads them (``iter_events(report_rows=)``)."""

__all__ = ["ROW_KINDS", "ReportRows", "RowSink", "read_report_ret"]

ROW_KINDS = {"DataRow": "data", "TextRow": "text", "SubtotalRow": "subtotal", "TotalRow": "total"}


def _local(tag: object) -> str:
    text = str(tag)
    return text.rsplit("}", 1)[-1]


def _int(value: str | None, default: int) -> int:
    try:
        return int(str(value).strip())
    except ValueError:
        return default


class ReportRows:
    """The rows of one ``ReportRet`` read as each ends, so that the streaming parser can free
    it at once: a report is one record, and an aging report of a large company (25,000 rows,
    9 MB) held whole as a tree cost the service about 150 MB (issue 12). With a ``sink``
    each row goes to it instead of ``rows`` (the record's ``Rows`` are then empty), so that
    the caller can keep each row in its own, smaller form: those 25,000 rows as dicts are
    another 22 MB."""

    def __init__(self, sink: RowSink | None = None) -> None:
        self.rows: list[Value] = []
        self._order: list[int] | None = None
        self._sink = sink

    def ended(self, elem: etree._Element) -> bool:
        """An element two levels inside the ``ReportRet`` ended: True when it was a row
        (a child of ``ReportData``: its ``ColDesc`` uncles ended before it), now read and
        for the caller to free; False for anything else (the inside of a ``ColDesc``)."""
        data = elem.getparent()
        if _local(elem.tag) not in ROW_KINDS or data is None or _local(data.tag) != "ReportData":
            return False
        if self._order is None:
            report = data.getparent()
            self._order = sorted(_columns(report)) if report is not None else []
        row = _row(elem, self._order)
        if self._sink is not None:
            self._sink(row)
        else:
            self.rows.append(row)
        return True


def _columns(elem: etree._Element) -> dict[int, RecordData]:
    columns: dict[int, RecordData] = {}
    for child in elem:
        if _local(child.tag) == "ColDesc":
            col_id = _int(child.get("colID"), len(columns) + 1)
            titles = [str(t.get("value", "")) for t in child if _local(t.tag) == "ColTitle"]
            col_type = next((t.text or "" for t in child if _local(t.tag) == "ColType"), "")
            columns[col_id] = {
                "Title": " ".join(t for t in titles if t),
                "ColType": col_type.strip(),
                "DataType": str(child.get("dataType", "")),
            }
    return columns


def read_report_ret(elem: etree._Element, streamed: ReportRows | None = None) -> RecordData:
    """The record value of one ``ReportRet`` element (see the module docstring); its rows
    from ``streamed`` where they were read as they ended (and freed)."""
    out: RecordData = {}
    columns = _columns(elem)
    rows: list[Value] = streamed.rows if streamed is not None else []
    for child in elem:
        name = _local(child.tag)
        if name in ("ReportTitle", "ReportSubtitle", "ReportBasis"):
            out[name] = (child.text or "").strip()
        elif name == "ReportData" and streamed is None:
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
