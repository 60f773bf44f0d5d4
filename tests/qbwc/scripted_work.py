"""Test doubles for the QBWC service tests: a scripted WorkSource and store set-up helpers.

``ScriptedWork`` implements ``connector.qbwc.server.work.WorkSource`` with a few canned qbXML requests
per connection and records every call, so tests can assert what the service asked for.
Not a test module (no tests here); imported by ``test_service*``, ``test_soap*`` and friends.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import pytest
import sqlalchemy as sa
import uvicorn
from argon2 import PasswordHasher

from connector import secrets
from connector.qbwc.server.text_spool import Response, whole
from connector.qbwc.server.work import Progress, SessionContext
from connector.settings import DEFAULT_OWNER_ID
from connector.store.companies import create_company
from connector.store.connections import ConnectionRow, create_connection, get_connection
from connector.store.db import Database
from connector.store.tables_core import connections
from qbd_emulator.child_service import free_port

REQUEST = (
    '<?xml version="1.0" encoding="utf-8"?><?qbxml version="{version}"?>'
    '<QBXML><QBXMLMsgsRq onError="stopOnError"><CustomerQueryRq requestID="{n}">'
    "<MaxReturned>100</MaxReturned></CustomerQueryRq></QBXMLMsgsRq></QBXML>"
)


@dataclass
class Script:
    requests: list[str]
    index: int = 0
    responses: list[str] = field(default_factory=list)
    errors: list[tuple[str, str]] = field(default_factory=list)


class ScriptedWork:
    """Serves ``per_connection`` requests to every connection; records every call."""

    def __init__(self, per_connection: int = 2, *, has_work: bool = True) -> None:
        self.per_connection = per_connection
        self.work_available = has_work
        self.error_after: int | None = None
        self.apply_delay = 0.0
        self.scripts: dict[str, Script] = {}
        self.calls: list[tuple[str, str, str]] = []
        self.summary = ""
        self._lock = threading.Lock()

    def _script(self, connection_id: str) -> Script:
        if connection_id not in self.scripts:
            self.scripts[connection_id] = Script(
                [
                    REQUEST.format(version="13.0", n=f"{connection_id[:8]}-{n}")
                    for n in range(self.per_connection)
                ]
            )
        return self.scripts[connection_id]

    def _note(self, name: str, ctx: SessionContext, detail: str = "") -> None:
        self.calls.append((name, ctx.ticket, detail))

    def names(self) -> list[str]:
        return [name for name, _, _ in self.calls]

    def has_work(self, connection_id: str, now: datetime) -> bool:
        with self._lock:
            return self.work_available

    def begin(self, ctx: SessionContext, host_company_preferences: str) -> None:
        with self._lock:
            self._note("begin", ctx, ctx.qbxml_version)

    def next_request(self, ctx: SessionContext) -> str | None:
        with self._lock:
            script = self._script(ctx.connection_id)
            self._note("next_request", ctx)
            if script.index >= len(script.requests):
                return None
            return script.requests[script.index]

    def _progress(self, script: Script) -> Progress:
        if self.error_after is not None and len(script.responses) >= self.error_after:
            return Progress(len(script.responses), error="scripted failure")
        return Progress(min(100, script.index * 100 // max(1, len(script.requests))))

    def apply_response(self, ctx: SessionContext, response: Response) -> Progress:
        if self.apply_delay:
            time.sleep(self.apply_delay)  # widen race windows in concurrency tests
        with self._lock:
            script = self._script(ctx.connection_id)
            text = whole(response)  # a long one comes as a spool, closed once answered
            self._note("apply_response", ctx, text)
            script.responses.append(text)
            script.index += 1
            return self._progress(script)

    def apply_error(self, ctx: SessionContext, hresult: str, message: str) -> Progress:
        with self._lock:
            self._note("apply_error", ctx, hresult)
            self._script(ctx.connection_id).errors.append((hresult, message))
            return Progress(0, error=f"QuickBooks could not process the request ({hresult})")

    def end(self, ctx: SessionContext, reason: str) -> str:
        with self._lock:
            self._note("end", ctx, reason)
            return self.summary


def cheap_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    """Swap the argon2id work factor for the cheapest one (tests only: speed, same code path)."""
    monkeypatch.setattr(
        secrets, "_HASHER", PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
    )
    secrets._dummy_hash.cache_clear()


def make_connection(
    db: Database, company: str, *, username: str | None = None, password: str | None = None
) -> tuple[ConnectionRow, str]:
    """A company with one connection; optionally with a chosen username/password."""
    row, generated = create_connection(
        db, create_company(db, company).id, "enterprise_cloud", owner_id=DEFAULT_OWNER_ID
    )
    if username is None and password is None:
        return row, generated
    secret = password or generated
    with db.begin() as conn:
        conn.execute(
            sa.update(connections)
            .where(connections.c.id == row.id)
            .values(username=username or row.username, password_hash=secrets.hash_secret(secret))
        )
    return get_connection(db, row.id), secret


@contextmanager
def serve_asgi(app: Any, path: str = "/qbwc") -> Iterator[str]:
    """Serve an ASGI app under uvicorn on 127.0.0.1 in a thread; yields the endpoint URL."""
    port = free_port()
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    for _ in range(1000):
        if server.started:
            break
        time.sleep(0.01)
    else:
        raise RuntimeError("uvicorn did not start")
    try:
        yield f"http://127.0.0.1:{port}{path}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


@contextmanager
def serve_wsgi(wsgi_app: Any, path: str = "/qbwc", workers: int = 8) -> Iterator[str]:
    """Serve a WSGI app through a2wsgi (as the real app mounts it) under uvicorn."""
    from a2wsgi import WSGIMiddleware

    with serve_asgi(WSGIMiddleware(wsgi_app, workers=workers), path) as url:
        yield url


def soap_envelope(operation: str, **params: str) -> bytes:
    """A request envelope as the Web Connector sends it (document/literal, default ns)."""
    from xml.sax.saxutils import escape

    inner = "".join(f"<{k}>{escape(v)}</{k}>" for k, v in params.items())
    return (
        '<?xml version="1.0" encoding="utf-8"?><soap:Envelope '
        'xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body>'
        f'<{operation} xmlns="http://developer.intuit.com/">{inner}</{operation}>'
        "</soap:Body></soap:Envelope>"
    ).encode()
