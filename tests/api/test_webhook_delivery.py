"""Webhook delivery units (issue 19), HTTP through ``requests`` answered by ``responses``:
signature, target checks, 2xx / non-2xx / redirect (never followed) / timeout / refused
connection, backoff until failed for good, and the lease that gives a delivery to one
worker. The store is real (SQLite); the end-to-end test against a real receiver on loopback
is ``tests/e2e/test_webhooks_e2e.py``."""

from __future__ import annotations

import itertools
import json
from datetime import UTC, datetime, timedelta

import pytest
import requests
import responses

from connector.api import webhook_delivery as wd
from connector.settings import Settings, SettingsError
from connector.store import webhooks as store
from connector.store.companies import create_company
from connector.store.db import Database

T0 = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
URL = "https://hooks.example.com/qbd"
PUBLIC = ["93.184.216.34"]


def public(_host: str, _port: int) -> list[str]:
    return PUBLIC


def _queue(db: Database, url: str = URL, events: tuple[str, ...] = ("sync.completed",)) -> str:
    company = create_company(db, "Hooked Co")
    hook = store.create_webhook(
        db, url, events, "s" * 32, company_ids=None, created_by=None, now=T0
    )
    with db.begin() as conn:
        assert store.emit(conn, "sync.completed", company.id, {"syncId": "r1"}, T0) == 1
    return hook.id


def test_the_signature_verifies_over_timestamp_and_body_and_nothing_else() -> None:
    body = b'{"id":"e1"}'
    header = wd.sign("secret-1", 1_700_000_000, body)
    assert header.startswith("t=1700000000,v1=") and len(header.split("v1=")[1]) == 64
    assert wd.verify("secret-1", header, body, now=1_700_000_100)
    assert not wd.verify("secret-2", header, body, now=1_700_000_100)
    assert not wd.verify("secret-1", header, body + b" ", now=1_700_000_100)
    assert not wd.verify("secret-1", header, body, now=1_700_000_000 + 301)  # replayed late
    assert not wd.verify("secret-1", "v1=abc", body, now=1_700_000_000)


@pytest.mark.parametrize(
    ("url", "resolved"),
    [
        pytest.param("http://127.0.0.1:8080/h", ["127.0.0.1"], id="loopback"),
        pytest.param("http://[::1]/h", ["::1"], id="loopback-v6"),
        pytest.param("https://10.1.2.3/h", ["10.1.2.3"], id="private-10"),
        pytest.param("https://internal.example/h", ["192.168.1.5"], id="name-to-private"),
        pytest.param("https://metadata.example/h", ["169.254.169.254"], id="link-local"),
        pytest.param("https://zero.example/h", ["0.0.0.0"], id="unspecified"),
        pytest.param("https://mixed.example/h", ["93.184.216.34", "172.16.0.1"], id="any-private"),
    ],
)
def test_loopback_and_private_targets_are_refused_unless_allowed(
    url: str, resolved: list[str]
) -> None:
    with pytest.raises(wd.TargetRefused, match="QBD_WEBHOOK_ALLOW_PRIVATE"):
        wd.check_target(url, allow_private=False, resolve=lambda _h, _p: resolved)
    wd.check_target(url, allow_private=True, resolve=lambda _h, _p: resolved)


@pytest.mark.parametrize(
    "url",
    ["ftp://hooks.example.com/x", "https:///nohost", "https://user:pw@hooks.example.com/"],
)
def test_malformed_targets_are_refused_even_when_private_is_allowed(url: str) -> None:
    with pytest.raises(wd.TargetRefused):
        wd.check_target(url, allow_private=True, resolve=public)


def _deliver(db: Database, now: datetime = T0) -> int:
    with requests.Session() as session:
        return wd.deliver_due(db, session, allow_private=False, clock=lambda: now, resolve=public)


def _only_delivery(db: Database, hook_id: str) -> store.Delivery:
    (delivery,) = store.list_deliveries(db, hook_id)
    return delivery


@responses.activate
def test_a_2xx_answer_delivers_a_signed_body_once(sqlite_db: Database) -> None:
    hook_id = _queue(sqlite_db)
    responses.post(URL, status=204)
    assert _deliver(sqlite_db) == 1
    (call,) = responses.calls
    body = call.request.body
    assert isinstance(body, bytes)
    event = json.loads(body)
    assert event["type"] == "sync.completed" and event["data"] == {"syncId": "r1"}
    assert call.request.headers["QBD-Event-Id"] == event["id"]
    signature = call.request.headers[wd.SIGNATURE_HEADER]
    assert wd.verify("s" * 32, signature, body, now=int(T0.timestamp()))
    delivery = _only_delivery(sqlite_db, hook_id)
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == ("succeeded", 1, 204)
    assert _deliver(sqlite_db, T0 + timedelta(days=1)) == 0  # nothing sent twice


@pytest.mark.parametrize(
    ("answer", "status", "reason"),
    [
        pytest.param({"status": 500}, 500, "answered 500", id="server-error"),
        pytest.param({"status": 404}, 404, "answered 404", id="not-found"),
        pytest.param(
            {"status": 302, "headers": {"Location": "https://elsewhere.example/"}},
            302,
            "do not follow redirects",
            id="redirect-refused",
        ),
        pytest.param({"body": requests.exceptions.ReadTimeout("slow")}, None, "in time", id="slow"),
        pytest.param(
            {"body": requests.exceptions.ConnectionError("refused")},
            None,
            "ConnectionError",
            id="refused",
        ),
    ],
)
@responses.activate
def test_a_failed_attempt_is_retried_later_with_the_reason_kept(
    sqlite_db: Database, answer: dict[str, object], status: int | None, reason: str
) -> None:
    hook_id = _queue(sqlite_db)
    responses.post(URL, **answer)  # type: ignore[arg-type]
    responses.get("https://elsewhere.example/", status=200)
    assert _deliver(sqlite_db) == 1
    assert len([c for c in responses.calls if c.request.method == "POST"]) == 1
    assert not any(c.request.method == "GET" for c in responses.calls)  # no redirect followed
    delivery = _only_delivery(sqlite_db, hook_id)
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == (
        "pending", 1, status,
    )  # fmt: skip
    assert delivery.last_error and reason in delivery.last_error
    assert delivery.next_attempt_at == T0 + wd.BACKOFF[0]
    assert _deliver(sqlite_db, T0 + wd.BACKOFF[0] - timedelta(seconds=1)) == 0  # not yet due


@responses.activate
def test_backoff_grows_until_the_delivery_fails_for_good(sqlite_db: Database) -> None:
    hook_id = _queue(sqlite_db)
    responses.post(URL, status=503)
    now, waits = T0, []
    while (delivery := _only_delivery(sqlite_db, hook_id)).status == "pending":
        assert _deliver(sqlite_db, now) == 1
        after = _only_delivery(sqlite_db, hook_id)
        if after.status == "pending":
            waits.append(after.next_attempt_at - now)
            now = after.next_attempt_at
    assert delivery.status == "failed" and delivery.attempts == len(wd.BACKOFF) + 1
    assert waits == list(wd.BACKOFF) and sum(waits, timedelta()) > timedelta(hours=12)
    assert all(b > a for a, b in itertools.pairwise(waits))


@responses.activate
def test_a_target_that_now_resolves_privately_is_not_called(sqlite_db: Database) -> None:
    hook_id = _queue(sqlite_db)
    with requests.Session() as session:
        wd.deliver_due(
            sqlite_db, session, allow_private=False, clock=lambda: T0,
            resolve=lambda _h, _p: ["10.0.0.7"],
        )  # fmt: skip
    assert len(responses.calls) == 0
    assert "private" in (_only_delivery(sqlite_db, hook_id).last_error or "")


def test_a_claimed_delivery_goes_to_one_worker_until_its_lease_runs_out(
    sqlite_db: Database,
) -> None:
    _queue(sqlite_db)
    first = store.claim_due(sqlite_db, T0, lease=wd.LEASE)
    assert len(first) == 1
    assert store.claim_due(sqlite_db, T0 + timedelta(seconds=1), lease=wd.LEASE) == []
    again = store.claim_due(sqlite_db, T0 + wd.LEASE + timedelta(seconds=1), lease=wd.LEASE)
    assert [c.delivery.id for c in again] == [first[0].delivery.id]  # a dead worker's row
    lost = store.record_attempt(
        sqlite_db, first[0], now=T0, status_code=200, error=None, latency_ms=1,
        succeeded=True, retry_at=None,
    )  # fmt: skip
    assert lost is False  # the first worker's lease was taken over: its outcome is not kept


def test_events_reach_only_webhooks_that_want_them_and_hear_the_company(
    sqlite_db: Database,
) -> None:
    mine = create_company(sqlite_db, "Mine")
    other = create_company(sqlite_db, "Other")
    every = store.create_webhook(
        sqlite_db, URL, ["sync.completed"], "s" * 32, company_ids=None, created_by=None, now=T0
    )
    scoped = store.create_webhook(
        sqlite_db, URL, ["sync.completed", "connection.paused"], "s" * 32,
        company_ids=[mine.id], created_by="k", now=T0,
    )  # fmt: skip
    with sqlite_db.begin() as conn:
        assert store.emit(conn, "sync.completed", mine.id, {}, T0) == 2
        assert store.emit(conn, "sync.completed", other.id, {}, T0) == 1
        assert store.emit(conn, "connection.paused", other.id, {}, T0) == 0
    assert len(store.list_deliveries(sqlite_db, every.id)) == 2
    assert len(store.list_deliveries(sqlite_db, scoped.id)) == 1
    bodies = {d.body for d in store.list_deliveries(sqlite_db, every.id)}
    assert all(json.loads(b)["companyId"] in (mine.id, other.id) for b in bodies)


@pytest.mark.parametrize(
    ("raw", "allowed"),
    [("1", True), ("true", True), ("0", False), ("no", False), ("", False)],
)
def test_qbd_webhook_allow_private_is_read_from_the_environment(raw: str, allowed: bool) -> None:
    env = {"QBD_WEBHOOK_ALLOW_PRIVATE": raw, "QBD_DATABASE_URL": "sqlite://"}
    assert Settings.from_env(env).webhook_allow_private is allowed


def test_a_setting_that_is_not_a_yes_or_no_is_refused_by_name() -> None:
    with pytest.raises(SettingsError, match="QBD_WEBHOOK_ALLOW_PRIVATE"):
        Settings.from_env({"QBD_WEBHOOK_ALLOW_PRIVATE": "maybe"})
