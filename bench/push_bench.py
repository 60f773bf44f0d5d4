"""Push benchmark (issue 19, writes): pushes per second through one Web Connector session.

``qbd-connector serve`` runs as a child process (SQLite in a temporary folder); a fake
QuickBooks company (``--size``, default tiny) is saved to a file and synced once by the
emulator's Web Connector (``--company FILE --save-company``). Then ``--pushes`` customers
and as many invoices naming them (each invoice waits for its customer: the order received)
are queued through the REST API, and one more Web Connector session sends them all. Figures:
- queueing: POST /push/{dataType} calls per second (validation and reference checks);
- the session with the pushes, and an idle incremental session for comparison; pushes per
  second = pushes / (push session - idle session), each push one message set and one
  sendRequestXML/receiveResponseXML round trip;
- checked: every push succeeded and the company file holds each record once.

    python bench/push_bench.py                # short default run (< 1 minute)
    python bench/push_bench.py --pushes 500
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
from serve_child import start_serve

from qbd_emulator.company import storage
from qbd_emulator.generate import generate

KEY = "push-bench-key"


def _session(qwc: Path, password: str, company_file: Path) -> float:
    command = [sys.executable, "-m", "qbd_emulator", "webconnector", "--qwc", str(qwc),
               f"--password={password}", "--company", str(company_file), "--save-company",
               "--json"]  # fmt: skip
    started = time.monotonic()
    done = subprocess.run(command, capture_output=True, text=True, timeout=1800, check=False)
    elapsed = time.monotonic() - started
    result = json.loads(done.stdout)
    if result.get("error"):
        raise RuntimeError(f"the Web Connector failed: {result['error']}")
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--pushes", type=int, default=100, help="customers (and as many invoices)")
    parser.add_argument("--size", default="tiny", help="the fake company's size")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        company_file = folder / "company.json"
        storage.save(generate(3, args.size), company_file)
        proc, url = start_serve(folder, KEY, QBD_LOCKOUT_BASE_DELAY_SECONDS="0")
        try:
            api = httpx.Client(base_url=f"{url}/api/v1", headers={"Authorization": f"Bearer {KEY}"},
                               timeout=60)  # fmt: skip
            company = api.post("/companies", json={"name": "Bench Co"}).json()
            base = f"/companies/{company['id']}"
            conn = api.post(f"{base}/connections", json={"method": "rightworks"}).json()
            qwc = folder / "bench.qwc"
            qwc.write_bytes(api.get(f"{base}/connections/{conn['id']}/qwc").content)
            _session(qwc, conn["password"], company_file)  # the first (full) sync
            idle = _session(qwc, conn["password"], company_file)

            started = time.monotonic()
            for i in range(args.pushes):
                name = f"Bench Customer {i}"
                api.post(
                    f"{base}/push/customers", json={"record": {"name": name}}
                ).raise_for_status()
                invoice = {"customerRef": {"fullName": name}, "refNumber": f"B-{i}"}
                api.post(f"{base}/push/invoices", json={"record": invoice}).raise_for_status()
            queued = time.monotonic() - started
            total = 2 * args.pushes
            busy = _session(qwc, conn["password"], company_file)

            pushes = api.get(f"{base}/push", params={"pageSize": 500}).json()["data"]
            statuses = {p["status"] for p in pushes}
            company_now = storage.load(company_file)
            names = [r.data.get("Name") for r in company_now.iter_records("customers")]
            once = all(names.count(f"Bench Customer {i}") == 1 for i in range(args.pushes))
            print(f"queueing: {total} pushes in {queued:.1f} s, {total / queued:.0f} POST/s")
            print(f"sessions: idle incremental {idle:.1f} s; with {total} pushes {busy:.1f} s")
            print(f"pushes per second through one session: {total / max(busy - idle, 1e-9):.0f} "
                  f"({total / busy:.0f} counting the whole session)")  # fmt: skip
            print(f"checked: statuses {sorted(statuses)}, each customer once: {once}")
            api.close()
        finally:
            proc.terminate()
            proc.wait(timeout=60)


if __name__ == "__main__":
    main()
