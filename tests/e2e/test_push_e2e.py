"""A push exactly once, end to end (issue 19, writes): ``qbd-connector serve`` as a child
process, the emulator's Web Connector over HTTP with a saved company file
(``--company FILE --save-company``), and the QuickBooks link cut on the push's
``CustomerAddRq``: ``when: after`` (QuickBooks applied it and its answer is lost) or
``when: before`` (QuickBooks never saw it); or the SOAP link cut on the reply that hands the
push out (the service stored it as sent, as when it is killed right after sendRequestXML).
The push stays ``sent``; the next session resolves it by message-set recovery; the customer
is in the company file exactly once, its outcome and record come back through the API."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from qbd_emulator.company import storage
from tests.e2e.push_link import synced_link
from tests.portal.live_service import Serve, finished, web_connector

NAME = "Exactly Once Co"


def _count(company_file: Path) -> int:
    company = storage.load(company_file)
    return sum(1 for r in company.iter_records("customers") if r.data.get("Name") == NAME)


QUICKBOOKS_CUT = {
    "name": "cut", "link": "quickbooks", "call": "process_request", "request": "CustomerAddRq",
    "times": 1, "kind": "hresult", "hresult": "0x80040402", "message": "the answer is lost",
}  # fmt: skip
REPLY_LOST = {"name": "reply-lost", "link": "soap", "call": "sendRequestXML", "nth": 1,
              "kind": "drop"}  # fmt: skip


@pytest.mark.parametrize(
    ("fault", "applied"),
    [
        pytest.param({**QUICKBOOKS_CUT, "when": "after"}, 1, id="applied-answer-lost"),
        pytest.param({**QUICKBOOKS_CUT, "when": "before"}, 0, id="never-seen"),
        pytest.param(REPLY_LOST, 0, id="request-reply-lost"),
    ],
)
def test_a_cut_push_lands_exactly_once(
    tmp_path: Path, fault: dict[str, object], applied: int
) -> None:
    scenario = tmp_path / "cut.json"
    scenario.write_text(json.dumps({"format": "qbd-emulator/scenario", "version": 1,
                                    "faults": [fault]}))  # fmt: skip
    serve = Serve(tmp_path)
    try:
        link = synced_link(serve, tmp_path, "Push Co")
        created = serve.api("POST", f"{link.base}/push/customers", json={"record": {"name": NAME}})
        assert created.status_code == 201, created.text
        push_url = f"{link.base}/push/{created.json()['id']}"
        link.session("--scenario", str(scenario))
        assert serve.api("GET", push_url).json()["status"] == "sent"
        assert _count(link.company_file) == applied

        assert not link.session().get("error")
        push = serve.api("GET", push_url).json()
        assert push["status"] == "succeeded", push
        assert _count(link.company_file) == 1
        assert push["result"]["name"] == NAME and push["result"]["id"] == push["qbId"]
        record = serve.api("GET", f"{link.base}/data/customers/{push['qbId']}")
        assert record.status_code == 200 and record.json()["name"] == NAME
    finally:
        serve.stop()


@pytest.mark.slow
def test_serve_killed_after_handing_a_push_out_applies_it_once(tmp_path: Path) -> None:
    """The service is killed (SIGKILL) once the push went out as ``sent``; QuickBooks applies
    it; its answer finds no service. A new service on the same store resolves the push by
    message-set recovery in the next session: once in the company file, succeeded."""
    scenario = tmp_path / "late.json"
    scenario.write_text(json.dumps({"format": "qbd-emulator/scenario", "version": 1, "faults": [
        {"name": "late", "link": "soap", "call": "sendRequestXML", "nth": 1, "kind": "delay",
         "seconds": 3},
    ]}))  # fmt: skip
    serve = Serve(tmp_path)
    try:
        link = synced_link(serve, tmp_path, "Killed Co")
        created = serve.api("POST", f"{link.base}/push/customers", json={"record": {"name": NAME}})
        push_url = f"{link.base}/push/{created.json()['id']}"
        run = ("--company", str(link.company_file), "--save-company", "--scenario", str(scenario))
        broken = web_connector(link.qwc, link.password, *run)
        deadline = time.monotonic() + 30
        while serve.api("GET", push_url).json()["status"] != "sent":
            assert time.monotonic() < deadline, "the push never went out"
            time.sleep(0.05)
        time.sleep(1.0)  # the reply is in the Web Connector's hands (then 3 s late: the fault)
        serve.kill()  # SIGKILL: handed out and stored as sent; the Web Connector has it
        assert finished(broken)["result"] == "soap_error"  # its answer found no service
    finally:
        serve.stop()
    assert _count(link.company_file) == 1  # QuickBooks applied it
    again = Serve(tmp_path)  # the same store, a new process (and port: a fresh QWC)
    try:
        base = link.base
        connection = again.api("GET", f"{base}/connections").json()["data"][0]
        link.qwc.write_bytes(again.api("GET", f"{base}/connections/{connection['id']}/qwc").content)
        assert not link.session().get("error")
        push = again.api("GET", push_url).json()
        assert push["status"] == "succeeded" and push["attempts"] == 2, push
        assert _count(link.company_file) == 1
    finally:
        again.stop()
