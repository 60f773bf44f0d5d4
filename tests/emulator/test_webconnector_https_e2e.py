"""The user's journey in real processes, over HTTPS with a self-signed certificate:
``qbd-connector serve --ssl-certfile/--ssl-keyfile``, ``company create``, ``connection create
--qwc-out``, then ``qbd-emulator webconnector --ca-file`` syncing a generated company through
the real sync engine. Also: the same QWC refused without the CA (QBWC1048)."""

from __future__ import annotations

import json
import os
import ssl
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from qbd_emulator.child_service import free_port
from tests.qbwc.client_server import self_signed_cert


def _cli(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, *args], env=env, capture_output=True, text=True, timeout=300, check=False
    )


@pytest.fixture
def https_service(tmp_path: Path) -> Iterator[tuple[dict[str, str], Path]]:
    cert, key = self_signed_cert(tmp_path)
    port = free_port()
    env = {
        **os.environ,
        "QBD_DATABASE_URL": f"sqlite:///{tmp_path / 'service.db'}",
        "QBD_PORT": str(port),
        "QBD_SSL_CERTFILE": str(cert),
        "QBD_SSL_KEYFILE": str(key),
    }
    server = subprocess.Popen(
        [sys.executable, "-m", "connector", "serve", "--log-level", "warning"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        _wait_until_up(f"https://localhost:{port}/qbwc", cert, server)
        yield env, cert
    finally:
        server.terminate()
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait(timeout=5)
        if server.stderr is not None:
            server.stderr.close()


def _wait_until_up(url: str, cert: Path, server: subprocess.Popen[str]) -> None:
    context = ssl.create_default_context(cafile=str(cert))
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"serve exited: {server.stderr.read() if server.stderr else ''}")
        try:
            if httpx.get(url, verify=context, timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            time.sleep(0.3)
    raise RuntimeError("serve did not answer within 60 s")


@pytest.mark.slow
def test_sync_over_https_in_real_processes(
    https_service: tuple[dict[str, str], Path], tmp_path: Path
) -> None:
    env, cert = https_service
    assert _cli(env, "-m", "connector", "company", "create", "Acme").returncode == 0
    qwc = tmp_path / "acme.qwc"
    made = _cli(
        env, "-m", "connector", "connection", "create", "Acme", "--method", "rightworks",
        "--qwc-out", str(qwc), "--json",
    )  # fmt: skip
    assert made.returncode == 0, made.stderr
    password = json.loads(made.stdout)["password"]
    assert "<AppURL>https://localhost:" in qwc.read_text()

    base = ["-m", "qbd_emulator", "webconnector", "--qwc", str(qwc), f"--password={password}"]
    synced = _cli(env, *base, "--size", "30", "--seed", "4", "--ca-file", str(cert), "--json")
    assert synced.returncode == 0, synced.stdout + synced.stderr
    summary = json.loads(synced.stdout)
    assert summary["result"] == "done"
    assert summary["requests_processed"] > 3
    assert summary["qbxml_version"] == "16.0"

    untrusted = _cli(env, *base, "--size", "30", "--json")
    assert untrusted.returncode == 1
    refused = json.loads(untrusted.stdout)
    assert refused["result"] == "soap_error"
    assert refused["errors"][0].startswith("QBWC1048")
