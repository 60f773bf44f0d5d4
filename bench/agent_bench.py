"""Desktop agent benchmark: how long the agent takes to start, and to sync a company.

    python bench/agent_bench.py                    # tiny and small companies (~1-2 min)
    python bench/agent_bench.py --sizes tiny

Serves the service (``qbd-connector serve`` as a child process, SQLite, default page size)
and runs the agent as users do (``agent start`` in the background, one company per size on
the emulator's fake QuickBooks), then prints: ``agent start`` wall time (until its local API
answers), each company's first (full) sync and a second (incremental, ``sync-now``) sync,
in seconds, and ``agent stop`` time. Figures for the README/report, never
asserted in tests.
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx


def port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        chosen: int = sock.getsockname()[1]
        return chosen


def cli(env: dict[str, str], *args: str) -> str:
    done = subprocess.run([sys.executable, "-m", "connector", *args], env=env,
                          capture_output=True, text=True, check=True)  # fmt: skip
    return done.stdout


def company(env: dict[str, str], name: str) -> dict[str, Any]:
    data = json.loads(cli(env, "agent", "status", "--json"))
    found: dict[str, Any] = next(c for c in data["companies"] if c["name"] == name)
    return found


def wait_run(env: dict[str, str], name: str, after: str | None) -> float:
    start = time.perf_counter()
    while True:
        last = company(env, name)["lastRun"]
        if last and last["at"] != after and company(env, name)["state"] != "syncing":
            if not last["message"].startswith("Synced"):
                raise SystemExit(f"{name}: {last['message']}")
            return time.perf_counter() - start
        time.sleep(0.2)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="tiny,small")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="agent-bench-"))
    env = {**os.environ, "QBD_DATABASE_URL": f"sqlite:///{folder / 'svc.db'}",
           "QBD_AGENT_HOME": str(folder / "agent"), "QBD_AGENT_CREDENTIALS": "file"}  # fmt: skip
    p = port()
    serve = subprocess.Popen([sys.executable, "-m", "connector", "serve", "--port", str(p),
                              "--log-level", "warning"], env=env)  # fmt: skip
    try:
        while True:
            try:
                httpx.get(f"http://127.0.0.1:{p}/api/v1/health")
                break
            except httpx.HTTPError:
                time.sleep(0.2)
        sizes = args.sizes.split(",")
        for n, size in enumerate(sizes, start=1):
            made = json.loads(cli(env, "company", "create", f"bench-{size}", "--json"))
            qwc = folder / f"{size}.qwc"
            link = json.loads(cli(env, "connection", "create", made["id"], "--method",
                                  "desktop_app", "--qwc-out", str(qwc), "--public-url",
                                  f"http://localhost:{p}", "--json"))  # fmt: skip
            cli(env, "agent", "add-company", "--qwc", str(qwc), f"--password={link['password']}",
                "--name", size, "--processor", "emulator", "--seed", str(n), "--size", size)  # fmt: skip
        t0 = time.perf_counter()
        cli(env, "agent", "start")
        print(f"agent start: {time.perf_counter() - t0:.1f} s")
        for size in sizes:  # the agent syncs them all at once: one after the other here
            full = wait_run(env, size, None)
            before = company(env, size)["lastRun"]["at"]
            time.sleep(1.1)  # lastRun stamps are whole seconds
            cli(env, "agent", "sync-now", size)
            incremental = wait_run(env, size, before)
            print(f"{size}: first sync done {full:.1f} s after start/previous, "
                  f"incremental sync-now {incremental:.1f} s")  # fmt: skip
        t0 = time.perf_counter()
        cli(env, "agent", "stop")
        print(f"agent stop: {time.perf_counter() - t0:.1f} s")
    finally:
        serve.terminate()
        serve.wait()


if __name__ == "__main__":
    main()
