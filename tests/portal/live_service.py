"""``qbd-connector serve`` as a child process on loopback for the browser tests, and the
emulator's Web Connector run as a child process against it (as a user would run them)."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx

KEY = "browser-story-key"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


class Serve:
    """The service, started with ``serve`` and stopped at the end of the test."""

    def __init__(self, folder: Path, **env: str) -> None:
        self.port = free_port()
        self.url = f"http://localhost:{self.port}"
        self.log_path = folder / "serve.log"
        self.log = self.log_path.open("wb")
        environment = {
            **os.environ,
            "QBD_DATABASE_URL": f"sqlite:///{folder / 'service.db'}",
            "QBD_API_KEY": KEY,
            "QBD_APPLY_WORKERS": "0",
            "QBD_LOCKOUT_BASE_DELAY_SECONDS": "0",
            **env,
        }
        self.proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "connector",
                "serve",
                "--port",
                str(self.port),
                "--log-level",
                "warning",
            ],
            env=environment,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{self.url}/api/v1/health", timeout=2).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            if self.proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"serve did not start: {self.log_path.read_text()[-2000:]}")
            time.sleep(0.2)

    def api(self, method: str, path: str, **kw: Any) -> httpx.Response:
        headers = {"Authorization": f"Bearer {KEY}"}
        return httpx.request(method, f"{self.url}/api/v1{path}", headers=headers, timeout=30, **kw)

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=30)
        self.log.close()


def web_connector(qwc: Path, password: str, *extra: str) -> subprocess.Popen[str]:
    """``qbd-emulator webconnector --qwc FILE --password=P ... --json``, started."""
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "qbd_emulator",
            "webconnector",
            "--qwc",
            str(qwc),
            f"--password={password}",
            "--json",
            *extra,
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def finished(proc: subprocess.Popen[str]) -> dict[str, Any]:
    out, err = proc.communicate(timeout=240)
    assert out.strip(), f"the Web Connector printed nothing: {err[-2000:]}"
    result: dict[str, Any] = json.loads(out)
    return result
