"""``qbd-emulator webconnector`` shows the update's progress on a terminal and nothing when
piped (issue 11 item 14; ``export``'s bars: ``test_export_cmd``). Real console scripts
against a real ``serve``; the terminal is a pseudo-terminal on stderr."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import time
from pathlib import Path

import httpx

from tests.cli.terminal import run_on_terminal


def _script(name: str) -> str:
    found = shutil.which(name)
    assert found, f"the {name} console script is installed with the package"
    return found


def test_webconnector_shows_progress_on_a_terminal_only(tmp_path: Path) -> None:
    env = {**os.environ, "QBD_DATABASE_URL": f"sqlite:///{tmp_path / 'svc.db'}"}
    cli = _script("qbd-connector")
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
        _wait_healthy(serve, f"http://127.0.0.1:{port}")
        connector = [
            _script("qbd-emulator"), "webconnector", "--qwc", str(tmp_path / "a.qwc"),
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


def _wait_healthy(proc: subprocess.Popen[bytes], base: str) -> None:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        assert proc.poll() is None, "serve exited early"
        try:
            if httpx.get(f"{base}/api/v1/health", timeout=5).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    raise AssertionError("serve did not become healthy")
