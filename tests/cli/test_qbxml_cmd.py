"""``qbd-connector qbxml parse``: JSON lines out, exit status 2 and no traceback on bad input."""

from __future__ import annotations

import io
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from connector.cli import main
from connector.cli.qbxml_cmd import json_lines
from connector.qbxml.values import MessageSet
from tests.refpaths import reference_path

RESPONSE = (
    b'<?xml version="1.0" ?><QBXML><QBXMLMsgsRs>'
    b'<InvoiceQueryRs requestID="9" statusCode="0" statusSeverity="Info" statusMessage="Status OK"'
    b' iteratorRemainingCount="2" iteratorID="{it}"><InvoiceRet><TxnID>1-2</TxnID>'
    b"<TimeCreated>2014-03-09T02:30:00-07:00</TimeCreated><TxnDate>2014-02-03</TxnDate>"
    b"<Subtotal>206.00</Subtotal><IsPaid>false</IsPaid><InvoiceLineRet><Quantity>2</Quantity>"
    b"</InvoiceLineRet><Memo>caf\xc3\xa9</Memo></InvoiceRet></InvoiceQueryRs>"
    b'<CustomerQueryRs requestID="10" statusCode="3120" statusSeverity="Error" statusMessage="x"/>'
    b"</QBXMLMsgsRs></QBXML>"
)


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, list[str], str]:
    code = main(["qbxml", "parse", *argv])
    out, err = capsys.readouterr()
    return code, out.splitlines(), err


def test_file_to_json_lines(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "rs.xml"
    path.write_bytes(RESPONSE)
    code, lines, err = run(capsys, str(path))
    assert code == 0 and err == ""
    first, record, second = (json.loads(line) for line in lines)
    assert first == {
        "kind": "response",
        "name": "InvoiceQueryRs",
        "requestID": "9",
        "statusCode": 0,
        "statusSeverity": "Info",
        "statusMessage": "Status OK",
        "statusClass": "ok",
        "iteratorRemainingCount": 2,
        "iteratorID": "{it}",
        "retCount": None,
    }
    assert record["kind"] == "record" and record["type"] == "InvoiceRet"
    assert record["requestID"] == "9"
    assert record["data"] == {
        "TxnID": "1-2",
        "TimeCreated": "2014-03-09T02:30:00-07:00",
        "TxnDate": "2014-02-03",
        "Subtotal": "206.00",
        "IsPaid": False,
        "InvoiceLineRet": [{"Quantity": "2"}],
        "Memo": "café",
    }
    assert (second["statusCode"], second["statusClass"]) == (3120, "not_found")


def test_stdin(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(RESPONSE)))
    code, lines, _ = run(capsys)
    assert code == 0 and len(lines) == 3


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        pytest.param(b"\x00\x01garbage", "Start tag expected", id="not-xml"),
        pytest.param(b'<!DOCTYPE x [<!ENTITY a "b">]><x>&a;</x>', "DOCTYPE", id="dtd"),
        pytest.param(b"<QBXML><QBXMLMsgsRq/></QBXML>", "QBXMLMsgsRs", id="a-request"),
        pytest.param(b"", "empty", id="empty"),
    ],
)
def test_unreadable_input_exits_2_with_a_reason(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], data: bytes, reason: str
) -> None:
    path = tmp_path / "bad.xml"
    path.write_bytes(data)
    code, lines, err = run(capsys, str(path))
    assert code == 2 and lines == []
    assert err.startswith(f"qbd-connector qbxml parse: {path}: ") and reason in err
    assert "Traceback" not in err


def test_lines_before_a_break_stay_printed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "cut.xml"
    path.write_bytes(RESPONSE[:-60])
    code, lines, err = run(capsys, str(path))
    assert code == 2 and len(lines) == 2 and "line 1" in err


def test_missing_file_and_bad_limit(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, str(tmp_path / "nope.xml"))
    assert code == 2 and "No such file" in err
    path = tmp_path / "rs.xml"
    path.write_bytes(RESPONSE)
    code, _, err = run(capsys, str(path), "--max-bytes", "100")
    assert code == 2 and "size limit of 100 bytes" in err
    code, _, err = run(capsys, str(path), "--max-bytes", "0")
    assert code == 2 and "max_bytes" in err


def test_message_set_line_only_when_present() -> None:
    assert list(json_lines(iter([MessageSet()]))) == []
    line = next(json_lines(iter([MessageSet("set-1", None)])))
    assert line == {"kind": "messageSet", "newMessageSetID": "set-1", "messageSetStatusCode": None}


def test_reference_hcp_response(capsys: pytest.CaptureFixture[str]) -> None:
    path = reference_path(
        "responses",
        "consolibyte-log-2008",
        "strHCPResponse_HostQueryRs_CompanyQueryRs_PreferencesQueryRs_QBPro2006.xml",
    )
    code, lines, _ = run(capsys, str(path))
    kinds = [(d["kind"], d.get("name") or d.get("type")) for d in map(json.loads, lines)]
    assert code == 0
    assert kinds == [
        ("response", "HostQueryRs"),
        ("record", "HostRet"),
        ("response", "CompanyQueryRs"),
        ("record", "CompanyRet"),
        ("response", "PreferencesQueryRs"),
        ("record", "PreferencesRet"),
    ]


def test_console_script_help_and_garbage() -> None:
    script = [sys.executable, "-m", "connector", "qbxml", "parse"]
    helped = subprocess.run([*script, "--help"], capture_output=True, text=True, check=True)
    assert "JSON lines" in helped.stdout and "FILE" in helped.stdout
    bad = subprocess.run(script, input=b"not xml at all", capture_output=True, check=False)
    assert bad.returncode == 2
    assert b"qbd-connector qbxml parse: stdin:" in bad.stderr and b"Traceback" not in bad.stderr


def test_qbxml_version_must_be_one_we_have_tables_for(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "rs.xml"
    path.write_bytes(RESPONSE)
    code, lines, _ = run(capsys, "--qbxml-version", "13.0", str(path))
    assert code == 0 and json.loads(lines[1])["data"]["Subtotal"] == "206.00"
    for bad in ("12.0", "abc"):
        with pytest.raises(SystemExit) as info:
            run(capsys, "--qbxml-version", bad, str(path))
        assert info.value.code == 2
        assert "invalid choice" in capsys.readouterr().err


def envelope(method: str, body: str) -> bytes:
    return (
        '<?xml version="1.0" encoding="utf-8"?><soap:Envelope '
        'xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body>'
        f'<{method} xmlns="http://developer.intuit.com/"><ticket>t-1</ticket>{body}</{method}>'
        "</soap:Body></soap:Envelope>"
    ).encode()


def test_a_captured_soap_call_is_unwrapped(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    escaped = RESPONSE.decode().replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    path = tmp_path / "call.xml"
    path.write_bytes(envelope("receiveResponseXML", f"<response>{escaped}</response>"))
    code, lines, err = run(capsys, str(path))
    assert code == 0 and err == ""
    assert [json.loads(line)["kind"] for line in lines] == ["response", "record", "response"]
    assert json.loads(lines[1])["data"]["Memo"] == "café"
    # the qbXML embedded unescaped (as some capture tools print it) is read in place
    path.write_bytes(
        envelope("receiveResponseXML", f"<response>{RESPONSE.decode()[22:]}</response>")
    )
    code, lines, _ = run(capsys, str(path))
    assert code == 0 and len(lines) == 3


def test_a_soap_call_without_response_says_what_qbwc_reported(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "failed.xml"
    body = "<response/><hresult>0x80040400</hresult><message>QuickBooks found an error</message>"
    path.write_bytes(envelope("receiveResponseXML", body))
    code, lines, err = run(capsys, str(path))
    assert code == 2 and lines == []
    assert "no response: hresult 0x80040400 (QuickBooks found an error)" in err
    path.write_bytes(envelope("closeConnection", ""))
    code, _, err = run(capsys, str(path))
    assert code == 2 and "no QBXMLMsgsRs" in err
    path.write_bytes(envelope("receiveResponseXML", "<response>" + "x" * 200 + "</response>"))
    code, _, err = run(capsys, str(path), "--max-bytes", "100")
    assert code == 2 and "size limit of 100 bytes" in err


@pytest.mark.parametrize(
    ("name", "names"),
    [
        pytest.param(
            "04_sendRequestXML_firstcall_with_strHCPResponse.xml",
            ["HostQueryRs", "HostRet", "CompanyQueryRs", "CompanyRet"],
            id="strHCPResponse",
        ),
        pytest.param("05_receiveResponseXML.xml", ["CustomerAddRs", "CustomerRet"], id="response"),
    ],
)
def test_reference_soap_calls(
    name: str, names: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    path = reference_path("soap", "consolibyte-log-2008", name)
    code, lines, _ = run(capsys, str(path))
    assert code == 0
    seen = [d.get("name") or d.get("type") for d in map(json.loads, lines)]
    assert seen[: len(names)] == names


@pytest.mark.parametrize(
    "cut",
    [
        pytest.param(340, id="in-a-start-tag"),
        pytest.param(300, id="in-an-end-tag"),
        pytest.param(250, id="in-a-value"),
        pytest.param(200, id="in-a-child-start-tag"),
    ],
)
def test_a_truncated_file_prints_no_partial_record(tmp_path: Path, cut: int) -> None:
    """Cut inside the one record: stdout never holds that record (it did not complete); the
    response line before it stays; stderr says where the file broke (issue 11 item 5)."""
    path = tmp_path / "cut.xml"
    path.write_bytes(RESPONSE[:-cut])
    done = subprocess.run(
        [sys.executable, "-m", "connector", "qbxml", "parse", str(path)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 2
    kinds = [json.loads(line)["kind"] for line in done.stdout.splitlines()]
    assert kinds == ["response"], done.stdout
    assert re.search(r"\(line 1, column \d+\)", done.stderr), done.stderr
    assert "Traceback" not in done.stderr


def test_a_record_closed_before_the_cut_is_printed_whole(tmp_path: Path) -> None:
    cut = RESPONSE.index(b"</InvoiceRet>") + len(b"</InvoiceRet>")
    path = tmp_path / "cut.xml"
    path.write_bytes(RESPONSE[:cut])
    done = subprocess.run(
        [sys.executable, "-m", "connector", "qbxml", "parse", str(path)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 2 and "Premature end of data" in done.stderr
    record = json.loads(done.stdout.splitlines()[-1])
    assert record["kind"] == "record" and record["data"]["Memo"] == "café"
