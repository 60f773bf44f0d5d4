"""The fault kinds beyond hresults and lost replies (issue 10): a request answered with a
status code, slow QuickBooks, and a SOAP call that never reaches the service (drop_before)."""

from __future__ import annotations

import random

import pytest

from connector.qbwc.client.envelopes import FailureKind, HttpReply, QbwcMethod, SoapCallError
from qbd_emulator.faults import FaultyTransport, Scenario, ScenarioError, parse_scenario
from qbd_emulator.generate import generate
from qbd_emulator.processor import FakeQuickBooks

TWO = (
    '<?xml version="1.0" ?><?qbxml version="16.0"?><QBXML><QBXMLMsgsRq onError="continueOnError">'
    '<VendorQueryRq requestID="1"><MaxReturned>2</MaxReturned></VendorQueryRq>'
    '<CustomerQueryRq requestID="2"><MaxReturned>2</MaxReturned></CustomerQueryRq>'
    "</QBXMLMsgsRq></QBXML>"
)


def _scenario(*faults: dict[str, object]) -> dict[str, object]:
    return {"format": "qbd-emulator/scenario", "version": 1, "faults": list(faults)}


def _quickbooks(
    *faults: dict[str, object], sleep: list[float] | None = None
) -> tuple[Scenario, FakeQuickBooks]:
    waits = sleep if sleep is not None else []
    scenario = Scenario(parse_scenario(_scenario(*faults)), 1, waits.append)
    fake = FakeQuickBooks(generate(1, "tiny"))
    return scenario, fake


def test_a_status_answers_the_chosen_request_with_no_data() -> None:
    fault = {"link": "quickbooks", "call": "process_request", "kind": "status",
             "request": "CustomerQueryRq", "statusCode": 3175, "message": "in use"}  # fmt: skip
    scenario, fake = _quickbooks(fault)
    qb = scenario.wrap_processor(fake)
    qb.open_connection("", "t")
    answer = qb.process_request(qb.begin_session(""), TWO)
    assert "<VendorRet>" in answer  # the other request of the set is answered as usual
    assert "<CustomerRet>" not in answer
    assert 'statusCode="3175" statusSeverity="Error" statusMessage="in use"' in answer
    assert scenario.fired() == ["fault-0 at process_request #1"]


def test_slow_quickbooks_waits_then_answers() -> None:
    waits: list[float] = []
    fault = {"link": "quickbooks", "call": "process_request", "kind": "delay", "seconds": 2}
    scenario, fake = _quickbooks(fault, sleep=waits)
    qb = scenario.wrap_processor(fake)
    qb.open_connection("", "t")
    assert "<VendorRet>" in qb.process_request(qb.begin_session(""), TWO)
    assert waits == [2.0]


class Recorder:
    def __init__(self) -> None:
        self.sent: list[str] = []

    def post(self, method: QbwcMethod, envelope: bytes) -> HttpReply:
        self.sent.append(method.value)
        return HttpReply(200, b"")


def test_drop_before_never_reaches_the_service() -> None:
    fault = {"link": "soap", "call": "sendRequestXML", "kind": "drop_before"}
    inner = Recorder()
    transport = FaultyTransport(inner, parse_scenario(_scenario(fault)), random.Random(), print)
    with pytest.raises(SoapCallError) as info:
        transport.post(QbwcMethod.SEND_REQUEST_XML, b"")
    assert info.value.kind is FailureKind.TRANSPORT and inner.sent == []


@pytest.mark.parametrize(
    "bad",
    [
        {"link": "quickbooks", "call": "begin_session", "kind": "status"},
        {"link": "quickbooks", "call": "process_request", "kind": "drop_before"},
        {"link": "soap", "call": "sendRequestXML", "kind": "status"},
    ],
)
def test_kinds_on_the_wrong_call_or_link_are_refused(bad: dict[str, object]) -> None:
    with pytest.raises(ScenarioError):
        parse_scenario(_scenario(bad))


def test_same_seed_same_points_on_the_soap_link_too() -> None:
    flaky = {"link": "soap", "call": "sendRequestXML", "kind": "garbage", "probability": 0.3}

    def fired(seed: int) -> list[str]:
        scenario = Scenario(parse_scenario(_scenario(flaky)), seed)
        transport = scenario.wrap_transport(Recorder())
        for _ in range(40):
            transport.post(QbwcMethod.SEND_REQUEST_XML, b"")
        return scenario.fired()

    assert fired(11) == fired(11)
    assert fired(11) != fired(12)
    assert 3 < len(fired(11)) < 25


def test_every_fires_on_each_nth_call_and_unknown_fields_are_refused() -> None:
    from qbd_emulator.faults import Trigger

    trigger = Trigger(every=3)
    rng = random.Random(1)
    assert [n for n in range(1, 10) if trigger.fires(n, rng)] == [3, 6, 9]
    base = {"link": "soap", "call": "sendRequestXML", "kind": "drop"}
    doc = {"format": "qbd-emulator/scenario", "version": 1}
    (fault,) = parse_scenario({**doc, "faults": [{**base, "every": 2, "times": 1}]})
    assert (fault.trigger.every, fault.trigger.times) == (2, 1)
    for bad in ({"every": 0}, {"nth": "2"}, {"evry": 2}):
        with pytest.raises(ScenarioError):
            parse_scenario({**doc, "faults": [{**base, **bad}]})
