"""A Web Connector that authenticated and then went quiet (never called closeConnection)
does not hold its connection ``busy`` for the ticket's 30 minutes: once it has been silent
for ``QBD_QBWC_START_IDLE_SECONDS`` the next update takes over (issue 11 item 11, done with
issue 18 item 9; here through ``serve`` and ``qbd-emulator webconnector`` as a user runs them).
No upper bound on time is asserted: the takeover is checked after the quiet period, only."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import time
from pathlib import Path

from connector.qbwc.client.transport import HttpxTransport, SoapQbwcService
from connector.qbwc.qwc import parse_qwc
from tests.cli.console import script, wait_healthy

QUIET_SECONDS = 2


def test_a_quiet_web_connector_session_is_taken_over(tmp_path: Path) -> None:
    env = {
        **os.environ,
        "QBD_DATABASE_URL": f"sqlite:///{tmp_path / 'svc.db'}",
        "QBD_QBWC_IDLE_SECONDS": str(QUIET_SECONDS),
        "QBD_QBWC_START_IDLE_SECONDS": str(QUIET_SECONDS),
    }
    cli = script("qbd-connector")
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]

    def run(*argv: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(argv, env=env, cwd=tmp_path, capture_output=True, text=True)

    assert run(cli, "company", "create", "Acme").returncode == 0
    made = json.loads(
        run(cli, "connection", "create", "Acme", "--method", "desktop_app", "--json",
            "--qwc-out", str(tmp_path / "a.qwc"), "--public-url", f"http://localhost:{port}").stdout
    )  # fmt: skip
    serve = subprocess.Popen(
        [cli, "serve", "--port", str(port), "--log-level", "warning"],
        env=env,
        cwd=tmp_path,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_healthy(serve, f"http://127.0.0.1:{port}")
        qwc = parse_qwc((tmp_path / "a.qwc").read_bytes())
        with HttpxTransport(qwc.app_url, timeout=60) as http:
            answer = SoapQbwcService(http).authenticate(made["username"], made["password"])
        assert len(answer[0]) > 0 and answer[1] not in ("nvu", "none", "busy"), answer
        time.sleep(QUIET_SECONDS + 1)  # the first Web Connector goes quiet, session open
        update = run(
            script("qbd-emulator"), "webconnector", "--qwc", str(tmp_path / "a.qwc"),
            f"--password={made['password']}", "--size", "tiny", "--json",
        )  # fmt: skip
        summary = json.loads(update.stdout)
        assert update.returncode == 0, update.stderr
        assert summary["result"] == "done", summary
        assert summary["requests_processed"] > 0
    finally:
        serve.terminate()
        serve.wait(timeout=60)
