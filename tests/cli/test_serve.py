"""``qbd-connector serve``: a real process that migrates, serves ``/api/v1`` and ``/qbwc``,
over HTTP and HTTPS; and its argument errors."""

from __future__ import annotations

import os
import signal
import ssl
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest
from lxml import etree

from connector.cli import build_parser, main
from connector.cli.serve_cmd import settings_from_args
from connector.store.db import Database
from qbd_emulator.child_service import free_port
from tests.cli.console import wait_healthy
from tests.requirements import require_executable

Start = Callable[..., "subprocess.Popen[bytes]"]


@pytest.fixture
def start_serve(tmp_path: Path) -> Iterator[Start]:
    """Start ``serve`` with extra arguments; stopped (by its own pid) at teardown."""
    procs: list[subprocess.Popen[bytes]] = []

    def start(*extra: str, env: dict[str, str] | None = None) -> subprocess.Popen[bytes]:
        proc = subprocess.Popen(
            [sys.executable, "-m", "connector", "serve", *extra, "--log-level", "warning"],
            cwd=tmp_path,
            env={
                **os.environ,
                "QBD_DATABASE_URL": f"sqlite:///{tmp_path / 'serve.db'}",
                **(env or {}),
            },
        )
        procs.append(proc)
        return proc

    yield start
    for proc in procs:
        if proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


def test_serve_migrates_and_answers_the_api_and_the_web_connector(
    tmp_path: Path, start_serve: Start
) -> None:
    port = free_port()
    proc = start_serve("--port", str(port))
    url = f"http://127.0.0.1:{port}"
    wait_healthy(proc, url, timeout=90)
    assert httpx.get(f"{url}/qbwc").status_code == 200
    assert httpx.get(f"{url}/qbwc?wsdl").status_code == 200
    assert httpx.get(f"{url}/api/v1/openapi.json").status_code == 200
    assert httpx.get(f"{url}/api/v1/companies").status_code == 401
    database = Database.from_url(f"sqlite:///{tmp_path / 'serve.db'}")
    try:
        assert database.current_revisions()
    finally:
        database.dispose()
    proc.send_signal(signal.SIGINT)
    assert proc.wait(timeout=30) == 0


def _self_signed(tmp_path: Path) -> tuple[Path, Path]:
    openssl = require_executable("openssl", how="apt-get install -y openssl")
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(
        [openssl, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
         "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost",
         "-keyout", str(key), "-out", str(cert)],
        check=True, capture_output=True, timeout=60,
    )  # fmt: skip
    return cert, key


def test_serve_over_https(tmp_path: Path, start_serve: Start) -> None:
    cert, key = _self_signed(tmp_path)
    port = free_port()
    proc = start_serve("--port", str(port), "--ssl-certfile", str(cert), "--ssl-keyfile", str(key))
    url = f"https://localhost:{port}"
    trust = ssl.create_default_context(cafile=str(cert))
    wait_healthy(proc, url, verify=trust, timeout=90)
    assert httpx.get(f"{url}/qbwc", verify=trust).status_code == 200


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        pytest.param(["--ssl-certfile", "c.pem"], "both an SSL certificate", id="cert-no-key"),
        pytest.param(["--port", "70000"], "outside 0-65535", id="bad-port"),
        pytest.param(["--database-url", "mysql://x/y"], "unsupported database", id="bad-db"),
        pytest.param(["--public-url", "ftp://x"], "public URL", id="bad-public-url"),
        pytest.param(
            ["--database-url", "postgresql://nobody@127.0.0.1:1/x"],
            "cannot open the database",
            id="no-server",
        ),
    ],
)
def test_bad_arguments_are_exit_2(
    argv: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["serve", *argv]) == 2
    assert message in capsys.readouterr().err


def test_flags_win_over_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("QBD_PORT", "9000")
    monkeypatch.setenv("QBD_HOST", "0.0.0.0")
    args = build_parser().parse_args(["serve", "--port", "9100"])
    settings = settings_from_args(args)
    assert (settings.host, settings.port, settings.public_url) == (
        "0.0.0.0",
        9100,
        "http://localhost:9100",
    )


SOAP = (
    '<?xml version="1.0" encoding="utf-8"?><soap:Envelope '
    'xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body>'
    '<{method} xmlns="http://developer.intuit.com/">{params}</{method}></soap:Body></soap:Envelope>'
)


def _soap(url: str, method: str, **params: str) -> list[str]:
    body = SOAP.format(method=method, params="".join(f"<{k}>{v}</{k}>" for k, v in params.items()))
    response = httpx.post(
        f"{url}/qbwc",
        content=body.encode(),
        headers={
            "Content-Type": "text/xml; charset=utf-8",
            "SOAPAction": f'"http://developer.intuit.com/{method}"',
        },
        timeout=30,
    )
    assert response.status_code == 200, response.text
    root = etree.fromstring(response.content)
    result = root.find(f".//{{http://developer.intuit.com/}}{method}Result")
    assert result is not None, response.text
    strings = list(result.iter("{http://developer.intuit.com/}string"))
    return [s.text or "" for s in strings] if strings else [result.text or ""]


@pytest.mark.parametrize("backend", ["postgresql"], indirect=True)
def test_two_instances_share_one_postgresql(database_url: str, start_serve: Start) -> None:
    """Issue 5, scaling out: what one instance writes the other serves, tickets included."""
    ports = [free_port(), free_port()]
    procs = [
        start_serve("--port", str(p), "--database-url", database_url, env={"QBD_API_KEY": "k"})
        for p in ports
    ]
    a, b = (f"http://127.0.0.1:{p}" for p in ports)
    for proc, url in zip(procs, (a, b), strict=True):
        wait_healthy(proc, url, timeout=90)
    auth = {"Authorization": "Bearer k"}
    company = httpx.post(f"{a}/api/v1/companies", json={"name": "Shared"}, headers=auth).json()
    assert httpx.get(f"{b}/api/v1/companies/{company['id']}", headers=auth).json() == company
    made = httpx.post(
        f"{a}/api/v1/companies/{company['id']}/connections",
        json={"method": "desktop_app"},
        headers=auth,
    ).json()
    ticket, status, *_ = _soap(
        b, "authenticate", strUserName=made["username"], strPassword=made["password"]
    )
    assert status != "nvu"
    assert _soap(a, "getLastError", ticket=ticket) != _soap(a, "getLastError", ticket="bogus")
