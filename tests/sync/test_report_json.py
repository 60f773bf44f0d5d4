"""A report's body written as its rows are read (``ReportJson``, issue 12): the same body as
from the rows of a whole record, and a large report never held as objects."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from connector.qbxml.parse import iter_events, parse_response
from connector.qbxml.values import Record, RecordData
from connector.sync.reports import ReportJson, ReportSpec
from tests.qbxml.test_report_parse import RESPONSE, _big_report

SPEC = ReportSpec("aged-receivables", "accrual", as_of=date(2023, 12, 15))
TAKEN = datetime(2023, 12, 15, 18, 0, tzinfo=UTC)


def _record(text: str, sink: ReportJson | None = None) -> RecordData:
    events = iter_events(text, report_rows=sink.add if sink is not None else None)
    (record,) = [e for e in events if isinstance(e, Record)]
    return record.data


def test_rows_taken_as_read_make_the_body_of_the_whole_record() -> None:
    for text in (RESPONSE, _big_report(300)):
        streamed = ReportJson(SPEC, {})
        ret = _record(text, streamed)
        assert ret["Rows"] == []  # the rows went to the sink
        whole = ReportJson(SPEC, {}).text(_record(text), TAKEN)
        assert streamed.text(ret, TAKEN) == whole
        assert len(json.loads(whole)["rows"]) == text.count("Row rowNumber=")


def test_the_body_of_a_documented_aging_report() -> None:
    (record,) = [e for e in parse_response(RESPONSE) if isinstance(e, Record)]
    accounts = {"Abercrombie, Kristy": "80000001-1"}
    body = json.loads(ReportJson(SPEC, accounts).text(record.data, TAKEN))
    assert list(body) == [
        "reportType", "basis", "asOf", "takenAt", "title", "subtitle", "columns", "rows",
        "summary",
    ]  # fmt: skip
    assert body["asOf"] == "2023-12-15" and body["title"] == "A/R Aging Summary"
    assert [c["title"] for c in body["columns"]] == ["Days Current", "TOTAL"]
    assert body["rows"] == [
        {"kind": "text", "label": "Customers", "values": [None, None]},
        {"kind": "data", "label": "Abercrombie, Kristy", "values": ["1095.00", "1095.00"]},
        {"kind": "data", "label": "Cook, Brian", "values": [None, "-12.50"]},
        {"kind": "total", "label": "TOTAL", "values": ["1095.00", "1082.50"]},
    ]
    assert body["summary"] == {"total": "1082.50", "buckets": {"Days Current": "1095.00"}}


WRITE_BIG = """
import sys
from datetime import UTC, date, datetime
from pathlib import Path
from tests.qbxml.test_report_parse import _big_report
from tests.sync.test_report_json import SPEC, TAKEN, _record
from connector.sync.reports import ReportJson
text = _big_report(30_000)
hwm = lambda: int(Path("/proc/self/status").read_text().split("VmHWM:")[1].split()[0])
before = hwm()
if sys.argv[1] == "streamed":
    body = ReportJson(SPEC, {})
    written = body.text(_record(text, body), TAKEN)
else:  # the rows of the whole record, as dicts first
    written = ReportJson(SPEC, {}).text(_record(text), TAKEN)
assert written.count('"kind":"data"') == 30_002
print((hwm() - before) // 1024)
"""


def _grown(way: str) -> int:
    return int(
        subprocess.run(
            [sys.executable, "-c", WRITE_BIG, way],
            capture_output=True,
            text=True,
            check=True,
            cwd=Path(__file__).resolve().parents[2],
        ).stdout
    )


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="needs Linux /proc (VmHWM)")
def test_a_large_report_is_written_as_its_rows_are_read() -> None:
    """30,000 rows (a 4 MB report): their dicts grew the process by 13 MB; written as read,
    by nothing measurable (the body's 2.5 MB of text fit in what making the report took)."""
    streamed, whole = _grown("streamed"), _grown("whole")
    assert streamed < 6, f"writing the report grew the process by {streamed} MB"
    assert whole > streamed + 5, f"rows held as dicts: {whole} MB, streamed: {streamed} MB"
