"""The fake Web Connector: the QBWC client driving the fake QuickBooks over real HTTP, against a
scripted SOAP service (the live service has its own tests in tests/qbwc/test_client_live.py)."""

from __future__ import annotations

import uuid
from collections import deque
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest

from connector.processors.base import ProcessorError
from connector.qbwc.client import ClientConfig, SessionResult
from connector.qbwc.qwc import parse_qwc, render_qwc
from qbd_emulator.cli import main
from qbd_emulator.company import CompanyFile
from qbd_emulator.processor import FakeQuickBooks
from qbd_emulator.webconnector import (
    AddApplicationError,
    FileIdOutcome,
    add_application,
    run_webconnector,
)
from tests.qbwc.client_doubles import ScriptedService
from tests.qbwc.client_server import ScriptedSoapApp, serve

OWNER = "{57F3B9B1-86F1-4fcc-B1EE-566DE1813D20}"
CUSTOMER_QUERY = (
    '<?xml version="1.0" ?><?qbxml version="16.0"?><QBXML><QBXMLMsgsRq onError="stopOnError">'
    '<CustomerQueryRq requestID="7"><MaxReturned>5</MaxReturned></CustomerQueryRq>'
    "</QBXMLMsgsRq></QBXML>"
)
NOT_QBXML = '<?xml version="1.0" ?><?qbxml version="16.0"?><QBXML><Nonsense/></QBXML>'


def _qwc_text(port: int) -> str:
    return render_qwc(
        app_name="qbd-connector",
        app_url=f"http://localhost:{port}/qbwc",
        app_support=f"http://localhost:{port}/support",
        user_name="qbd-test",
        owner_id=OWNER,
        file_id=str(uuid.UUID(int=7)),
    )


def _company() -> CompanyFile:
    return CompanyFile(
        company_info={"IsSampleCompany": False, "CompanyName": "Acme"}, preferences={}
    )


def _fake(company: CompanyFile, **kw: object) -> FakeQuickBooks:
    return FakeQuickBooks(company, clock=lambda: datetime(2026, 1, 5, 9, 0, tzinfo=UTC), **kw)  # type: ignore[arg-type]


def test_adding_the_application_registers_the_file_id_through_quickbooks() -> None:
    company = _company()
    qwc = parse_qwc(_qwc_text(1))
    assert add_application(qwc, _fake(company)) is FileIdOutcome.ADDED
    assert add_application(qwc, _fake(company)) is FileIdOutcome.PRESENT
    expected = {
        "OwnerID": OWNER,
        "DataExtName": "FileID",
        "DataExtType": "STR255TYPE",
        "DataExtValue": qwc.file_id,
    }
    assert company.data_ext == [expected]
    other = replace(qwc, file_id="{" + str(uuid.UUID(int=8)) + "}")
    with pytest.raises(AddApplicationError, match=r"QBWC1026.*bound to FileID.*3100"):
        add_application(other, _fake(company))  # the file keeps the FileID it was bound to
    assert company.data_ext == [expected]


def test_adding_the_application_needs_quickbooks() -> None:
    with pytest.raises(ProcessorError) as info:
        add_application(parse_qwc(_qwc_text(1)), _fake(_company(), running=False))
    assert info.value.hresult == 0x80040408


def test_session_with_the_fake_quickbooks() -> None:
    company = _company()
    service = ScriptedService(requests=deque([CUSTOMER_QUERY]), percents=deque([100]))
    with serve(ScriptedSoapApp(service)) as port:
        qwc = parse_qwc(_qwc_text(port))
        add_application(qwc, FakeQuickBooks(company))
        summary = run_webconnector(qwc, "pw", _fake(company), timeout=10)
    assert summary.result is SessionResult.DONE, summary.errors
    (first,) = service.args("sendRequestXML")
    hcp = str(first[1])
    assert "<HostQueryRs" in hcp and "<PreferencesQueryRs" in hcp
    assert f"<DataExtValue>{qwc.file_id}</DataExtValue>" in hcp
    assert first[2:] == (company.file_path, "US", 16, 0)
    (received,) = service.args("receiveResponseXML")
    assert '<CustomerQueryRs requestID="7" statusCode="1"' in str(received[1])
    assert received[2:] == ("", "")


def test_quickbooks_not_running() -> None:
    service = ScriptedService(auth_reply=("t", ""))
    with serve(ScriptedSoapApp(service)) as port:
        qwc = parse_qwc(_qwc_text(port))
        summary = run_webconnector(qwc, "pw", _fake(_company(), running=False), timeout=10)
    assert summary.result is SessionResult.CONNECTION_ERROR
    (args,) = service.args("connectionError")
    assert args[1] == "0x80040408"
    assert summary.calls[-2:] == ("connectionError", "closeConnection")


def test_request_quickbooks_cannot_parse() -> None:
    service = ScriptedService(
        requests=deque([NOT_QBXML]), percents=deque([-101]), last_errors=deque(["bad request"])
    )
    with serve(ScriptedSoapApp(service)) as port:
        qwc = parse_qwc(_qwc_text(port))
        summary = run_webconnector(
            qwc, "pw", _fake(_company()), timeout=10, config=ClientConfig(noop_wait_seconds=0)
        )
    assert summary.result is SessionResult.SERVICE_ERROR
    (received,) = service.args("receiveResponseXML")
    assert received[1:3] == ("", "0x80040400")
    assert summary.processor_errors == 1


def test_cli_refuses_bad_inputs(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "bad.qwc"
    bad.write_text("<QBWCXML><AppName>x</AppName></QBWCXML>")
    assert main(["webconnector", "--qwc", str(bad), "--password", "p"]) == 2
    assert "QBWC1039" in capsys.readouterr().err
    assert main(["webconnector", "--qwc", str(tmp_path / "none.qwc"), "--password", "p"]) == 2
    good = tmp_path / "good.qwc"
    good.write_text(_qwc_text(1))
    args = ["webconnector", "--qwc", str(good), "--password", "p"]
    assert main([*args, "--scenario", str(tmp_path / "x.json")]) == 2
    assert "cannot read scenario" in capsys.readouterr().err
    assert main([*args, "--replay", "x.json", "--company", "c.qbe"]) == 2
    assert "--replay" in capsys.readouterr().err
    assert main([*args, "--replay", str(tmp_path / "x.json")]) == 2
    assert "cannot read cassette" in capsys.readouterr().err
