"""The emulator as pytest fixtures (entry point ``pytest11``: loaded wherever the package is
installed; DESIGN.md "pytest plugin").

Fixtures: ``fake_quickbooks`` (a ``FakeQuickBooks`` over a generated company; the marker
``@pytest.mark.qbd_company(seed=, size=)`` chooses it, default seed 1, size tiny),
``qbd_service`` (``qbd-connector serve`` on loopback with a fresh SQLite store and an admin
API key: ``.url``, ``.api_key``, ``.database_url``, ``.api(...)``, ``.connect(name)``),
``web_connector`` (one Web Connector update of a QWC against its service with the fake
QuickBooks, returning the session summary), ``qbd_scenario`` (loads a fault scenario:
``qbd_scenario(path_or_document, seed=1)``), ``qbd_cassette`` (the test's cassette file:
``web_connector(..., record=qbd_cassette)`` records into it, ``replay=qbd_cassette`` answers
from it). Marker ``real_quickbooks``: the test must also pass against real QuickBooks on
Windows; with ``QBD_REAL_QUICKBOOKS=1`` its ``fake_quickbooks`` is QuickBooks through COM.

Loaded into every pytest run of an environment that has the package, this module imports only
pytest and the standard library at import time, defines nothing but these fixtures and markers,
and changes no option or hook of anyone's run. Must not: hold emulator logic (``update``).
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    import httpx

    from connector.processors.base import RequestProcessor
    from connector.qbwc.client import SessionSummary
    from qbd_emulator.faults import Scenario
    from qbd_emulator.update import UpdateResult

__all__ = ["QbdCassette", "QbdConnection", "QbdService", "WebConnector"]


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "qbd_company(seed=1, size='tiny'): the company fake_quickbooks generates"
    )
    config.addinivalue_line(
        "markers", "real_quickbooks: must also pass against real QuickBooks on Windows"
    )


# --- fake QuickBooks --------------------------------------------------------------------


@pytest.fixture
def fake_quickbooks(request: pytest.FixtureRequest) -> RequestProcessor:
    """A fake QuickBooks over a generated company (``qbd_company(seed=, size=)``)."""
    if request.node.get_closest_marker("real_quickbooks") and os.environ.get("QBD_REAL_QUICKBOOKS"):
        from connector.processors.com import ComProcessor  # Windows, QuickBooks open
        from connector.processors.registry import AuthPreferences

        real: RequestProcessor = ComProcessor(AuthPreferences())
        return real
    from qbd_emulator.generate import generate
    from qbd_emulator.processor import FakeQuickBooks

    marker = request.node.get_closest_marker("qbd_company")
    kwargs: dict[str, Any] = dict(marker.kwargs) if marker else {}
    seed, size = int(kwargs.get("seed", 1)), str(kwargs.get("size", "tiny"))
    return FakeQuickBooks(generate(seed, size), seed=seed)


# --- the service -------------------------------------------------------------------------


@dataclass(frozen=True)
class QbdConnection:
    """A company and one connection of the service: what a user adds to the Web Connector."""

    company_id: str
    connection_id: str
    qwc: str
    """The QWC file's XML."""
    password: str


@dataclass
class QbdService:
    """``qbd-connector serve`` on loopback: ``url`` (the service's base URL), ``api_key`` (an
    admin key), ``database_url`` (its fresh SQLite store)."""

    url: str
    api_key: str
    database_url: str
    log: Path

    def api(self, method: str, path: str, **kw: Any) -> httpx.Response:
        """A REST call under ``/api/v1`` with the admin key."""
        import httpx

        headers = {"Authorization": f"Bearer {self.api_key}", **kw.pop("headers", {})}
        url = f"{self.url}/api/v1{path}"
        return httpx.request(method, url, headers=headers, timeout=60, **kw)

    def connect(self, name: str, method: str = "desktop_app") -> QbdConnection:
        """A new company ``name`` with one connection, its QWC and password."""
        company = self._ok(self.api("POST", "/companies", json={"name": name}))
        path = f"/companies/{company['id']}/connections"
        made = self._ok(self.api("POST", path, json={"method": method}))
        qwc = self.api("GET", f"{path}/{made['id']}/qwc")
        qwc.raise_for_status()
        return QbdConnection(company["id"], made["id"], qwc.text, made["password"])

    @staticmethod
    def _ok(response: httpx.Response) -> dict[str, Any]:
        response.raise_for_status()
        data: dict[str, Any] = response.json()
        return data


@pytest.fixture
def qbd_service(tmp_path_factory: pytest.TempPathFactory) -> Iterator[QbdService]:
    """A running ``qbd-connector serve`` with a fresh SQLite store, stopped after the test."""
    from qbd_emulator.child_service import ChildService

    folder = tmp_path_factory.mktemp("qbd_service")
    key = "qbd-test-" + secrets.token_urlsafe(24)
    child = ChildService(f"sqlite:///{folder / 'service.db'}", key, folder / "serve.log")
    child.start()
    try:
        yield QbdService(child.url, key, child.database_url, child.log)
    finally:
        child.stop()


# --- Web Connector, scenarios, cassettes -----------------------------------------------------


@dataclass(frozen=True)
class QbdCassette:
    """The test's cassette file (recorded into, or replayed from)."""

    path: Path

    def exists(self) -> bool:
        return self.path.exists()


@pytest.fixture
def qbd_cassette(tmp_path_factory: pytest.TempPathFactory) -> QbdCassette:
    return QbdCassette(tmp_path_factory.mktemp("qbd_cassette") / "cassette.json")


@pytest.fixture
def qbd_scenario() -> Any:
    """``qbd_scenario(path_or_document, seed=1)``: a fault scenario for ``web_connector``."""

    def load(source: Path | str | dict[str, Any], seed: int = 1) -> Scenario:
        from qbd_emulator.faults import Scenario, load_scenario, parse_scenario

        faults = parse_scenario(source) if isinstance(source, dict) else load_scenario(Path(source))
        return Scenario(faults, seed)

    return load


@dataclass
class WebConnector:
    """``web_connector(qwc, password, ...)``: one update; ``last`` keeps its whole result
    (faults fired, what a replay did not match, what was recorded)."""

    request: pytest.FixtureRequest
    last: UpdateResult | None = field(default=None, init=False)

    def __call__(
        self,
        qwc: str,
        password: str,
        *,
        scenario: Scenario | None = None,
        record: QbdCassette | None = None,
        replay: QbdCassette | None = None,
        noop_wait_seconds: float = 0.5,
    ) -> SessionSummary:
        from connector.qbwc.client import ClientConfig
        from connector.qbwc.qwc import parse_qwc
        from qbd_emulator.cassette import ReplayProcessor, load_cassette, save_cassette
        from qbd_emulator.processor import FakeQuickBooks
        from qbd_emulator.update import run_update

        options: dict[str, Any] = {"scenario": scenario, "record": record is not None}
        options["config"] = ClientConfig(noop_wait_seconds=noop_wait_seconds)
        if replay is not None:
            options["replay"] = ReplayProcessor(load_cassette(replay.path))
        else:
            fake = self.request.getfixturevalue("fake_quickbooks")
            if not isinstance(fake, FakeQuickBooks):
                raise TypeError("web_connector drives the fake QuickBooks (not real QuickBooks)")
            options.update(company=fake.company, seed=fake.seed)
        result = run_update(parse_qwc(qwc.encode("utf-8")), password, **options)
        if record is not None and result.recorded is not None:
            save_cassette(result.recorded, record.path)
        self.last = result
        return result.summary


@pytest.fixture
def web_connector(request: pytest.FixtureRequest) -> WebConnector:
    return WebConnector(request)
