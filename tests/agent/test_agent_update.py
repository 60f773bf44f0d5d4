"""Self-update end to end: ``ci/release`` publishes two signed releases to a TUF repository
served on loopback; the agent running release 1.0 verifies and stages 2.0, and runs 2.0 from
its next start. A tampered archive and expired metadata are refused: it keeps 2.0."""

from __future__ import annotations

import functools
import http.server
import json
import subprocess
import sys
import tarfile
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from connector.agent.control import Control
from connector.agent.paths import AgentPaths
from tests.agent.agent_harness import agent_env, wait_for
from tests.refpaths import REPO

LAUNCHER = f"""#!/bin/sh
# A release's launcher (the packaged executable's stand-in): this Python, this release's folder.
QBD_AGENT_RELEASE_DIR="$(cd "$(dirname "$0")" && pwd)" exec {sys.executable} -m connector "$@"
"""


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    repo = tmp_path / "repo"
    repo.mkdir()
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(repo))
    handler.log_message = lambda *a: None  # type: ignore[assignment]
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", repo
    finally:
        server.shutdown()
        server.server_close()


def release(tmp_path: Path, repo: Path, version: str, url: str, *extra: str) -> Path:
    bundle = tmp_path / "bundle"
    bundle.mkdir(exist_ok=True)
    (bundle / "qbd-connector").write_text(LAUNCHER)
    (bundle / "qbd-connector").chmod(0o755)
    done = subprocess.run(
        [sys.executable, str(REPO / "ci" / "release"), "--bundle", str(bundle), "--version",
         version, "--repo", str(repo), "--keys", str(tmp_path / "keys"), "--update-url", url,
         *extra],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    return Path(json.loads(done.stdout.strip().splitlines()[-1])["archive"])


def run(launcher: Path, home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(launcher), "agent", *args], env=agent_env(home), capture_output=True, text=True,
        timeout=120, check=True,
    )  # fmt: skip


def status(home: Path) -> dict[str, Any]:
    data: dict[str, Any] = Control(
        AgentPaths(home / "config", home / "state", home / "logs")
    ).status()
    return data


def check_now(home: Path) -> dict[str, Any]:
    control = Control(AgentPaths(home / "config", home / "state", home / "logs"))
    answer: dict[str, Any] = control.call("POST", "/api/update-check")
    return answer


@pytest.mark.slow
@pytest.mark.timeout(600)
def test_the_agent_moves_to_the_next_signed_release_and_refuses_bad_ones(
    tmp_path: Path, served: tuple[str, Path]
) -> None:
    url, repo = served
    first = release(tmp_path, repo, "1.0", url, "--create-keys")
    release(tmp_path, repo, "2.0", url)
    install = tmp_path / "install" / "1.0"
    install.mkdir(parents=True)
    with tarfile.open(first) as archive:
        archive.extractall(install, filter="data")
    launcher, home = install / "qbd-connector", tmp_path / "agent"

    run(launcher, home, "start")
    try:
        assert status(home)["version"] == "1.0"
        wait_for("2.0 staged", lambda: status(home)["update"]["ready"] == "2.0", timeout=120)
        assert status(home)["version"] == "1.0"  # no switch while running
        run(launcher, home, "stop")

        run(launcher, home, "start")  # the same shortcut: the agent hands over to 2.0
        moved = status(home)
        assert moved["version"] == "2.0"
        staged = home / "state" / "updates" / "releases" / "2.0"
        assert (staged / "release.json").exists() and (staged / "root.json").exists()

        tampered = release(tmp_path, repo, "3.0", url)
        data = bytearray(tampered.read_bytes())
        data[len(data) // 2] ^= 0xFF  # same length, other bytes: the signed hashes differ
        tampered.write_bytes(bytes(data))
        answer = check_now(home)
        assert answer["staged"] is None and "LengthOrHashMismatchError" in answer["problem"]
        assert not (home / "state" / "updates" / "releases" / "3.0").exists()

        release(tmp_path, repo, "4.0", url, "--expires-days", "-1")
        answer = check_now(home)
        assert answer["staged"] is None and "ExpiredMetadataError" in answer["problem"]
        assert status(home)["version"] == "2.0" and status(home)["running"]
        log = (home / "logs" / "agent.log").read_text()
        assert (
            "update 2.0 verified and ready" in log and "update refused, keeping release 2.0" in log
        )
    finally:
        subprocess.run(
            [str(launcher), "agent", "stop"], env=agent_env(home), capture_output=True, timeout=120
        )
