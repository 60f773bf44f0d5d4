"""Sending webhook deliveries (issue 19): target checks, the signature, retries with
exponential backoff, and the worker threads ``serve`` runs.

The signature (documented in the README, modelled on Stripe's): header
``QBD-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>``; the receiver
recomputes it over the raw body, compares in constant time and refuses an old ``t``. Every
event body is ``{"id", "type", "createdAt", "companyId", "data"}``; ``id`` is the same in every
retry (and for every webhook), so a receiver dedups by it: delivery is at least once.

A delivery succeeds on a 2xx answer. Anything else (another status, a redirect: never
followed, a timeout, a refused connection, a target that now resolves to a private address)
is a failed attempt, retried after ``BACKOFF[attempts]`` (10 s up to 8 h; about 16 hours in
all) and then marked failed. Workers never run inside a Web Connector call: the call only
queues rows (``connector.store.webhooks.emit``).
Must not: write SQL (``connector.store.webhooks``).
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import logging
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

import requests

from connector.store import webhooks as store
from connector.store.db import Database

log = logging.getLogger(__name__)

SIGNATURE_HEADER = "QBD-Signature"
BACKOFF = tuple(timedelta(seconds=s) for s in (10, 30, 120, 600, 1800, 3600, 7200, 14400, 28800))
"""Wait before retry N (after attempt N); after the last one the delivery is failed."""
TIMEOUT = (5.0, 10.0)
"""Seconds to connect, then to wait for each read: a slow receiver is a failed attempt."""
LEASE = timedelta(seconds=60)

Resolver = Callable[[str, int], list[str]]


class TargetRefused(ValueError):
    """A webhook URL the service will not call (scheme, host, or a private address)."""


def _resolve(host: str, port: int) -> list[str]:
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return [str(info[4][0]) for info in infos]


def check_target(url: str, *, allow_private: bool, resolve: Resolver = _resolve) -> None:
    """Refuse what a webhook must not call: not http(s), credentials in the URL, no host,
    or a host that is or resolves to a loopback, private, link-local, multicast, reserved or
    unspecified address (unless ``allow_private``). Checked when the webhook is made and
    again before every attempt (a name may resolve elsewhere later)."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise TargetRefused("a webhook URL is an http:// or https:// URL with a host")
    if parts.username or parts.password:
        raise TargetRefused("a webhook URL must not carry credentials")
    if len(url) > 2000:
        raise TargetRefused("a webhook URL is at most 2000 characters")
    if allow_private:
        return
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
        addresses = resolve(parts.hostname, port)
    except (OSError, ValueError) as exc:
        raise TargetRefused(f"the webhook host {parts.hostname!r} does not resolve") from exc
    for address in addresses:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
        if not ip.is_global or ip.is_multicast:
            raise TargetRefused(
                f"the webhook host {parts.hostname!r} is a loopback or private address "
                "(QBD_WEBHOOK_ALLOW_PRIVATE=1 allows it)"
            )


def sign(secret: str, timestamp: int, body: bytes) -> str:
    """The ``QBD-Signature`` header value for ``body`` sent at ``timestamp``."""
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return f"t={timestamp},v1={mac.hexdigest()}"


def verify(secret: str, header: str, body: bytes, *, now: int, tolerance: int = 300) -> bool:
    """What a receiver does (and the tests): the signature matches and ``t`` is recent."""
    fields = dict(part.split("=", 1) for part in header.split(",") if "=" in part)
    try:
        timestamp = int(fields["t"])
    except (KeyError, ValueError):
        return False
    expected = sign(secret, timestamp, body).split("v1=", 1)[1]
    return abs(now - timestamp) <= tolerance and hmac.compare_digest(expected, fields.get("v1", ""))


@dataclass(frozen=True)
class Attempt:
    succeeded: bool
    status_code: int | None
    error: str | None
    latency_ms: int


def send(
    session: requests.Session,
    claimed: store.Claimed,
    *,
    allow_private: bool,
    now: datetime,
    resolve: Resolver = _resolve,
) -> Attempt:
    """One attempt at one delivery (no retry here: the caller schedules the next)."""
    started = time.perf_counter()

    def done(ok: bool, status: int | None, error: str | None) -> Attempt:
        return Attempt(ok, status, error, int((time.perf_counter() - started) * 1000))

    try:
        check_target(claimed.url, allow_private=allow_private, resolve=resolve)
    except TargetRefused as exc:
        return done(False, None, str(exc))
    body = claimed.delivery.body.encode()
    headers = {
        "Content-Type": "application/json",
        "User-Agent": "qbd-connector-webhooks/1",
        SIGNATURE_HEADER: sign(claimed.secret, int(now.timestamp()), body),
        "QBD-Event-Id": claimed.delivery.event_id,
        "QBD-Event": claimed.delivery.event,
    }
    try:
        response = session.post(
            claimed.url, data=body, headers=headers, timeout=TIMEOUT, allow_redirects=False
        )
    except requests.Timeout:
        return done(False, None, "the receiver did not answer in time")
    except requests.RequestException as exc:
        return done(False, None, f"no answer: {type(exc).__name__}")
    status = response.status_code
    response.close()
    if 200 <= status < 300:
        return done(True, status, None)
    if 300 <= status < 400:
        return done(False, status, "a redirect: webhook deliveries do not follow redirects")
    return done(False, status, f"the receiver answered {status}")


def retry_at(attempts_before: int, now: datetime) -> datetime | None:
    """When to try again after attempt number ``attempts_before + 1`` failed (None: never)."""
    return now + BACKOFF[attempts_before] if attempts_before < len(BACKOFF) else None


def deliver_due(
    database: Database,
    session: requests.Session,
    *,
    allow_private: bool,
    clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    resolve: Resolver = _resolve,
    limit: int = 10,
) -> int:
    """Claim and attempt what is due now; returns how many attempts were made."""
    claimed = store.claim_due(database, clock(), lease=LEASE, limit=limit)
    for item in claimed:
        now = clock()
        attempt = send(session, item, allow_private=allow_private, now=now, resolve=resolve)
        store.record_attempt(
            database,
            item,
            now=clock(),
            status_code=attempt.status_code,
            error=attempt.error,
            latency_ms=attempt.latency_ms,
            succeeded=attempt.succeeded,
            retry_at=None if attempt.succeeded else retry_at(item.delivery.attempts, now),
        )
        if not attempt.succeeded:
            log.info("webhook delivery %s: %s", item.delivery.id, attempt.error)
    return len(claimed)


class DeliveryWorker:
    """A daemon thread delivering webhooks until ``stop``; any number may run, on any
    instance (each delivery is claimed by one under a lease)."""

    def __init__(self, database: Database, *, allow_private: bool, poll_seconds: float) -> None:
        self.database, self.allow_private, self.poll = database, allow_private, poll_seconds
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="webhook-delivery", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self, timeout: float = 30.0) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout)

    def _run(self) -> None:
        with requests.Session() as session:
            session.trust_env = False  # no proxy from the environment: the URL was checked
            while not self._stop.is_set():
                try:
                    busy = deliver_due(self.database, session, allow_private=self.allow_private)
                except Exception:  # a store hiccup must not end the worker
                    log.exception("webhook delivery: the worker's turn failed")
                    busy = 0
                if not busy:
                    self._stop.wait(self.poll)


def describe(delivery: store.Delivery) -> dict[str, Any]:
    """A delivery as the API's delivery log shows it (never the body's secret: it has none)."""
    return {
        "id": delivery.id,
        "eventId": delivery.event_id,
        "event": delivery.event,
        "companyId": delivery.company_id,
        "status": delivery.status,
        "attempts": delivery.attempts,
        "nextAttemptAt": delivery.next_attempt_at if delivery.status == store.PENDING else None,
        "lastStatusCode": delivery.last_status_code,
        "lastError": delivery.last_error,
        "lastAttemptAt": delivery.last_attempt_at,
        "latencyMs": delivery.latency_ms,
        "createdAt": delivery.created_at,
        "deliveredAt": delivery.delivered_at,
    }
