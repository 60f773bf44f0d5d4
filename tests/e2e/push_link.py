"""A company synced once over HTTP from a saved fake QuickBooks company file, for the push
end-to-end tests: ``serve`` (``tests/portal/live_service.py``) holds the company and its
connection; ``session`` runs the emulator's Web Connector with ``--company FILE
--save-company`` (and any extra arguments, e.g. ``--scenario``)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from qbd_emulator.company import storage
from qbd_emulator.generate import generate
from tests.portal.live_service import Serve, finished, web_connector


@dataclass(frozen=True)
class PushLink:
    serve: Serve
    base: str
    """``/companies/{id}``"""
    qwc: Path
    password: str
    company_file: Path

    def session(self, *extra: str) -> dict[str, Any]:
        run = ("--company", str(self.company_file), "--save-company", *extra)
        return finished(web_connector(self.qwc, self.password, *run))


def synced_link(serve: Serve, folder: Path, name: str) -> PushLink:
    """A tiny company file, its company and connection in ``serve``, one full sync done."""
    company_file = folder / "company.json"
    storage.save(generate(5, "tiny"), company_file)
    company = serve.api("POST", "/companies", json={"name": name}).json()
    base = f"/companies/{company['id']}"
    connection = serve.api("POST", f"{base}/connections", json={"method": "rightworks"}).json()
    qwc = folder / "push.qwc"
    qwc.write_bytes(serve.api("GET", f"{base}/connections/{connection['id']}/qwc").content)
    link = PushLink(serve, base, qwc, connection["password"], company_file)
    assert not link.session().get("error")
    return link
