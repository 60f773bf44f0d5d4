"""Core REST routes under ``/api/v1``: health, companies, connections (DESIGN.md API list).

Owns: the JSON shapes of companies and connections, keyset cursors, and the per-connection
QWC URL (``connection_qwc_url``; the CLI uses it too). The QWC file itself is
``connector.qbwc.qwc.connection_qwc`` with the platform's branding (``connector.portal.qwc``).
Must not: write SQL (the store's repository functions do) or know the SOAP protocol.
About 300 lines: the JSON models sit beside the routes that speak them.
"""

from __future__ import annotations

import base64
import binascii
import json
import logging
from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query, Response
from pydantic import BaseModel, Field

from connector.api.deps import ApiKeyDep, DatabaseDep, SettingsDep
from connector.api.errors import ApiError, BadRequest, error_response
from connector.portal.errors import PortalError
from connector.portal.operations import create_connection_with_link
from connector.portal.qwc import branded_qwc
from connector.qbwc.qwc import QwcError
from connector.settings import Settings
from connector.store import companies as company_store
from connector.store import connections as connection_store
from connector.store.companies import CompanyKey, CompanyRow
from connector.store.connections import ConnectionRow, SyncWindow
from connector.store.db import Database
from connector.store.tables_core import ConnectionMethod

log = logging.getLogger(__name__)
router = APIRouter()
PageSize = Annotated[int, Query(alias="pageSize", ge=1, le=500)]
Cursor = Annotated[str | None, Query(description="`nextCursor` of the previous page")]


class CompanyIn(BaseModel):
    name: str = Field(min_length=1, max_length=200)


class CompanyOut(BaseModel):
    id: str
    name: str
    createdAt: datetime


class CompanyPage(BaseModel):
    data: list[CompanyOut]
    nextCursor: str | None


class ConnectionIn(BaseModel):
    method: ConnectionMethod


class WindowModel(BaseModel):
    start: str = Field(examples=["19:00"])
    end: str = Field(examples=["07:00"])
    days: list[str] = Field(examples=[["mon", "tue", "wed", "thu", "fri"]])
    timezone: str = Field(examples=["America/New_York"])


class ScheduleModel(BaseModel):
    everyMinutes: int = Field(ge=1, le=connection_store.MAX_EVERY_MINUTES)
    window: WindowModel | None = None


class BoundCompanyOut(BaseModel):
    filePath: str
    companyName: str
    fileId: str | None


class ConnectionOut(BaseModel):
    id: str
    companyId: str
    method: ConnectionMethod
    username: str
    paused: bool
    schedule: ScheduleModel
    boundCompany: BoundCompanyOut | None
    createdAt: datetime
    qwcUrl: str
    linkUrl: str | None = Field(
        description="The setup link for the business: its URL is shown once, when the "
        "connection is created (only a digest of its token is stored); null afterwards "
        "(create another with POST .../links)"
    )


class ConnectionCreated(ConnectionOut):
    password: str = Field(description="Shown once; stored only as an argon2id hash.")


class ConnectionPage(BaseModel):
    data: list[ConnectionOut]
    nextCursor: str | None


def encode_cursor(key: CompanyKey) -> str:
    raw = json.dumps({"t": key.created_at.isoformat(), "i": key.id}).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> CompanyKey:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        data = json.loads(raw)
        at = datetime.fromisoformat(data["t"])
        key = str(data["i"])
        if at.tzinfo is None or "\x00" in key:  # issued cursors carry a zone (issue 18 item 6)
            raise ValueError("not an issued cursor")
        return CompanyKey(at.astimezone(UTC), key)
    except (binascii.Error, ValueError, KeyError, TypeError, OverflowError):
        raise BadRequest("the cursor is not one this API issued", {"cursor": cursor}) from None


def connection_qwc_url(settings: Settings, connection: ConnectionRow) -> str:
    """The connection's QWC download URL (a link-flow URL exists only as a link's token:
    ``connector.portal.operations.create_link``)."""
    base = f"{settings.public_url}/api/v1/companies/{connection.company_id}"
    return f"{base}/connections/{connection.id}/qwc"


def _company_out(row: CompanyRow) -> CompanyOut:
    return CompanyOut(id=row.id, name=row.name, createdAt=row.created_at)


def _connection_fields(settings: Settings, row: ConnectionRow) -> dict[str, Any]:
    qwc_url = connection_qwc_url(settings, row)
    window = row.sync_window
    bound = row.bound_company
    return {
        "id": row.id,
        "companyId": row.company_id,
        "method": row.method,
        "username": row.username,
        "paused": row.paused,
        "schedule": ScheduleModel(
            everyMinutes=row.schedule_every_minutes,
            window=WindowModel(**window.to_json()) if window else None,
        ),
        "boundCompany": BoundCompanyOut(**bound.to_json()) if bound else None,
        "createdAt": row.created_at,
        "qwcUrl": qwc_url,
        "linkUrl": None,
    }


class ApiIndex(BaseModel):
    openApi: str
    docs: str
    health: str
    companies: str


@router.get("", tags=["service"])
def api_index(settings: SettingsDep) -> ApiIndex:
    """Where to start: the API's description and its top-level collection (no key needed)."""
    base = f"{settings.public_url}/api/v1"
    return ApiIndex(
        openApi=f"{base}/openapi.json",
        docs=f"{base}/docs",
        health=f"{base}/health",
        companies=f"{base}/companies",
    )


@router.get("/health", tags=["service"])
def health(database: DatabaseDep) -> Response:
    """Liveness and database reachability; needs no API key."""
    try:
        database.ping()
    except Exception:  # any driver error means "not healthy", never a 500 page
        # The driver's text names hosts, ports and databases: the log gets it, the
        # unauthenticated caller only "degraded" (issue 18 item 8).
        log.exception("health: the database does not answer")
        return error_response(
            503,
            "unavailable",
            "the service is degraded",
            {"status": "degraded", "database": "down"},
        )
    return Response('{"status":"ok","database":"ok"}', media_type="application/json")


@router.post("/companies", status_code=201, tags=["companies"])
def create_company(body: CompanyIn, database: DatabaseDep, _key: ApiKeyDep) -> CompanyOut:
    return _company_out(company_store.create_company(database, body.name))


@router.get("/companies", tags=["companies"])
def list_companies(
    database: DatabaseDep, _key: ApiKeyDep, pageSize: PageSize = 100, cursor: Cursor = None
) -> CompanyPage:
    after = decode_cursor(cursor) if cursor else None
    rows = company_store.list_companies(database, limit=pageSize + 1, after=after)
    page, more = rows[:pageSize], len(rows) > pageSize
    return CompanyPage(
        data=[_company_out(r) for r in page],
        nextCursor=encode_cursor(page[-1].key) if more else None,
    )


@router.get("/companies/{companyId}", tags=["companies"])
def get_company(companyId: str, database: DatabaseDep, _key: ApiKeyDep) -> CompanyOut:
    return _company_out(company_store.get_company(database, companyId))


@router.post(
    "/companies/{companyId}/connections",
    status_code=201,
    tags=["connections"],
    responses={409: {"description": "The integration is turned off (integration_disabled)"}},
)
def create_connection(
    companyId: str,
    body: ConnectionIn,
    database: DatabaseDep,
    settings: SettingsDep,
    _key: ApiKeyDep,
) -> ConnectionCreated:
    """A connection, its password (shown once) and its setup link (``linkUrl``, shown once);
    409 ``integration_disabled`` while the integration is turned off."""
    company = company_store.get_company(database, companyId)
    try:
        row, password, link_url = create_connection_with_link(
            database, settings, company.id, body.method, now=datetime.now(UTC)
        )
    except PortalError as exc:
        raise ApiError(exc.status, exc.code, exc.message, exc.details) from exc
    fields = _connection_fields(settings, row) | {"linkUrl": link_url}
    return ConnectionCreated(**fields, password=password)


@router.get("/companies/{companyId}/connections", tags=["connections"])
def list_connections(
    companyId: str,
    database: DatabaseDep,
    settings: SettingsDep,
    _key: ApiKeyDep,
    pageSize: PageSize = 100,
    cursor: Cursor = None,
) -> ConnectionPage:
    company = company_store.get_company(database, companyId)
    key = decode_cursor(cursor) if cursor else None
    rows = connection_store.list_connections(
        database, company.id, limit=pageSize + 1, after=(key.created_at, key.id) if key else None
    )
    page, more = rows[:pageSize], len(rows) > pageSize
    last = CompanyKey(page[-1].created_at, page[-1].id) if more else None
    return ConnectionPage(
        data=[ConnectionOut(**_connection_fields(settings, r)) for r in page],
        nextCursor=encode_cursor(last) if last else None,
    )


def _owned_connection(database: Database, company_id: str, connection_id: str) -> ConnectionRow:
    company = company_store.get_company(database, company_id)
    return connection_store.get_connection(database, connection_id, company_id=company.id)


@router.get("/companies/{companyId}/connections/{connectionId}", tags=["connections"])
def get_connection(
    companyId: str, connectionId: str, database: DatabaseDep, settings: SettingsDep, _key: ApiKeyDep
) -> ConnectionOut:
    row = _owned_connection(database, companyId, connectionId)
    return ConnectionOut(**_connection_fields(settings, row))


@router.get(
    "/companies/{companyId}/connections/{connectionId}/qwc",
    tags=["connections"],
    response_class=Response,
    responses={200: {"content": {"application/xml": {}}, "description": "The QWC file"}},
)
def get_qwc(
    companyId: str, connectionId: str, database: DatabaseDep, settings: SettingsDep, _key: ApiKeyDep
) -> Response:
    row = _owned_connection(database, companyId, connectionId)
    company = company_store.get_company(database, row.company_id)
    try:
        text = branded_qwc(database, settings, company, row)
    except QwcError as exc:  # e.g. a public URL the Web Connector refuses (an IP address)
        raise ApiError(409, "qwc_refused", str(exc), {"qbwcCode": exc.code}) from exc
    filename = f"{row.username}.qwc"
    return Response(
        text,
        media_type="application/xml",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


def _set_paused(
    database: Database, settings: Settings, company_id: str, connection_id: str, paused: bool
) -> ConnectionOut:
    row = _owned_connection(database, company_id, connection_id)
    updated = connection_store.set_paused(database, row.id, paused)
    return ConnectionOut(**_connection_fields(settings, updated))


@router.post("/companies/{companyId}/connections/{connectionId}/pause", tags=["connections"])
def pause(
    companyId: str, connectionId: str, database: DatabaseDep, settings: SettingsDep, _key: ApiKeyDep
) -> ConnectionOut:
    """Pause syncing: the Web Connector is told there is nothing to do until resumed."""
    return _set_paused(database, settings, companyId, connectionId, True)


@router.post("/companies/{companyId}/connections/{connectionId}/resume", tags=["connections"])
def resume(
    companyId: str, connectionId: str, database: DatabaseDep, settings: SettingsDep, _key: ApiKeyDep
) -> ConnectionOut:
    return _set_paused(database, settings, companyId, connectionId, False)


@router.put("/companies/{companyId}/connections/{connectionId}/schedule", tags=["connections"])
def put_schedule(
    companyId: str,
    connectionId: str,
    body: ScheduleModel,
    database: DatabaseDep,
    settings: SettingsDep,
    _key: ApiKeyDep,
) -> ConnectionOut:
    """How often to sync, and optionally the hours syncs may run (``window: null`` = any time)."""
    row = _owned_connection(database, companyId, connectionId)
    window = SyncWindow.from_json(body.window.model_dump()) if body.window else None
    updated = connection_store.set_schedule(database, row.id, body.everyMinutes, window)
    return ConnectionOut(**_connection_fields(settings, updated))
