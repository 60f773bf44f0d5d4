"""``qbd-emulator webconnector`` shows the update's progress on a terminal and nothing when
piped (issue 11 item 14; ``export``'s bars: ``test_export_cmd``). Real console scripts
against a real ``serve``; the terminal is a pseudo-terminal on stderr."""

from __future__ import annotations

import json
import os
import socket
import subprocess
from pathlib import Path

from tests.cli.console import script, wait_healthy
from tests.cli.terminal import run_on_terminal


def test_webconnector_shows_progress_on_a_terminal_only(tmp_path: Path) -> None:
    env = {**os.environ, "QBD_DATABASE_URL": f"sqlite:///{tmp_path / 'svc.db'}"}
    cli = script("qbd-connector")
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]

    def run(*argv: str) -> str:
        done = subprocess.run(argv, env=env, cwd=tmp_path, capture_output=True, text=True)
        assert done.returncode == 0, done.stderr
        return done.stdout

    run(cli, "company", "create", "Acme")
    made = json.loads(
        run(cli, "connection", "create", "Acme", "--method", "desktop_app", "--json",
            "--qwc-out", str(tmp_path / "a.qwc"), "--public-url", f"http://localhost:{port}")
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
        connector = [
            script("qbd-emulator"), "webconnector", "--qwc", str(tmp_path / "a.qwc"),
            f"--password={made['password']}", "--size", "tiny",
        ]  # fmt: skip
        shown, seen = run_on_terminal(connector, env)
        assert shown.returncode == 0 and "result: done" in shown.stdout
        assert "update (" in seen and "100/100" in seen, seen
        assert "result: done" not in seen  # the summary stays on stdout
        run(cli, "sync", "request", "Acme")
        piped = subprocess.run(connector, env=env, capture_output=True, text=True)
        assert piped.returncode == 0 and "result: done" in piped.stdout
        assert piped.stderr == ""
    finally:
        serve.terminate()
        serve.wait(timeout=60)
