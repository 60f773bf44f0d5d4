"""Every write type through the REST API, end to end (issue 19, writes): ``serve`` as a child
process, a fake QuickBooks company file synced by the emulator's Web Connector over HTTP, one
push of each type the issue lists (later ones naming earlier ones by ``fullName``), one more
session: each push succeeded, is in the company file exactly once with the pushed values, and
its ``push.succeeded`` webhook reached a receiver on loopback, signed."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from connector.api.webhook_delivery import SIGNATURE_HEADER, verify
from connector.sync.writes import validate
from qbd_emulator.company import storage
from tests.e2e.push_link import synced_link
from tests.portal.live_service import Serve
from tests.sync.push_samples import adds

SECRET = "push-e2e-webhook-secret-0123"


@pytest.fixture
def received() -> Iterator[tuple[str, list[dict[str, Any]]]]:
    got: list[dict[str, Any]] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["Content-Length"]))
            signed = verify(SECRET, self.headers[SIGNATURE_HEADER], body, now=int(time.time()))
            got.append({**json.loads(body), "signed": signed})
            self.send_response(200)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *_args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/hooks", got
    server.shutdown()
    server.server_close()


def _open_bill(company_file: Path) -> dict[str, Any]:
    bill = next(r.data for r in storage.load(company_file).iter_records("bills")
                if not r.data.get("IsPaid"))  # fmt: skip
    vendor = bill["VendorRef"]
    assert isinstance(vendor, dict)
    return {"TxnID": bill["TxnID"], "VendorRef": {"listId": vendor["ListID"]}}


def _same_values(sent: dict[str, Any], saved: dict[str, Any]) -> list[str]:
    """The pushed top-level values QuickBooks kept as sent (refs by the name or ID given);
    lines are QuickBooks' to compute (TxnLineID, amounts). Returns what was compared."""
    compared = []
    for name, value in sent.items():
        if name not in saved or isinstance(value, list):
            continue
        assert _within(value, saved[name]), (name, saved[name], value)
        compared.append(name)
    return compared


def _within(sent: Any, saved: Any) -> bool:
    """``sent`` kept in ``saved``: equal leaves; an aggregate's given fields, recursively."""
    if isinstance(sent, dict):
        return isinstance(saved, dict) and all(k in saved and _within(v, saved[k])
                                               for k, v in sent.items())  # fmt: skip
    return bool(sent == saved)


def test_every_write_type_through_the_api_lands_once_with_its_values(
    tmp_path: Path, received: tuple[str, list[dict[str, Any]]]
) -> None:
    url, got = received
    serve = Serve(tmp_path, QBD_WEBHOOK_ALLOW_PRIVATE="1", QBD_WEBHOOK_POLL_SECONDS="0.05")
    try:
        events = ["push.succeeded", "push.failed", "push.conflict"]
        serve.api("POST", "/webhooks", json={"url": url, "events": events, "secret": SECRET})
        link = synced_link(serve, tmp_path, "All Types Co")
        base, company_file = link.base, link.company_file

        pushed = []
        for data_type, record in adds(_open_bill(company_file)):
            answer = serve.api("POST", f"{base}/push/{data_type}", json={"record": record})
            assert answer.status_code == 201, answer.text
            pushed.append(answer.json())
        assert not link.session().get("error")

        book = storage.load(company_file)
        for push in pushed:
            done = serve.api("GET", f"{base}/push/{push['id']}").json()
            assert done["status"] == "succeeded", done
            key = done["dataType"]
            id_field = "ListID" if key in ("accounts", "customers", "vendors", "items") else "TxnID"
            found = [r.data for r in book.iter_records(key) if r.data.get(id_field) == done["qbId"]]
            assert len(found) == 1, key
            compared = _same_values(validate(key, push["record"]).value, found[0])
            assert compared, (key, "nothing pushed to compare")
        deadline = time.monotonic() + 30
        while len(got) < len(pushed) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert sorted(e["data"]["pushId"] for e in got) == sorted(p["id"] for p in pushed)
        assert all(e["signed"] and e["type"] == "push.succeeded" for e in got)
    finally:
        serve.stop()
