"""Core REST API: auth, error shape, companies, connections, QWC, pause/resume, schedule.

Requests go through httpx's ASGI transport (Starlette's TestClient warns about httpx, and
warnings are errors here); one smoke test in ``test_core_live.py`` uses real uvicorn.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
import xmlschema
from fastapi import FastAPI
from lxml import etree

from connector.api.app import create_app
from connector.api.deps import get_database
from connector.qbwc.qwc import parse_qwc
from connector.qbxml import safexml
from connector.settings import Settings
from connector.store.api_keys import create_api_key, revoke_api_key
from connector.store.connections import verify_connection_password
from connector.store.db import Database
from tests.api.synced_company import no_work
from tests.refpaths import reference_path

BOOTSTRAP = "bootstrap-key-for-tests"


class Client:
    """A synchronous face over httpx's ASGI transport."""

    def __init__(self, app: FastAPI, token: str | None = BOOTSTRAP) -> None:
        self.app, self.token = app, token

    def request(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
        headers = dict(kwargs.pop("headers", {}))
        if self.token is not None:
            headers.setdefault("Authorization", f"Bearer {self.token}")

        async def go() -> httpx.Response:
            transport = httpx.ASGITransport(app=self.app)
            async with httpx.AsyncClient(transport=transport, base_url="http://test") as c:
                return await c.request(method, url, headers=headers, **kwargs)

        return asyncio.run(go())

    def get(self, url: str, **kw: Any) -> httpx.Response:
        return self.request("GET", url, **kw)

    def post(self, url: str, **kw: Any) -> httpx.Response:
        return self.request("POST", url, **kw)

    def put(self, url: str, **kw: Any) -> httpx.Response:
        return self.request("PUT", url, **kw)


@pytest.fixture
def settings(sqlite_db: Database) -> Settings:
    return Settings(
        database_url=sqlite_db.url,
        port=8080,
        public_url="https://qbd.example.com",
        bootstrap_api_key=BOOTSTRAP,
    )


@pytest.fixture
def app(settings: Settings, sqlite_db: Database) -> FastAPI:
    return create_app(settings, database=sqlite_db, work_source_factory=no_work)


@pytest.fixture
def client(app: FastAPI) -> Client:
    return Client(app)


@pytest.fixture
def company(client: Client) -> dict[str, Any]:
    response = client.post("/api/v1/companies", json={"name": "Acme Plumbing"})
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


@pytest.fixture
def connection(client: Client, company: dict[str, Any]) -> Iterator[dict[str, Any]]:
    response = client.post(
        f"/api/v1/companies/{company['id']}/connections", json={"method": "enterprise_cloud"}
    )
    assert response.status_code == 201, response.text
    yield response.json()


def _error(response: httpx.Response, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == {"error"} and set(body["error"]) == {"code", "message", "details"}
    assert body["error"]["code"] == code and body["error"]["message"]
    error: dict[str, Any] = body["error"]
    return error


def test_the_api_base_lists_where_to_start(app: FastAPI) -> None:
    response = Client(app, token=None).get("/api/v1")
    assert response.status_code == 200
    links = response.json()
    assert links["openApi"].endswith("/api/v1/openapi.json")
    assert links["companies"].endswith("/api/v1/companies")


def test_health_needs_no_key_and_reports_the_database(app: FastAPI) -> None:
    response = Client(app, token=None).get("/api/v1/health")
    assert response.status_code == 200 and response.json()["database"] == "ok"


def test_health_is_503_when_the_database_is_gone(app: FastAPI, tmp_path: Any) -> None:
    broken = Database.from_url(f"sqlite:///{tmp_path}/missing/dir/x.db")
    app.dependency_overrides[get_database] = lambda: broken
    _error(Client(app, token=None).get("/api/v1/health"), 503, "unavailable")
    broken.dispose()


@pytest.mark.parametrize(
    "headers",
    [
        pytest.param({}, id="no-header"),
        pytest.param({"Authorization": "Bearer wrong"}, id="wrong-key"),
        pytest.param({"Authorization": "Basic dXNlcjpwYXNz"}, id="basic-auth"),
    ],
)
def test_requests_without_a_valid_key_are_401(app: FastAPI, headers: dict[str, str]) -> None:
    response = Client(app, token=None).get("/api/v1/companies", headers=headers)
    _error(response, 401, "unauthorized")
    assert response.headers["www-authenticate"] == "Bearer"


def test_a_stored_key_works_until_revoked(app: FastAPI, sqlite_db: Database) -> None:
    row, key = create_api_key(sqlite_db, "test")
    keyed = Client(app, token=key)
    assert keyed.get("/api/v1/companies").status_code == 200
    assert keyed.get("/api/v1/companies").status_code == 200  # second time from the cache
    revoke_api_key(sqlite_db, row.id)
    _error(keyed.get("/api/v1/companies"), 401, "unauthorized")


def test_companies_create_get_and_errors(client: Client, company: dict[str, Any]) -> None:
    assert set(company) == {"id", "name", "createdAt"} and company["name"] == "Acme Plumbing"
    assert client.get(f"/api/v1/companies/{company['id']}").json() == company
    _error(client.post("/api/v1/companies", json={"name": "Acme Plumbing"}), 409, "conflict")
    _error(client.post("/api/v1/companies", json={"name": ""}), 422, "validation_error")
    _error(client.post("/api/v1/companies", json={"name": "   "}), 422, "invalid_value")
    _error(client.post("/api/v1/companies", content=b"{"), 422, "validation_error")
    _error(client.get("/api/v1/companies/nope"), 404, "not_found")


def test_company_list_pages_with_a_cursor(client: Client) -> None:
    names = [f"Company {i}" for i in range(5)]
    for name in names:
        assert client.post("/api/v1/companies", json={"name": name}).status_code == 201
    seen: list[str] = []
    params: dict[str, Any] = {"pageSize": 2}
    while True:
        body = client.get("/api/v1/companies", params=params).json()
        seen.extend(c["name"] for c in body["data"])
        if body["nextCursor"] is None:
            break
        params["cursor"] = body["nextCursor"]
    assert seen == names
    _error(client.get("/api/v1/companies", params={"cursor": "garbage!"}), 400, "bad_request")
    _error(client.get("/api/v1/companies", params={"pageSize": 0}), 422, "validation_error")


def test_a_new_connection_shows_its_password_once(
    client: Client, company: dict[str, Any], connection: dict[str, Any], sqlite_db: Database
) -> None:
    assert connection["companyId"] == company["id"]
    assert connection["method"] == "enterprise_cloud"
    assert verify_connection_password(sqlite_db, connection["username"], connection["password"])
    base = f"https://qbd.example.com/api/v1/companies/{company['id']}/connections"
    assert connection["qwcUrl"] == f"{base}/{connection['id']}/qwc"
    assert connection["linkUrl"].startswith("https://qbd.example.com/link/")
    assert connection["id"] not in connection["linkUrl"]  # a token, not a guessable id
    again = client.get(f"/api/v1/companies/{company['id']}/connections/{connection['id']}")
    assert "password" not in again.json() and again.json()["linkUrl"] is None
    url = f"/api/v1/companies/{company['id']}/connections"
    more = [client.post(url, json={"method": "desktop_app"}).json()["id"] for _ in range(2)]
    first = client.get(url, params={"pageSize": 2}).json()
    second = client.get(url, params={"pageSize": 2, "cursor": first["nextCursor"]}).json()
    assert [c["id"] for c in first["data"] + second["data"]] == [connection["id"], *more]
    assert second["nextCursor"] is None


def test_connection_errors(client: Client, company: dict[str, Any]) -> None:
    url = f"/api/v1/companies/{company['id']}/connections"
    _error(client.post(url, json={"method": "fax"}), 422, "validation_error")
    _error(
        client.post("/api/v1/companies/nope/connections", json={"method": "rightworks"}),
        404,
        "not_found",
    )
    _error(client.get(f"{url}/missing"), 404, "not_found")


def test_a_connection_is_not_reachable_through_another_company(
    client: Client, connection: dict[str, Any]
) -> None:
    other = client.post("/api/v1/companies", json={"name": "Other"}).json()
    url = f"/api/v1/companies/{other['id']}/connections/{connection['id']}"
    _error(client.get(url), 404, "not_found")
    _error(client.get(f"{url}/qwc"), 404, "not_found")
    _error(client.post(f"{url}/pause"), 404, "not_found")


def test_the_qwc_file_describes_the_connection(client: Client, connection: dict[str, Any]) -> None:
    response = client.get(connection["qwcUrl"].removeprefix("https://qbd.example.com"))
    assert response.status_code == 200 and response.headers["content-type"] == "application/xml"
    assert response.headers["content-disposition"].endswith(f'{connection["username"]}.qwc"')
    qwc = parse_qwc(response.content)
    assert qwc.user_name == connection["username"]
    assert qwc.app_url == "https://qbd.example.com/qbwc"
    assert qwc.app_support == "https://qbd.example.com/support"
    assert qwc.run_every_minutes == 60 and "Acme Plumbing" in qwc.app_name


def test_qwc_files_share_the_owner_id_and_differ_in_file_id_and_app_name(
    client: Client, connection: dict[str, Any]
) -> None:
    """PROTOCOL.md 1.6: OwnerID one per application, FileID one per connection, and AppName
    distinct per company (QBWC replaces an application of the same name)."""
    other = client.post("/api/v1/companies", json={"name": "Beta Bakery"}).json()
    second = client.post(
        f"/api/v1/companies/{other['id']}/connections", json={"method": "rightworks"}
    ).json()
    first, again = (
        parse_qwc(client.get(c["qwcUrl"].removeprefix("https://qbd.example.com")).content)
        for c in (connection, second)
    )
    assert first.owner_id == again.owner_id
    assert first.file_id != again.file_id and first.app_name != again.app_name
    assert first.user_name != again.user_name
    assert (first.is_read_only, first.auth_flags, first.qb_type.value) == (False, 0xF, "QBFS")
    assert first.personal_data_pref is not None and first.unattended_mode_pref is not None
    assert first.style is not None and first.app_description


def test_the_served_qwc_is_valid_against_intuits_schema(
    client: Client, connection: dict[str, Any]
) -> None:
    schema = xmlschema.XMLSchema(str(reference_path("xsd", "qwc", "QWC.xsd")))
    served = client.get(connection["qwcUrl"].removeprefix("https://qbd.example.com")).content
    root = safexml.parse_document(served)
    for child in list(root):  # elements QWC.xsd predates (PROTOCOL.md 1.6 lists them)
        if child.tag in NEWER_THAN_QWC_XSD:
            root.remove(child)
    schema.validate(etree.tostring(root))


NEWER_THAN_QWC_XSD = frozenset(
    {"IsReadOnly", "AuthFlags", "PersonalDataPref", "UnattendedModePref"}
)


def test_pause_resume_and_schedule(client: Client, connection: dict[str, Any]) -> None:
    url = f"/api/v1/companies/{connection['companyId']}/connections/{connection['id']}"
    assert client.post(f"{url}/pause").json()["paused"] is True
    assert client.post(f"{url}/resume").json()["paused"] is False
    window = {"start": "19:00", "end": "07:00", "days": ["mon", "fri"], "timezone": "Europe/Paris"}
    body = client.put(f"{url}/schedule", json={"everyMinutes": 30, "window": window}).json()
    assert body["schedule"] == {"everyMinutes": 30, "window": window}
    body = client.put(f"{url}/schedule", json={"everyMinutes": 15, "window": None}).json()
    assert body["schedule"] == {"everyMinutes": 15, "window": None}
    qwc = parse_qwc(client.get(f"{url}/qwc").content)
    assert qwc.run_every_minutes == 15
    bad_tz = {**window, "timezone": "Mars/Olympus"}
    _error(
        client.put(f"{url}/schedule", json={"everyMinutes": 5, "window": bad_tz}),
        422,
        "validation_error",
    )
    _error(client.put(f"{url}/schedule", json={"everyMinutes": 0}), 422, "validation_error")


def test_a_schedule_with_several_bad_values_names_them_all(
    client: Client, connection: dict[str, Any]
) -> None:
    """One 422 lists every bad value, not the first one found (issue 11 item 12)."""
    url = f"/api/v1/companies/{connection['companyId']}/connections/{connection['id']}"
    window = {"start": "25:00", "end": "7pm", "days": ["mon", "someday"], "timezone": "Mars/X"}
    error = _error(
        client.put(f"{url}/schedule", json={"everyMinutes": 0, "window": window}),
        422,
        "validation_error",
    )
    where = {tuple(e["loc"][1:]): e["msg"] for e in error["details"]["errors"]}
    assert set(where) == {
        ("everyMinutes",),
        ("window", "start"),
        ("window", "end"),
        ("window", "days"),
        ("window", "timezone"),
    }, where
    assert "'25:00' is not a time of day" in where[("window", "start")]
    assert "'someday'" in where[("window", "days")]
    same = {"start": "07:00", "end": "07:00", "days": ["mon"], "timezone": "UTC"}
    error = _error(
        client.put(f"{url}/schedule", json={"everyMinutes": 5, "window": same}),
        422,
        "validation_error",
    )
    assert "must differ" in error["details"]["errors"][0]["msg"]


def test_openapi_lists_the_core_routes(app: FastAPI) -> None:
    spec = Client(app, token=None).get("/api/v1/openapi.json").json()
    assert {
        "/api/v1/health",
        "/api/v1/companies",
        "/api/v1/companies/{companyId}/connections/{connectionId}/qwc",
        "/api/v1/companies/{companyId}/connections/{connectionId}/schedule",
    } <= set(spec["paths"])


def test_unknown_routes_get_the_json_error_shape(client: Client) -> None:
    _error(client.get("/api/v1/nope"), 404, "not_found")
    _error(client.put("/api/v1/companies"), 405, "method_not_allowed")


SERVER_VERSION = (
    b'<?xml version="1.0" encoding="utf-8"?><soap:Envelope '
    b'xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body>'
    b'<serverVersion xmlns="http://developer.intuit.com/" /></soap:Body></soap:Envelope>'
)


@pytest.mark.parametrize("path", ["/qbwc", "/qbwc/"])
def test_the_soap_endpoint_answers_get_wsdl_and_post(app: FastAPI, path: str) -> None:
    client = Client(app, token=None)
    assert client.get(path).status_code == 200
    wsdl = client.get(path, params="wsdl")
    assert wsdl.status_code == 200 and b"definitions" in wsdl.content
    headers = {
        "Content-Type": "text/xml; charset=utf-8",
        "SOAPAction": '"http://developer.intuit.com/serverVersion"',
    }
    response = client.post(path, content=SERVER_VERSION, headers=headers)
    assert response.status_code == 200, response.text
    assert b"serverVersionResult" in response.content


def test_the_support_page_answers(client: Client) -> None:
    assert client.get("/support").status_code == 200
