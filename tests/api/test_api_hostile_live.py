"""Issue 18 item 6: hostile REST requests get the documented JSON error with a 4xx, over real
HTTP, and the keep-alive connection survives them (before: text/plain 500s, the connection
closed by uvicorn, a 20 MB body accepted)."""

from __future__ import annotations

import base64
import http.client
import json
from collections.abc import Iterator

import pytest

from connector.api.app import create_app
from connector.settings import Settings
from connector.store.companies import create_company
from connector.store.db import Database
from tests.qbwc.scripted_work import serve_asgi

pytestmark = pytest.mark.filterwarnings("ignore:_SixMetaPathImporter:ImportWarning")

KEY = "hostile-test-key"


def _b64(data: object) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")


@pytest.fixture
def server(db: Database) -> Iterator[tuple[int, str]]:
    company = create_company(db, "Hostile Co")
    settings = Settings(database_url=db.url, bootstrap_api_key=KEY)
    with serve_asgi(create_app(settings, database=db), path="") as url:
        yield int(url.rsplit(":", 1)[1]), company.id


def _cases(company: str) -> dict[str, tuple[str, str, bytes | None]]:
    data = f"/api/v1/companies/{company}/data/customers"
    return {
        "record-cursor-2^63": (
            "GET",
            f"{data}?cursor={_b64({'t': 'customers', 'i': 2**63})}",
            None,
        ),
        "record-cursor-2^64": (
            "GET",
            f"{data}?cursor={_b64({'t': 'customers', 'i': 2**64})}",
            None,
        ),
        "company-cursor-naive-time": (
            "GET",
            f"/api/v1/companies?cursor={_b64({'t': '2024-01-01T00:00:00', 'i': 'x'})}",
            None,
        ),
        "modifiedSince-year-9999-minus-14h": (
            "GET",
            f"{data}?modifiedSince=9999-12-31T23:59:59-14:00",
            None,
        ),
        "modifiedSince-year-1-plus-14h": (
            "GET",
            f"{data}?modifiedSince=0001-01-01T00:00:00%2B14:00",
            None,
        ),
        "nul-in-company-id": ("GET", "/api/v1/companies/a%00b", None),
        "nul-in-record-id": ("GET", f"{data}/a%00b", None),
        "nul-in-query": ("GET", f"{data}?modifiedSince=2024-01-01%00", None),
        "nul-in-company-name": ("POST", "/api/v1/companies", b'{"name": "a\\u0000b"}'),
        "20-MB-json-body": (
            "POST",
            "/api/v1/companies",
            b'{"name": "' + b"x" * (20 * 1024 * 1024) + b'"}',
        ),
    }


CASE_NAMES = list(_cases("c"))


@pytest.mark.parametrize("name", CASE_NAMES)
def test_hostile_requests_get_a_json_4xx_and_the_connection_survives(
    server: tuple[int, str], name: str
) -> None:
    port, company = server
    method, path, body = _cases(company)[name]
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    headers = {"Authorization": f"Bearer {KEY}", "Content-Type": "application/json"}
    try:
        conn.request("GET", "/api/v1/companies", headers=headers)
        first = conn.getresponse()
        first.read()
        assert first.status == 200
        sock = conn.sock
        conn.request(method, path, body=body, headers=headers)
        response = conn.getresponse()
        payload = response.read()
        assert 400 <= response.status < 500, (response.status, payload[:300])
        if name == "20-MB-json-body":
            assert response.status == 413  # refused before any route parses it
        assert response.getheader("content-type", "").startswith("application/json")
        error = json.loads(payload)["error"]
        assert set(error) == {"code", "message", "details"}
        assert not response.will_close
        conn.request("GET", "/api/v1/companies", headers=headers)
        after = conn.getresponse()
        after.read()
        assert after.status == 200 and conn.sock is sock  # the same keep-alive connection
    finally:
        conn.close()
