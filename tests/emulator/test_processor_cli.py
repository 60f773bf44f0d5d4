"""``qbd-emulator qbxml``: request on stdin, response on stdout."""

from __future__ import annotations

import io
from datetime import timedelta
from pathlib import Path

import pytest

from qbd_emulator.cli import main
from qbd_emulator.company import storage
from qbd_emulator.generate import generate
from qbd_emulator.generate.gen import NOW
from tests.emulator.test_processor_support import one, rq, status


def _run(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], request: str, *argv: str
) -> tuple[int, str, str]:
    monkeypatch.setattr("sys.stdin", io.StringIO(request))
    code = main(["qbxml", *argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_query_on_a_generated_company(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = _run(
        monkeypatch,
        capsys,
        rq('<CustomerQueryRq requestID="5"><MaxReturned>2</MaxReturned></CustomerQueryRq>'),
        "--seed",
        "2",
        "--size",
        "tiny",
    )
    assert code == 0 and err == ""
    rs = one(out)
    assert status(rs) == 0 and len(rs) == 2 and rs.get("requestID") == "5"


def test_layout_indented_prints_the_response_one_element_a_line(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    request = rq('<CustomerQueryRq requestID="5"><MaxReturned>2</MaxReturned></CustomerQueryRq>')
    code, flat, _ = _run(monkeypatch, capsys, request, "--seed", "2")
    assert code == 0 and flat.count("\n") == 1  # one line, and the line break print adds
    code, laid_out, err = _run(monkeypatch, capsys, request, "--seed", "2", "--layout", "indented")
    assert code == 0 and err == ""
    assert laid_out.startswith('<?xml version="1.0" ?>\n<QBXML>\n  <QBXMLMsgsRs>\n')
    assert laid_out.endswith("</QBXML>\n") and not laid_out.endswith("\n\n")
    rs = one(laid_out)
    assert status(rs) == 0 and len(rs) == 2 and rs.get("requestID") == "5"


def test_an_unknown_layout_is_refused(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exc:
        _run(monkeypatch, capsys, rq("<HostQueryRq/>"), "--layout", "pretty")
    assert exc.value.code == 2
    assert "invalid choice: 'pretty'" in capsys.readouterr().err


def test_refused_request_prints_the_hresult(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = _run(
        monkeypatch, capsys, rq("<HostQueryRq/>", version="14.0"), "--qbxml-version", "13.0"
    )
    assert code == 1 and out == ""
    assert err.startswith(
        "0x80040423: The version of QBXML that was requested is not supported or is unknown."
    )
    assert "supports up to 13.0" in err
    code, out, err = _run(monkeypatch, capsys, "not xml")
    assert code == 1 and out == ""
    assert err.startswith(
        "0x80040400: QuickBooks found an error when parsing the provided XML text stream. ("
    )


def test_company_file_and_save(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = tmp_path / "acme.qbd.gz"
    storage.save(generate(4, "tiny"), path)
    add = rq(
        "<CustomerAddRq><CustomerAdd><Name>Saved Customer</Name></CustomerAdd></CustomerAddRq>"
    )
    code, out, _ = _run(monkeypatch, capsys, add, "--company", str(path), "--save")
    assert code == 0 and status(one(out)) == 0
    assert storage.load(path).find_by_name("customers", "Saved Customer") is not None


def test_bad_arguments(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = _run(monkeypatch, capsys, "", "--size", "enormous")
    assert code == 2 and "enormous" in err
    code, _, err = _run(monkeypatch, capsys, "", "--save")
    assert code == 2 and "--company" in err


def test_now_sets_quickbooks_clock(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    deleted = rq(
        "<TxnDeletedQueryRq><TxnDelType>Invoice</TxnDelType><TxnDelType>Bill</TxnDelType>"
        "<TxnDelType>Check</TxnDelType><TxnDelType>ReceivePayment</TxnDelType>"
        "</TxnDeletedQueryRq>"
    )
    then = NOW.isoformat()
    code, out, err = _run(monkeypatch, capsys, deleted, "--size", "small", "--now", then)
    assert code == 0 and err == ""
    rs = one(out)
    assert status(rs) == 0 and len(rs) > 0
    later = (NOW + timedelta(days=365)).isoformat()
    code, out, _ = _run(monkeypatch, capsys, deleted, "--size", "small", "--now", later)
    assert code == 0 and status(one(out)) == 1  # all older than 90 days by then
    add = rq("<CustomerAddRq><CustomerAdd><Name>Clocked</Name></CustomerAdd></CustomerAddRq>")
    code, out, _ = _run(monkeypatch, capsys, add, "--now", then)
    assert one(out).findtext("CustomerRet/TimeCreated") == then


@pytest.mark.parametrize("bad", ["yesterday", "2024-06-28T17:00:00"])
def test_now_must_be_an_aware_date_time(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], bad: str
) -> None:
    code, out, err = _run(monkeypatch, capsys, rq("<HostQueryRq/>"), "--now", bad)
    assert code == 2 and out == "" and "--now" in err
