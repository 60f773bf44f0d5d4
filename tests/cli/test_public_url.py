"""The public URL as a first-class setting (issue 11 item 6): ``serve`` prints it, records it,
and says when a Web Connector elsewhere could not use it; ``connection create`` run beside
the service points its QWC file there; an ``http://`` QWC for a non-local host is refused
with the Web Connector's reason. Real console scripts."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from connector.qbwc.qwc import parse_qwc
from qbd_emulator.child_service import free_port
from tests.cli.console import script


def _env(tmp_path: Path) -> dict[str, str]:
    env = {**os.environ, "QBD_DATABASE_URL": f"sqlite:///{tmp_path / 'svc.db'}"}
    env.pop("QBD_PUBLIC_URL", None)
    return env


def _serve_once(tmp_path: Path, *argv: str) -> tuple[str, str]:
    """Start ``serve``, read what it printed at start, stop it (by its own pid)."""
    proc = subprocess.Popen(
        [script(), "serve", "--port", str(free_port()), "--log-level", "warning", *argv],
        cwd=tmp_path,
        env=_env(tmp_path),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None
        first = proc.stdout.readline()
    finally:
        proc.terminate()
        _, err = proc.communicate(timeout=60)
    return first, err


def _cli(tmp_path: Path, *argv: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [script(), *argv],
        cwd=tmp_path,
        env=_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def test_connection_create_points_the_qwc_at_the_url_serve_ran_with(tmp_path: Path) -> None:
    first, err = _serve_once(tmp_path, "--public-url", "https://qbd.example.com")
    assert first.startswith("qbd-connector: serving https://qbd.example.com "), first
    assert "refuses" not in err
    assert _cli(tmp_path, "company", "create", "Acme").returncode == 0
    done = _cli(
        tmp_path, "connection", "create", "Acme", "--method", "enterprise_cloud",
        "--qwc-out", str(tmp_path / "acme.qwc"),
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "AppURL https://qbd.example.com/qbwc" in done.stdout
    qwc = parse_qwc((tmp_path / "acme.qwc").read_bytes())
    assert qwc.app_url == "https://qbd.example.com/qbwc"
    # the flag still wins over what serve recorded
    done = _cli(
        tmp_path, "connection", "create", "Acme", "--method", "enterprise_cloud",
        "--public-url", "https://other.example.com", "--qwc-out", str(tmp_path / "b.qwc"),
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert parse_qwc((tmp_path / "b.qwc").read_bytes()).app_url == "https://other.example.com/qbwc"


@pytest.mark.parametrize(
    ("argv", "said"),
    [
        pytest.param(["--public-url", "http://qbd.example.com"], "QBWC1010", id="http-remote"),
        pytest.param(["--host", "0.0.0.0"], "cannot reach that", id="all-interfaces-localhost"),
    ],
)
def test_serve_says_when_a_remote_web_connector_could_not_use_its_qwc_files(
    tmp_path: Path, argv: list[str], said: str
) -> None:
    first, err = _serve_once(tmp_path, *argv)
    assert first.startswith("qbd-connector: serving "), first
    assert said in err and "--public-url https://HOST" in err, err


def test_an_http_qwc_for_a_remote_host_is_refused_and_nothing_is_created(tmp_path: Path) -> None:
    assert _cli(tmp_path, "company", "create", "Acme").returncode == 0
    done = _cli(
        tmp_path, "connection", "create", "Acme", "--method", "enterprise_cloud",
        "--public-url", "http://qbd.example.com", "--qwc-out", str(tmp_path / "acme.qwc"),
    )  # fmt: skip
    assert done.returncode == 2
    assert "QBWC1010" in done.stderr and "https" in done.stderr
    assert done.stdout == "" and not (tmp_path / "acme.qwc").exists()
    assert _cli(tmp_path, "connection", "list").stdout == ""
