"""``qbd-connector serve`` as a child process for the benchmarks (not a benchmark itself).

Owns: starting it on a free loopback port with SQLite in a given folder, an API key and
extra ``QBD_*`` settings, and waiting until ``/api/v1/health`` answers.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import httpx

from qbd_emulator.child_service import free_port


def start_serve(folder: Path, key: str, **env: str) -> tuple[subprocess.Popen[bytes], str]:
    """The running service and its base URL (``env``: extra environment, e.g. QBD_*)."""
    port = free_port()
    environment = {**os.environ, "QBD_DATABASE_URL": f"sqlite:///{folder / 'bench.db'}",
                   "QBD_API_KEY": key, "QBD_APPLY_WORKERS": "0", **env}  # fmt: skip
    command = [sys.executable, "-m", "connector", "serve", "--port", str(port),
               "--log-level", "warning"]  # fmt: skip
    proc = subprocess.Popen(command, env=environment, stdout=subprocess.DEVNULL)
    url = f"http://localhost:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{url}/api/v1/health", timeout=2).status_code == 200:
                return proc, url
        except httpx.HTTPError:
            time.sleep(0.2)
    proc.kill()
    raise RuntimeError("serve did not start")
