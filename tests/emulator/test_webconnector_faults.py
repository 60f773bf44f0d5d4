"""Faults as data on either seam of a fake Web Connector run (``--scenario``)."""

from __future__ import annotations

import json
import random
from collections.abc import Iterator
from pathlib import Path

import pytest

from connector.api.app import create_app
from connector.processors.base import ProcessorError
from connector.qbwc.client.envelopes import (
    FailureKind,
    HttpReply,
    QbwcMethod,
    SoapCallError,
    read_string_result,
)
from connector.qbwc.qwc import connection_qwc
from connector.settings import Settings
from connector.store.companies import get_company
from connector.store.db import Database
from qbd_emulator.child_service import free_port
from qbd_emulator.cli import main
from qbd_emulator.faults import (
    FaultyProcessor,
    FaultyTransport,
    Scenario,
    ScenarioError,
    parse_scenario,
)
from tests.qbwc.client_doubles import ScriptedProcessor
from tests.qbwc.client_server import serve
from tests.qbwc.scripted_work import ScriptedWork, make_connection


def _scenario(*faults: dict[str, object]) -> dict[str, object]:
    return {"format": "qbd-emulator/scenario", "version": 1, "faults": list(faults)}


PARSE_ERROR = {
    "name": "parse",
    "link": "quickbooks",
    "call": "process_request",
    "nth": 2,
    "kind": "hresult",
    "hresult": "0x80040400",
    "message": "QuickBooks found an error when parsing the provided XML text stream.",
}


@pytest.mark.parametrize(
    "bad",
    [
        pytest.param({"format": "other"}, id="format"),
        pytest.param({**_scenario(), "version": 9}, id="version"),
        pytest.param(_scenario({**PARSE_ERROR, "call": "sendRequestXML"}), id="call-on-wrong-link"),
        pytest.param(_scenario({**PARSE_ERROR, "kind": "drop"}), id="kind-on-wrong-link"),
        pytest.param(_scenario({**PARSE_ERROR, "probability": 2}), id="probability"),
        pytest.param(_scenario({**PARSE_ERROR, "hresult": "zz"}), id="hresult"),
        pytest.param(_scenario({"link": "quickbooks"}), id="missing-fields"),
        pytest.param(_scenario({**PARSE_ERROR, "when": "later"}), id="when"),
        pytest.param(
            _scenario({**PARSE_ERROR, "call": "begin_session", "request": "CustomerAddRq"}),
            id="request-on-another-call",
        ),
        pytest.param(
            _scenario(
                {
                    "name": "x",
                    "link": "soap",
                    "call": "sendRequestXML",
                    "kind": "drop",
                    "when": "before",
                }
            ),
            id="soap-before",
        ),
    ],
)
def test_bad_scenarios_are_refused(bad: dict[str, object]) -> None:
    with pytest.raises(ScenarioError):
        parse_scenario(bad)


def test_quickbooks_fault_hits_the_nth_call_once() -> None:
    inner = ScriptedProcessor()
    processor = FaultyProcessor(inner, parse_scenario(_scenario(PARSE_ERROR)), random.Random(1))
    assert processor.process_request("qb-ticket", "<HostQueryRq/>")
    with pytest.raises(ProcessorError) as info:
        processor.process_request("qb-ticket", "<x/>")
    assert info.value.hresult == 0x80040400
    assert processor.process_request("qb-ticket", "<x/>")
    assert processor.fired == ["parse at process_request #2"]
    assert inner.calls.count("process_request") == 1  # the faulted call never reached QuickBooks


@pytest.mark.parametrize("when", ["before", "after"])
def test_a_fault_on_one_request_before_or_after_quickbooks_applied_it(when: str) -> None:
    lost = {**PARSE_ERROR, "nth": 2, "request": "CustomerAddRq", "when": when}
    inner = ScriptedProcessor()
    processor = FaultyProcessor(inner, parse_scenario(_scenario(lost)), random.Random(1))
    processor.process_request("qb-ticket", "<CustomerAddRq><CustomerAdd/></CustomerAddRq>")
    processor.process_request("qb-ticket", "<CustomerQueryRq/>")  # not counted: not that request
    with pytest.raises(ProcessorError):
        processor.process_request("qb-ticket", "<CustomerAddRq requestID='2'/>")
    assert processor.fired == ["parse at process_request #2"]
    # after: QuickBooks ran the request (its answer is lost); before: it never saw it
    assert inner.calls.count("process_request") == (3 if when == "after" else 2)


def test_probability_is_seeded() -> None:
    flaky = {**PARSE_ERROR, "nth": None, "probability": 0.5}

    def pattern(seed: int) -> list[bool]:
        processor = FaultyProcessor(
            ScriptedProcessor(), parse_scenario(_scenario(flaky)), random.Random(seed)
        )
        hits = []
        for _ in range(40):
            try:
                processor.process_request("qb-ticket", "<x/>")
                hits.append(False)
            except ProcessorError:
                hits.append(True)
        return hits

    assert pattern(7) == pattern(7)
    assert 5 < sum(pattern(7)) < 35


class Echo:
    def __init__(self) -> None:
        self.sent: list[str] = []

    def post(self, method: QbwcMethod, envelope: bytes) -> HttpReply:
        self.sent.append(method.value)
        body = (
            '<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body>'
            f'<{method.value}Response xmlns="http://developer.intuit.com/"/></s:Body></s:Envelope>'
        )
        return HttpReply(200, body.encode())


@pytest.mark.parametrize(
    ("kind", "failure"),
    [
        pytest.param("drop", FailureKind.TRANSPORT, id="drop"),
        pytest.param("garbage", FailureKind.MALFORMED, id="garbage"),
        pytest.param("http_error", FailureKind.HTTP, id="http-error"),
    ],
)
def test_soap_faults_act_after_the_request_was_sent(kind: str, failure: FailureKind) -> None:
    fault = {"link": "soap", "call": "getLastError", "kind": kind, "status": 502}
    inner = Echo()
    transport = FaultyTransport(inner, parse_scenario(_scenario(fault)), random.Random(), print)
    with pytest.raises(SoapCallError) as info:
        read_string_result(
            QbwcMethod.GET_LAST_ERROR, transport.post(QbwcMethod.GET_LAST_ERROR, b"")
        )
    assert info.value.kind is failure
    assert inner.sent == ["getLastError"]


def test_delay_goes_through_the_injected_sleep() -> None:
    sleeps: list[float] = []
    scenario = Scenario(
        parse_scenario(
            _scenario({"link": "soap", "call": "closeConnection", "kind": "delay", "seconds": 3})
        ),
        seed=1,
        sleep=sleeps.append,
    )
    transport = scenario.wrap_transport(Echo())
    transport.post(QbwcMethod.CLOSE_CONNECTION, b"")
    assert sleeps == [3.0]
    assert scenario.fired() == ["fault-0 at closeConnection #1"]


@pytest.fixture
def run(sqlite_db: Database, tmp_path: Path) -> Iterator[tuple[list[str], ScriptedWork]]:
    port = free_port()
    settings = Settings(database_url="sqlite://", port=port)
    work = ScriptedWork(per_connection=2)
    app = create_app(settings, database=sqlite_db, work_source_factory=lambda _d, _s: work)
    row, password = make_connection(sqlite_db, "Acme")
    qwc = tmp_path / "acme.qwc"
    qwc.write_text(connection_qwc(settings, get_company(sqlite_db, "Acme"), row))
    with serve(app, port):
        yield ["webconnector", "--qwc", str(qwc), f"--password={password}", "--json"], work


def _with(tmp_path: Path, *faults: dict[str, object]) -> list[str]:
    path = tmp_path / "scenario.json"
    path.write_text(json.dumps(_scenario(*faults)))
    return ["--scenario", str(path)]


def test_cli_quickbooks_fault_mid_session(
    run: tuple[list[str], ScriptedWork], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args, work = run
    # The Host/Company/Preferences queries are call #1; the service's second request is #3.
    assert main([*args, *_with(tmp_path, {**PARSE_ERROR, "nth": 3})]) == 1
    out = json.loads(capsys.readouterr().out)
    assert out["result"] == "service_error"
    assert out["faults"] == ["parse at process_request #3"]
    assert [detail for name, _, detail in work.calls if name == "apply_error"] == ["0x80040400"]


def test_cli_lost_soap_reply(
    run: tuple[list[str], ScriptedWork], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args, work = run
    lost = {"name": "lost", "link": "soap", "call": "receiveResponseXML", "nth": 1, "kind": "drop"}
    assert main([*args, *_with(tmp_path, lost)]) == 1
    out = json.loads(capsys.readouterr().out)
    assert out["result"] == "soap_error"
    assert out["errors"][0].startswith("QBWC1042")
    assert work.names().count("apply_response") == 1  # the service did get the response


def test_cli_next_session_recovers_after_a_lost_reply(
    run: tuple[list[str], ScriptedWork], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args, work = run
    lost = {"link": "soap", "call": "receiveResponseXML", "nth": 1, "kind": "drop"}
    assert main([*args, *_with(tmp_path, lost)]) == 1
    capsys.readouterr()
    assert main(args) == 0  # the next scheduled update picks up where the first stopped
    again = json.loads(capsys.readouterr().out)
    assert again["result"] == "done"
    assert again["requests_processed"] == 1
    assert work.names().count("apply_response") == 2  # each response stored exactly once


def test_cli_bad_scenario_file(
    run: tuple[list[str], ScriptedWork], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args, _ = run
    assert main([*args, *_with(tmp_path, {"link": "moon"})]) == 2
    assert "fault" in capsys.readouterr().err


SCENARIOS = Path(__file__).resolve().parents[2] / "fixtures" / "scenarios"


@pytest.mark.parametrize("path", sorted(SCENARIOS.glob("*.json")), ids=lambda p: p.stem)
def test_shipped_scenarios_parse(path: Path) -> None:
    from qbd_emulator.faults import load_scenario

    faults = load_scenario(path)
    document = json.loads(path.read_text())
    # a scenario without faults skews QuickBooks' clock or kills the service (scenario_matrix)
    other = document.get("quickbooks", {}).get("clockOffsetSeconds") or document.get("service")
    assert faults or other
    assert all(f.name for f in faults)


def test_there_are_shipped_scenarios() -> None:
    assert len(list(SCENARIOS.glob("*.json"))) >= 3
