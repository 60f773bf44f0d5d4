"""The local UI/API guard: loopback Host only, the per-install token, no cross-origin writes;
and the JSON API's answers to bad input."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from connector.agent.credentials import EncryptedFileStore
from connector.agent.daemon import Agent
from connector.agent.localapi import COOKIE, LocalServer
from connector.agent.main import install_token
from connector.agent.paths import AgentPaths

TOKEN = "t0ken-for-tests"


@pytest.fixture
def server(tmp_path: Path) -> Iterator[tuple[str, Agent]]:
    paths = AgentPaths(tmp_path / "c", tmp_path / "s", tmp_path / "l")
    paths.create()
    agent = Agent(paths, EncryptedFileStore(paths))
    stopped: list[bool] = []
    local = LocalServer(agent, TOKEN, lambda: stopped.append(True))
    local.start()
    try:
        yield f"http://127.0.0.1:{local.port}", agent
    finally:
        local.stop()


def test_the_token_in_the_url_becomes_a_strict_cookie(server: tuple[str, Agent]) -> None:
    base, _ = server
    reply = httpx.get(f"{base}/?token={TOKEN}")
    assert reply.status_code == 303 and reply.headers["location"] == "/"
    cookie = reply.headers["set-cookie"]
    assert f"{COOKIE}={TOKEN}" in cookie and "HttpOnly" in cookie and "SameSite=strict" in cookie
    assert httpx.get(f"{base}/?token=wrong").status_code == 401
    assert httpx.get(f"{base}/").status_code == 401
    assert httpx.get(f"{base}/", cookies={COOKIE: TOKEN}).status_code == 200


@pytest.mark.parametrize(
    ("headers", "code"),
    [
        ({"Host": "attacker.example:80"}, 403),
        ({"Origin": "http://attacker.example"}, 403),
        ({}, 403),  # a cookie-borne write with neither Origin nor a same-origin Referer
        ({"Origin": "ORIGIN"}, 303),
    ],
    ids=["dns-rebinding-host", "cross-origin", "no-origin", "same-origin"],
)
def test_writes_only_from_this_origin(
    server: tuple[str, Agent], headers: dict[str, str], code: int
) -> None:
    base, agent = server
    headers = {k: v.replace("ORIGIN", base) for k, v in headers.items()}
    reply = httpx.post(f"{base}/sync", headers=headers, cookies={COOKIE: TOKEN})
    assert reply.status_code == code
    assert agent.status()["companies"] == []


def test_the_commands_api_needs_the_bearer_token_and_says_what_is_wrong(
    server: tuple[str, Agent],
) -> None:
    base, _ = server
    auth = {"Authorization": f"Bearer {TOKEN}"}
    assert httpx.get(f"{base}/api/status").status_code == 401
    assert httpx.get(f"{base}/api/status", headers=auth).json()["companies"] == []
    missing = httpx.post(f"{base}/api/companies/Nope/pause", headers=auth)
    assert missing.status_code == 404 and "no company named 'Nope'" in missing.json()["error"]
    bad = httpx.post(f"{base}/api/companies", headers=auth, json={"qwc": "<x/>", "password": "p"})
    assert bad.status_code == 400 and "QWC file is refused" in bad.json()["error"]


def test_the_install_token_is_made_once_and_private(tmp_path: Path) -> None:
    paths = AgentPaths(tmp_path / "c", tmp_path / "s", tmp_path / "l")
    first = install_token(paths)
    assert len(first) >= 40 and install_token(paths) == first
    assert (paths.token_file.stat().st_mode & 0o777) == 0o600
