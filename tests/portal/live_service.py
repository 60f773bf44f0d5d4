"""``qbd-connector serve`` as a child process on loopback for the browser tests, and the
emulator's Web Connector run as a child process against it (as a user would run them)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import httpx

from qbd_emulator.child_service import ChildService

KEY = "browser-story-key"


class Serve(ChildService):
    """The service, started with ``serve`` (``qbd_emulator.child_service``, with the admin
    key ``KEY``) and stopped at the end of the test."""

    def __init__(self, folder: Path, **env: str) -> None:
        database_url = f"sqlite:///{folder / 'service.db'}"
        super().__init__(database_url, KEY, folder / "serve.log", env=env)
        self.start()

    def api(self, method: str, path: str, **kw: Any) -> httpx.Response:
        headers = {"Authorization": f"Bearer {KEY}"}
        return httpx.request(method, f"{self.url}/api/v1{path}", headers=headers, timeout=30, **kw)


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
