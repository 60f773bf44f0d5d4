"""The web application, assembled in one factory: ``create_app(settings)``.

Owns: wiring the REST API (``/api/v1``, OpenAPI at ``/api/v1/openapi.json``), the error
handlers, the Web Connector SOAP endpoint at ``/qbwc`` (``connector.qbwc.server.soap``'s ASGI
app) and the routers of the API modules, imported by name so a missing one fails at import
(issue 9 item 5: a list of names loaded through ``importlib`` skipped them silently).
Must not: read the environment (``Settings`` arrives built) or hold route logic.

``/qbwc`` is routed exactly (and ``/qbwc/``), not mounted: a mount would answer the bare
``/qbwc`` with a redirect, and the Web Connector posts to the AppURL as written (PROTOCOL.md
section 2 item 1: a wrong SOAP route is the commonest "won't connect").
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from functools import partial
from importlib.metadata import PackageNotFoundError, version
from typing import TYPE_CHECKING

from fastapi import APIRouter, FastAPI
from starlette.routing import Route
from starlette.types import ASGIApp, Receive, Scope, Send

from connector.api import (
    metrics,
    portal,
    routes_api_keys,
    routes_companies,
    routes_connections,
    routes_data,
    routes_links,
    routes_push,
    routes_reports,
    routes_service,
    routes_settings,
    routes_sync,
    routes_sync_requests,
    routes_webhooks,
)
from connector.api.deps import KeyCache
from connector.api.errors import install_error_handlers
from connector.api.guards import ApiGuard
from connector.api.openapi import install_openapi, operation_id
from connector.api.webhook_delivery import DeliveryWorker
from connector.qbwc.server.work import WorkSource
from connector.settings import Settings
from connector.store.db import Database

if TYPE_CHECKING:
    from connector.sync.plan import Policy

try:
    __version__ = version("qbd-connector")
except PackageNotFoundError:  # running from a checkout that was not pip-installed
    __version__ = "0+unknown"

API_PREFIX = "/api/v1"
QBWC_PATH = "/qbwc"
QBWC_PATHS = (QBWC_PATH, QBWC_PATH + "/")

WorkSourceFactory = Callable[[Database, Settings], WorkSource]

ROUTERS: tuple[tuple[APIRouter, str], ...] = (
    (routes_service.router, API_PREFIX),
    (routes_companies.router, API_PREFIX),
    (routes_connections.router, API_PREFIX),
    (routes_sync.router, API_PREFIX),
    (routes_data.router, API_PREFIX),
    (portal.router, ""),  # web pages at the root: /portal, /link/{token}, /support
    (routes_settings.router, API_PREFIX),
    (routes_links.router, API_PREFIX),
    (routes_sync_requests.router, API_PREFIX),
    (routes_api_keys.router, API_PREFIX),
    (routes_webhooks.router, API_PREFIX),
    (routes_push.router, API_PREFIX),
    (routes_reports.router, API_PREFIX),
    (metrics.router, ""),  # GET /metrics at the root, as Prometheus scrapes it
)
"""Every router the app includes and its prefix, in inclusion order (an earlier route wins)."""

TAG_DESCRIPTIONS = {
    "service": "Where to start, and whether the service is healthy",
    "companies": "The tenants: one per QuickBooks company file",
    "connections": "Web Connector connections, QWC files, schedules",
    "links": "Setup links for the business",
    "consents": "What the business agreed to share",
    "syncs": "Sync history and manual syncs",
    "data": "Synced QuickBooks records",
    "push": "Writes to QuickBooks, sent by the next Web Connector session",
    "reports": "Financial statements taken from QuickBooks",
    "settings": "The platform's branding and integration switch",
    "api-keys": "API keys, admin or scoped to companies (admin only)",
    "webhooks": "Signed event deliveries to the platform",
}
"""The resources of the OpenAPI document and what each is, in the order a reader meets them."""

OPENAPI_TAGS = [{"name": name, "description": text} for name, text in TAG_DESCRIPTIONS.items()]


def default_work_source(
    database: Database,
    settings: Settings,
    on_shutdown: list[Callable[[], None]] | None = None,
    policy: Policy | None = None,
) -> WorkSource:
    """The sync engine (``connector.sync.engine.SyncEngine``) over the store, applying
    iterator pages in a worker process while QuickBooks computes the next one, after the
    company's pushes (``connector.sync.pushing.PushFirst``), inside the platform's rules (``connector.portal.work.PlatformWork``: what is pending, holds).
    The applier's ``shutdown`` goes into ``on_shutdown``: the app runs it when it stops, so
    the worker processes end (and their semaphores are released) before the process exits,
    even when uvicorn re-raises SIGTERM after its own shutdown (issue 11 item 4)."""
    from connector.portal.work import PlatformWork
    from connector.sync.behind import applier_for
    from connector.sync.engine import SyncEngine
    from connector.sync.plan import Policy
    from connector.sync.pushing import PushFirst

    applier = applier_for(database, settings.apply_workers)
    if on_shutdown is not None:
        on_shutdown.append(applier.shutdown)
    policy = policy or Policy(page_size=settings.sync_page_size)  # another: the benches
    engine = SyncEngine(database, policy, behind=applier)
    return PlatformWork(database, PushFirst(database, engine))


def _qbwc_asgi(database: Database, settings: Settings, factory: WorkSourceFactory) -> ASGIApp:
    from connector.qbwc.server import soap  # spyne loads only when an app is built

    asgi: ASGIApp = soap.create_asgi_app(database, settings, factory(database, settings))
    return asgi


def create_app(
    settings: Settings,
    *,
    database: Database | None = None,
    work_source_factory: WorkSourceFactory | None = None,
) -> FastAPI:
    """The whole web application. Without ``database`` one is opened from
    ``settings.database_url`` (and disposed at shutdown); the schema must already be migrated
    (``qbd-connector serve`` migrates before it starts)."""
    owned = database is None
    db = database or Database.from_url(settings.database_url)
    stops: list[Callable[[], None]] = []

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        # webhook delivery runs where the app is served (uvicorn runs the lifespan), never
        # inside a Web Connector call (issue 19)
        workers = [
            DeliveryWorker(
                db,
                allow_private=settings.webhook_allow_private,
                poll_seconds=settings.webhook_poll_seconds,
            )
            for _ in range(settings.webhook_workers)
        ]
        for worker in workers:
            worker.start()
            stops.append(worker.stop)
        yield
        for stop in stops:
            stop()
        if owned:
            db.dispose()

    app = FastAPI(
        title="qbd-connector",
        version=__version__,
        openapi_url=f"{API_PREFIX}/openapi.json",
        docs_url=f"{API_PREFIX}/docs",
        redoc_url=None,
        lifespan=lifespan,
        generate_unique_id_function=operation_id,
        openapi_tags=OPENAPI_TAGS,
    )
    app.state.settings, app.state.database, app.state.key_cache = settings, db, KeyCache()
    install_error_handlers(app)
    app.add_middleware(ApiGuard, max_body=settings.api_max_body_bytes)
    for router, prefix in ROUTERS:
        app.include_router(router, prefix=prefix)
    install_openapi(app)
    factory = work_source_factory or partial(default_work_source, on_shutdown=stops)
    app.state.metrics = service_metrics = metrics.ServiceMetrics(db)
    qbwc = metrics.QbwcCallMetrics(_qbwc_asgi(db, settings, factory), service_metrics)
    for path in QBWC_PATHS:  # other methods: 405, as any route answers them
        app.router.routes.append(Route(path, qbwc, methods=["GET", "POST"]))
    app.add_middleware(QbwcFirst, qbwc=qbwc)
    return app


class QbwcFirst:
    """The routes of ``/qbwc`` taken before the API's middleware and routing (issue 12: a
    Web Connector call that does no work spent as long in them as in its own answer)."""

    def __init__(self, app: ASGIApp, qbwc: ASGIApp) -> None:
        self.app, self.qbwc = app, qbwc

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] == "http"
            and scope["path"] in QBWC_PATHS
            and scope["method"] in ("GET", "HEAD", "POST")
            and not scope.get("root_path")
        ):
            await self.qbwc(scope, receive, send)
        else:
            await self.app(scope, receive, send)
