"""``GET /metrics``: the service in the Prometheus text format (prometheus-client; issue 19).

Owns: one registry per app (so several apps in one process never share counters) with
- ``qbd_qbwc_calls_total{method,outcome}`` and ``qbd_qbwc_call_seconds{method}``: every Web
  Connector call, timed around the SOAP endpoint (``QbwcCallMetrics``). ``method`` comes from
  the SOAPAction header and is one of the QBWC web methods, ``wsdl`` or ``unknown`` (never
  the caller's text: label values stay a small fixed set); ``outcome`` is ``ok`` (200),
  ``fault`` (500: a SOAP fault) or ``http_<status>``;
- ``qbd_store_query_seconds{statement}``: every SQL statement this process runs, timed by
  SQLAlchemy cursor events (``statement``: select, insert, update, delete, other);
- read from the store at scrape time, the same on every instance:
  ``qbd_qbwc_sessions_active``, ``qbd_records_synced_total{data_type}`` (records fetched
  from QuickBooks over every sync run), ``qbd_quickbooks_errors_total{status_code}``,
  ``qbd_pushes{status}``, ``qbd_webhook_deliveries{status}``.
No label names a company, a user or a URL. Unauthenticated, like ``/health``: aggregate
figures only. Must not: hold SQL (``connector.store.service_totals``).
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

from fastapi import APIRouter, Request, Response
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
)
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector
from sqlalchemy import Engine, event
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from connector.qbwc.client.envelopes import QbwcMethod
from connector.store.db import Database
from connector.store.service_totals import ServiceTotals, service_totals
from connector.store.webhooks import delivery_counts

QBWC_METHODS = frozenset(method.value for method in QbwcMethod)
"""The methods a Web Connector calls (the label set stays bounded: others are ``unknown``)."""
STATEMENTS = frozenset({"select", "insert", "update", "delete"})
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60)
STORE_BUCKETS = (0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 5)


class _StoreTotals(Collector):
    def __init__(self, database: Database) -> None:
        self.database = database

    def collect(self) -> Iterator[Metric]:
        now = datetime.now(UTC)
        return _store_families(service_totals(self.database, now), delivery_counts(self.database))

    def describe(self) -> Iterator[Metric]:
        """The families without their samples: registering the collector (the registry asks
        for its names) must not query a store that may be down or not migrated yet."""
        return _store_families(ServiceTotals(), {})


def _store_families(totals: ServiceTotals, by_status: dict[str, int]) -> Iterator[Metric]:
    active = GaugeMetricFamily(
        "qbd_qbwc_sessions_active", "Web Connector sessions open now (all instances)"
    )
    active.add_metric([], totals.sessions_active)
    yield active
    labelled: tuple[
        tuple[type[CounterMetricFamily | GaugeMetricFamily], str, str, str, dict[str, int]], ...
    ] = (
        (
            CounterMetricFamily,
            "qbd_records_synced",
            "Records fetched from QuickBooks over every sync run, by data type",
            "data_type",
            totals.records_fetched,
        ),
        (
            CounterMetricFamily,
            "qbd_quickbooks_errors",
            "QuickBooks errors recorded on sync runs, by status code (or HRESULT)",
            "status_code",
            totals.quickbooks_errors,
        ),
        (
            GaugeMetricFamily,
            "qbd_pushes",
            "Pushes (writes) in the outbox by status",
            "status",
            totals.pushes,
        ),
        (
            GaugeMetricFamily,
            "qbd_webhook_deliveries",
            "Webhook deliveries in the store by status (pending, succeeded, failed)",
            "status",
            by_status,
        ),
    )
    for kind, name, documentation, label, counts in labelled:
        family = kind(name, documentation, labels=[label])
        for value, count in sorted(counts.items()):
            family.add_metric([value], count)
        yield family


class ServiceMetrics:
    """The app's registry and the instruments the service updates as it works."""

    def __init__(self, database: Database) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        self.qbwc_calls = Counter(
            "qbd_qbwc_calls",
            "Web Connector calls by method and outcome",
            ["method", "outcome"],
            registry=self.registry,
        )
        self.qbwc_seconds = self._latency(
            "qbd_qbwc_call_seconds",
            "Web Connector call latency by method",
            "method",
            LATENCY_BUCKETS,
        )
        self.store_seconds = self._latency(
            "qbd_store_query_seconds",
            "SQL statement latency by statement kind",
            "statement",
            STORE_BUCKETS,
        )
        self.registry.register(_StoreTotals(database))
        self._watch(database.engine)

    def _latency(
        self, name: str, documentation: str, label: str, buckets: tuple[float, ...]
    ) -> Histogram:
        """A histogram of seconds in this registry, by the one label ``label``."""
        return Histogram(name, documentation, [label], buckets=buckets, registry=self.registry)

    def _watch(self, engine: Engine) -> None:
        def before(_conn: Any, _cursor: Any, _statement: str, *_rest: Any) -> None:
            _conn.info.setdefault("qbd_query_start", []).append(time.perf_counter())

        def after(_conn: Any, _cursor: Any, statement: str, *_rest: Any) -> None:
            starts = _conn.info.get("qbd_query_start")
            if not starts:
                return
            kind = statement.lstrip().split(None, 1)[0].lower() if statement.strip() else ""
            label = kind if kind in STATEMENTS else "other"
            self.store_seconds.labels(label).observe(time.perf_counter() - starts.pop())

        event.listen(engine, "before_cursor_execute", before)
        event.listen(engine, "after_cursor_execute", after)

    def exposition(self) -> bytes:
        return generate_latest(self.registry)


def soap_method(scope: Scope) -> str:
    """The QBWC method of a call from its SOAPAction header, within ``QBWC_METHODS``."""
    if scope.get("method") == "GET":
        return "wsdl"
    for name, value in scope.get("headers", ()):
        if name == b"soapaction":
            action = value.decode("latin-1").strip().strip('"').rsplit("/", 1)[-1]
            return action if action in QBWC_METHODS else "unknown"
    return "unknown"


class QbwcCallMetrics:
    """ASGI wrapper of the SOAP endpoint: counts and times every Web Connector call."""

    def __init__(self, app: ASGIApp, metrics: ServiceMetrics) -> None:
        self.app, self.metrics = app, metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        method, started, status = soap_method(scope), time.perf_counter(), 500

        async def sending(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
            await send(message)

        try:
            await self.app(scope, receive, sending)
        finally:
            outcome = {200: "ok", 500: "fault"}.get(status, f"http_{status}")
            self.metrics.qbwc_calls.labels(method, outcome).inc()
            self.metrics.qbwc_seconds.labels(method).observe(time.perf_counter() - started)


router = APIRouter()


@router.get("/metrics", include_in_schema=False)
def metrics(request: Request) -> Response:
    """The Prometheus text exposition of this instance (store totals: of all instances)."""
    service: ServiceMetrics = request.app.state.metrics
    return Response(service.exposition(), media_type=CONTENT_TYPE_LATEST)
