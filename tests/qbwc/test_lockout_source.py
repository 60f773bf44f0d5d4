"""Issue 18 item 3: wrong passwords are throttled per username *and* source address.

Before: six wrong ``authenticate`` calls from anywhere locked the username for 15 minutes and
the business's right password got ``nvu`` (usernames are in the QWC file), and a throttled
call still cost an argon2id hash. Now failures from one address never lock the right password
out from another, and a throttled call is answered at once, without a hash.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Literal

import httpx
import pytest
from argon2 import PasswordHasher

from connector import secrets
from connector.qbwc.server.soap import create_wsgi_app
from connector.settings import Settings
from connector.store.db import Database
from tests.qbwc.scripted_work import ScriptedWork, make_connection, soap_envelope

ATTACKER, BUSINESS = "203.0.113.66", "198.51.100.7"


@dataclass
class Endpoint:
    app: object
    username: str
    password: str
    hashes: list[int]

    def authenticate(self, password: str, address: str) -> str:
        transport = httpx.WSGITransport(app=self.app, remote_addr=address)  # type: ignore[arg-type]
        with httpx.Client(transport=transport, base_url="http://t") as client:
            body = soap_envelope("authenticate", strUserName=self.username, strPassword=password)
            text = client.post("/qbwc", content=body).text
        return text.split("<tns:string>")[2].split("<", 1)[0]


@pytest.fixture
def endpoint(sqlite_db: Database, monkeypatch: pytest.MonkeyPatch) -> Iterator[Endpoint]:
    hashes: list[int] = []

    class CountingHasher(PasswordHasher):
        def verify(self, hash: str | bytes, password: str | bytes) -> Literal[True]:
            hashes.append(1)
            return super().verify(hash, password)

    # the cheapest argon2id parameters (as cheap_hashing), counting every verification
    monkeypatch.setattr(
        secrets, "_HASHER", CountingHasher(time_cost=1, memory_cost=8, parallelism=1)
    )
    secrets._dummy_hash.cache_clear()
    row, password = make_connection(sqlite_db, "Locked Co")
    settings = Settings.from_env(
        {}, database_url="sqlite://", lockout_threshold=5, lockout_base_delay_seconds=0.0
    )
    app = create_wsgi_app(sqlite_db, settings, ScriptedWork())
    yield Endpoint(app, row.username, password, hashes)


def test_an_attackers_failures_do_not_lock_out_the_business(endpoint: Endpoint) -> None:
    for _ in range(20):
        assert endpoint.authenticate("wrong", ATTACKER) == "nvu"
    assert endpoint.authenticate(endpoint.password, ATTACKER) == "nvu"  # locked from there
    assert endpoint.authenticate(endpoint.password, BUSINESS) != "nvu"  # not from here


def test_a_throttled_call_is_answered_without_a_hash(endpoint: Endpoint) -> None:
    for _ in range(5):
        endpoint.authenticate("wrong", ATTACKER)
    before = len(endpoint.hashes)
    for _ in range(10):
        assert endpoint.authenticate("wrong", ATTACKER) == "nvu"
        assert endpoint.authenticate(endpoint.password, ATTACKER) == "nvu"
    assert len(endpoint.hashes) == before
