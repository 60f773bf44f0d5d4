"""The REST API driven end to end through a client generated from its own OpenAPI document
(issue 19): ``qbd-connector serve`` on loopback, ``openapi-python-client`` run at test time
on the document the service serves (into ``tmp_path``, never committed), and every call
below made through the generated functions and models, none by hand. The emulator's Web
Connector syncs a fake QuickBooks company in between, so records come back through the
client too. Documented errors arrive as the generated ``Error`` model."""

from __future__ import annotations

import importlib
import subprocess
import sys
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path
from types import ModuleType
from typing import Any

import httpx
import pytest

from tests.portal.live_service import KEY, Serve, finished, web_connector

PACKAGE = "qbd_generated_client"


@pytest.fixture(scope="module")
def service(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Serve]:
    server = Serve(tmp_path_factory.mktemp("serve"))
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="module")
def generated(service: Serve, tmp_path_factory: pytest.TempPathFactory) -> Iterator[ModuleType]:
    folder = tmp_path_factory.mktemp("client")
    document = folder / "openapi.json"
    document.write_bytes(httpx.get(f"{service.url}/api/v1/openapi.json", timeout=30).content)
    done = subprocess.run(
        [sys.executable, "-m", "openapi_python_client", "generate", "--path", str(document),
         "--output-path", str(folder / PACKAGE), "--meta", "none"],
        capture_output=True, text=True, timeout=300, check=False, cwd=folder,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    sys.path.insert(0, str(folder))
    try:
        yield importlib.import_module(PACKAGE)
    finally:
        sys.path.remove(str(folder))
        for name in [m for m in sys.modules if m.split(".")[0] == PACKAGE]:
            del sys.modules[name]


def _api(package: ModuleType, resource: str, operation: str) -> Any:
    """The generated module of one operation (``api/<tag>/<operation_id in snake_case>``)."""
    return importlib.import_module(f"{PACKAGE}.api.{resource}.{operation}")


@pytest.fixture
def clients() -> Iterator[ExitStack]:
    with ExitStack() as stack:
        yield stack


def _client(package: ModuleType, service: Serve, key: str, clients: ExitStack) -> Any:
    client = package.AuthenticatedClient(base_url=service.url, token=key, timeout=httpx.Timeout(60))
    return clients.enter_context(client)


def test_the_generated_client_drives_the_api(
    service: Serve, generated: ModuleType, tmp_path: Path, clients: ExitStack
) -> None:
    models = importlib.import_module(f"{PACKAGE}.models")
    admin = _client(generated, service, KEY, clients)
    assert _api(generated, "service", "get_health").sync_detailed(client=admin).status_code == 200

    company = _api(generated, "companies", "create_company").sync(
        client=admin, body=models.CompanyIn(name="Generated Co")
    )
    assert isinstance(company, models.CompanyOut) and company.name == "Generated Co"
    duplicate = _api(generated, "companies", "create_company").sync(
        client=admin, body=models.CompanyIn(name="Generated Co")
    )
    assert isinstance(duplicate, models.Error) and duplicate.error.code == "conflict"

    connection = _api(generated, "connections", "create_connection").sync(
        company.id,
        client=admin,
        body=models.ConnectionIn(method=models.ConnectionMethod.RIGHTWORKS),
    )
    assert isinstance(connection, models.ConnectionCreated) and connection.password
    qwc = _api(generated, "connections", "get_connection_qwc").sync_detailed(
        company.id, connection.id, client=admin
    )
    assert qwc.status_code == 200 and b"<QBWCXML>" in qwc.content
    (tmp_path / "generated.qwc").write_bytes(qwc.content)

    queued = _api(generated, "syncs", "request_sync").sync(
        company.id, client=admin, body=models.SyncRequestIn(data_types=["customers"])
    )
    assert isinstance(queued, models.SyncRunOut) and queued.status == "queued"
    result = finished(
        web_connector(tmp_path / "generated.qwc", connection.password, "--size", "tiny")
    )
    assert result.get("error") in (None, ""), result

    done = _api(generated, "syncs", "get_sync").sync(company.id, queued.id, client=admin)
    assert isinstance(done, models.SyncRunOut) and done.status == "succeeded", done
    records: list[Any] = []
    list_records = _api(generated, "data", "list_records")
    page = list_records.sync(company.id, "customers", client=admin, page_size=3)
    while True:
        assert isinstance(page, models.RecordPage)
        records += page.data
        if not isinstance(page.next_cursor, str):
            break
        page = list_records.sync(
            company.id, "customers", client=admin, page_size=3, cursor=page.next_cursor
        )
    assert len(records) >= 3 and len({r.id for r in records}) == len(records)
    one = _api(generated, "data", "get_record").sync(
        company.id, "customers", records[0].id, client=admin
    )
    assert isinstance(one, models.RecordOut) and one.id == records[0].id

    # a key scoped to this company, made and revoked through the generated client
    created = _api(generated, "api_keys", "create_api_key").sync(
        client=admin, body=models.ApiKeyIn(name="gen", companies=["Generated Co"])
    )
    assert isinstance(created, models.ApiKeyCreated) and created.scope == "companies"
    scoped = _client(generated, service, created.key, clients)
    other = _api(generated, "companies", "create_company").sync(
        client=admin, body=models.CompanyIn(name="Other Co")
    )
    get_company = _api(generated, "companies", "get_company")
    assert get_company.sync(company.id, client=scoped).id == company.id
    hidden = get_company.sync(other.id, client=scoped)
    assert isinstance(hidden, models.Error) and hidden.error.code == "not_found"
    refused = _api(generated, "api_keys", "list_api_keys").sync(client=scoped)
    assert isinstance(refused, models.Error) and refused.error.code == "admin_key_required"
    _api(generated, "api_keys", "revoke_api_key").sync(created.prefix, client=admin)
    revoked = get_company.sync(company.id, client=scoped)
    assert isinstance(revoked, models.Error) and revoked.error.code == "unauthorized"
