"""Smoke test over real HTTP: uvicorn on loopback serving ``create_app`` with the real store,
a connection created through the REST API, its QWC fetched, and the Web Connector's
authenticate answered for the new credentials at ``/qbwc``."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import httpx
import pytest
import uvicorn
from lxml import etree

from connector.api.app import create_app
from connector.qbwc.qwc import parse_qwc
from connector.settings import Settings
from connector.store.db import Database
from qbd_emulator.child_service import free_port

KEY = "live-test-key"
AUTHENTICATE = (
    '<?xml version="1.0" encoding="utf-8"?><soap:Envelope '
    'xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body>'
    '<authenticate xmlns="http://developer.intuit.com/"><strUserName>{user}</strUserName>'
    "<strPassword>{password}</strPassword></authenticate></soap:Body></soap:Envelope>"
)


@pytest.fixture
def base_url(db: Database) -> Iterator[str]:
    port = free_port()
    settings = Settings(database_url=db.url, port=port, bootstrap_api_key=KEY)
    config = uvicorn.Config(
        create_app(settings, database=db), host="127.0.0.1", port=port, log_level="warning"
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        assert time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=30)


def _authenticate_answer(client: httpx.Client, user: str, password: str) -> list[str]:
    response = client.post(
        "/qbwc",
        content=AUTHENTICATE.format(user=user, password=password).encode(),
        headers={
            "Content-Type": "text/xml; charset=utf-8",
            "SOAPAction": '"http://developer.intuit.com/authenticate"',
        },
    )
    assert response.status_code == 200, response.text
    root = etree.fromstring(response.content)
    return [e.text or "" for e in root.iter("{http://developer.intuit.com/}string")]


def test_create_a_connection_over_http_and_authenticate_with_it(base_url: str) -> None:
    headers = {"Authorization": f"Bearer {KEY}"}
    with httpx.Client(base_url=base_url, headers=headers, timeout=30) as client:
        assert client.get("/api/v1/health").json()["status"] == "ok"
        company = client.post("/api/v1/companies", json={"name": "Live Co"}).json()
        connection = client.post(
            f"/api/v1/companies/{company['id']}/connections", json={"method": "rightworks"}
        ).json()
        qwc = parse_qwc(
            client.get(connection["qwcUrl"].split(str(client.base_url.port))[1]).content
        )
        assert qwc.user_name == connection["username"]
        assert client.get("/qbwc").status_code == 200
        good = _authenticate_answer(client, connection["username"], connection["password"])
        assert len(good[0]) >= 32 and good[1] != "nvu"
        bad = _authenticate_answer(client, connection["username"], "wrong")
        assert bad[1] == "nvu"
