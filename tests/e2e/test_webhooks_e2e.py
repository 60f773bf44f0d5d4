"""Webhooks end to end (issue 19): ``qbd-connector serve`` as a child process, a real
receiver on loopback (``http.server``), the emulator's Web Connector syncing a fake
QuickBooks company. The receiver gets ``connection.connected`` and ``sync.completed`` from
the sync and ``connection.paused`` from the API, each signed (checked as a receiver would),
its first answer a 500 so one delivery is retried (same event id: at least once); the
delivery log agrees. Prints the delivery latency on loopback (the note's figure)."""

from __future__ import annotations

import json
import statistics
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from connector.api.webhook_delivery import SIGNATURE_HEADER, verify
from tests.portal.live_service import Serve, finished, web_connector

SECRET = "e2e-webhook-secret-0123456789"


@dataclass
class Received:
    at: float
    event: dict[str, Any]
    signed: bool


@dataclass
class Receiver:
    url: str
    got: list[Received] = field(default_factory=list)
    answers: list[int] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def wait_for(self, predicate: Any, timeout: float = 90.0) -> list[Received]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self.lock:
                found = [r for r in self.got if predicate(r)]
            if found:
                return found
            time.sleep(0.02)
        raise AssertionError(f"not delivered in {timeout}s; got {[r.event for r in self.got]}")


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    state: dict[str, Receiver] = {}

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["Content-Length"]))
            signed = verify(SECRET, self.headers[SIGNATURE_HEADER], body, now=int(time.time()))
            rec = state["r"]
            with rec.lock:
                status = 500 if not rec.answers else 200  # the very first delivery fails once
                rec.answers.append(status)
                if status == 200:
                    rec.got.append(Received(time.monotonic(), json.loads(body), signed))
            self.send_response(status)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *_args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    state["r"] = Receiver(f"http://127.0.0.1:{server.server_address[1]}/hooks")
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield state["r"]
    server.shutdown()
    server.server_close()
    thread.join(timeout=30)


def test_webhooks_reach_a_real_receiver_signed_at_least_once(
    tmp_path: Path, receiver: Receiver
) -> None:
    serve = Serve(tmp_path, QBD_WEBHOOK_ALLOW_PRIVATE="1", QBD_WEBHOOK_POLL_SECONDS="0.05")
    try:
        hook = serve.api(
            "POST", "/webhooks",
            json={"url": receiver.url, "secret": SECRET,
                  "events": ["sync.completed", "sync.failed", "connection.connected",
                             "connection.paused", "connection.error"]},
        ).json()  # fmt: skip
        company = serve.api("POST", "/companies", json={"name": "Hooked Co"}).json()
        base = f"/companies/{company['id']}/connections"
        connection = serve.api("POST", base, json={"method": "rightworks"}).json()
        qwc = tmp_path / "hooked.qwc"
        qwc.write_bytes(serve.api("GET", f"{base}/{connection['id']}/qwc").content)
        result = finished(web_connector(qwc, connection["password"], "--size", "tiny"))
        assert not result.get("error"), result

        connected = receiver.wait_for(lambda r: r.event["type"] == "connection.connected")
        completed = receiver.wait_for(lambda r: r.event["type"] == "sync.completed")
        assert completed[0].event["companyId"] == company["id"]
        assert completed[0].event["data"]["status"] == "succeeded"
        assert connected[0].event["data"]["connectionId"] == connection["id"]
        assert receiver.answers[0] == 500  # ... and that event still arrived, retried

        latencies = []
        for _ in range(5):
            started = time.monotonic()
            serve.api("POST", f"{base}/{connection['id']}/pause")
            paused = receiver.wait_for(
                lambda r, t=started: r.event["type"] == "connection.paused" and r.at >= t
            )[-1]
            latencies.append(paused.at - started)
            serve.api("POST", f"{base}/{connection['id']}/resume")

        got = receiver.got
        assert all(r.signed for r in got)
        assert len({r.event["id"] for r in got}) == len(got)  # each event delivered once
        log = serve.api("GET", f"/webhooks/{hook['id']}/deliveries").json()["data"]
        assert sorted(d["eventId"] for d in log) == sorted(r.event["id"] for r in got)
        assert all(d["status"] == "succeeded" for d in log)
        assert max(d["attempts"] for d in log) == 2  # the one that met the 500
        print(
            f"webhook delivery latency on loopback (API call -> receiver, poll 50 ms): "
            f"median {statistics.median(latencies) * 1000:.0f} ms, "
            f"max {max(latencies) * 1000:.0f} ms over {len(latencies)}"
        )
    finally:
        serve.stop()
