"""Webhook delivery benchmark (issue 19): latency and throughput on loopback.

``qbd-connector serve`` runs as a child process (SQLite in a temporary folder, one delivery
thread, ``QBD_WEBHOOK_ALLOW_PRIVATE=1``); a receiver (``http.server``, answering 200) runs in
this process on 127.0.0.1. Figures:
- latency: a connection is paused through the REST API (``connection.paused``), timed from
  just before the API call to the receiver having the signed delivery; p50 / p90 / max;
- throughput: one event fanned out to ``--fanout`` webhooks, timed from the API call to the
  last delivery received (deliveries per second of one delivery thread).
The poll interval (``--poll``) bounds the idle worker's wait: latency is about the API call
plus up to one poll plus the POST.

    python bench/webhook_bench.py                 # short default run (< 1 minute)
    python bench/webhook_bench.py --rounds 50 --fanout 100 --poll 0.2
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
from serve_child import start_serve

KEY = "webhook-bench-key"


class Receiver:
    def __init__(self) -> None:
        self.times: list[float] = []
        self.lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                self.rfile.read(int(self.headers["Content-Length"]))
                with receiver.lock:
                    receiver.times.append(time.monotonic())
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *_args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def wait(self, count: int, timeout: float = 120.0) -> float:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self.lock:
                if len(self.times) >= count:
                    return self.times[count - 1]
            time.sleep(0.002)
        raise RuntimeError(f"only {len(self.times)} of {count} deliveries arrived")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=20, help="pauses timed for latency")
    parser.add_argument("--fanout", type=int, default=50, help="webhooks for the throughput run")
    parser.add_argument("--poll", type=float, default=0.05, help="QBD_WEBHOOK_POLL_SECONDS")
    args = parser.parse_args()
    receiver = Receiver()
    with tempfile.TemporaryDirectory() as tmp:
        proc, url = start_serve(
            Path(tmp), KEY, QBD_WEBHOOK_ALLOW_PRIVATE="1", QBD_WEBHOOK_POLL_SECONDS=str(args.poll)
        )
        try:
            api = httpx.Client(base_url=f"{url}/api/v1", headers={"Authorization": f"Bearer {KEY}"},
                               timeout=60)  # fmt: skip
            company = api.post("/companies", json={"name": "Bench Co"}).json()
            base = f"/companies/{company['id']}/connections"
            conn = api.post(base, json={"method": "rightworks"}).json()
            pause, resume = f"{base}/{conn['id']}/pause", f"{base}/{conn['id']}/resume"
            api.post("/webhooks", json={"url": receiver.url, "events": ["connection.paused"]})
            latencies = []
            for i in range(args.rounds):
                started = time.monotonic()
                api.post(pause)
                latencies.append(receiver.wait(i + 1) - started)
                api.post(resume)
            latencies.sort()
            print(
                f"latency (API pause -> receiver, poll {args.poll * 1000:.0f} ms, "
                f"{args.rounds} rounds): p50 {statistics.median(latencies) * 1000:.0f} ms, "
                f"p90 {latencies[int(len(latencies) * 0.9) - 1] * 1000:.0f} ms, "
                f"max {latencies[-1] * 1000:.0f} ms"
            )
            for _ in range(args.fanout - 1):
                api.post("/webhooks", json={"url": receiver.url, "events": ["connection.paused"]})
            before = len(receiver.times)
            started = time.monotonic()
            api.post(pause)
            last = receiver.wait(before + args.fanout)
            elapsed = last - started
            print(
                f"throughput (one event to {args.fanout} webhooks, one delivery thread): "
                f"{args.fanout / elapsed:.0f} deliveries/s ({elapsed * 1000:.0f} ms for all)"
            )
            api.close()
        finally:
            proc.terminate()
            proc.wait(timeout=60)
            receiver.server.shutdown()


if __name__ == "__main__":
    main()
