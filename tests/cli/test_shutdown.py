"""Ctrl-C and SIGTERM stop ``demo`` and ``serve`` quietly after a sync (issue 11 item 4):
no ``KeyboardInterrupt`` traceback from the page worker process, no semaphores left to the
resource tracker's warning. Real console scripts; Ctrl-C as a terminal sends it, to the
whole process group."""

from __future__ import annotations

import json
import os
import signal
import subprocess
from pathlib import Path

import pytest

from connector.sync.behind import ProcessApplier
from qbd_emulator.child_service import free_port
from tests.cli.console import script, wait_healthy

NOISE = ("Traceback", "KeyboardInterrupt", "leaked", "resource_tracker")


def _stop(proc: subprocess.Popen[str], how: str) -> str:
    """Send Ctrl-C (SIGINT to the process group, as a terminal does) or SIGTERM (to the
    process, as a service manager does); the rest of stderr once it exited."""
    if how == "ctrl-c":
        os.killpg(proc.pid, signal.SIGINT)
    else:
        proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=120)
    return err


@pytest.mark.parametrize("how", ["ctrl-c", "sigterm"])
def test_demo_stops_quietly(tmp_path: Path, how: str) -> None:
    env = {k: v for k, v in os.environ.items() if k != "QBD_DATABASE_URL"}
    proc = subprocess.Popen(
        [script("qbd-connector"), "demo", "--size", "tiny"],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    try:
        assert proc.stderr is not None
        seen = ""
        while "press Ctrl-C" not in seen:
            line = proc.stderr.readline()
            assert line, f"demo ended before serving: {seen[-3000:]}"
            seen += line
        err = _stop(proc, how)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == 0, err
    assert err.strip() == "stopped"
    assert not [word for word in NOISE if word in err], err


@pytest.mark.parametrize("how", ["ctrl-c", "sigterm"])
def test_serve_stops_quietly_after_a_sync(tmp_path: Path, how: str) -> None:
    cli = script("qbd-connector")
    env = {**os.environ, "QBD_DATABASE_URL": f"sqlite:///{tmp_path / 'serve.db'}"}
    port = free_port()
    base = f"http://127.0.0.1:{port}"

    def run(*argv: str) -> str:
        done = subprocess.run(argv, env=env, cwd=tmp_path, capture_output=True, text=True)
        assert done.returncode == 0, done.stderr
        return done.stdout

    run(cli, "company", "create", "Acme")
    qwc = tmp_path / "acme.qwc"
    made = json.loads(
        run(cli, "connection", "create", "Acme", "--method", "desktop_app", "--json",
            "--qwc-out", str(qwc), "--public-url", f"http://localhost:{port}")
    )  # fmt: skip
    proc = subprocess.Popen(
        [cli, "serve", "--port", str(port), "--log-level", "warning"],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    try:
        assert proc.stdout is not None and "serving" in proc.stdout.readline()
        wait_healthy(proc, base)
        synced = run(
            script("qbd-emulator"), "webconnector", "--qwc", str(qwc),
            f"--password={made['password']}", "--size", "tiny",
        )  # fmt: skip
        assert "result: done" in synced
        err = _stop(proc, how)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode in (0, -signal.SIGTERM), err  # uvicorn re-raises SIGTERM at the end
    assert not [word for word in NOISE if word in err], err


def test_a_page_worker_is_deaf_to_ctrl_c_from_its_first_instruction(tmp_path: Path) -> None:
    """A worker spawned just before Ctrl-C is still importing when the terminal's SIGINT
    reaches the process group: it is born with SIGINT blocked (inherited through fork and
    exec), so it cannot die there with a traceback. Read from /proc right after the spawn,
    long before the worker's initializer could ignore it itself."""
    applier = ProcessApplier(f"sqlite:///{tmp_path / 'w.db'}", workers=1)
    try:
        applier.prepare()
        workers = list(applier.pool._processes)  # the pool's pids (no public accessor)
        assert workers
        for pid in workers:
            status = Path(f"/proc/{pid}/status").read_text(encoding="utf-8")
            fields = dict(line.split(":", 1) for line in status.splitlines() if ":" in line)
            deaf = int(fields["SigBlk"], 16) | int(fields["SigIgn"], 16)
            assert deaf & (1 << (signal.SIGINT - 1)), status
    finally:
        applier.shutdown()
