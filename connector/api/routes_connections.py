"""A company's connections under ``/api/v1/companies/{companyId}/connections`` (DESIGN.md).

Owns: the JSON shape of a connection (schedule, bound company, QWC URL), its create (password
and setup link shown once), list, read, QWC download, pause/resume and schedule routes.
The QWC file is ``connector.portal.qwc.branded_qwc`` over ``connector.qbwc.qwc``.
Must not: write SQL (``connector.store.connections``) or know the SOAP protocol.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any, TypeVar

from fastapi import APIRouter, Query, Response
from pydantic import BaseModel, Field, field_validator, model_validator

from connector.api.cursors import Cursor, cut_page, decode_key_cursor, encode_key_cursor
from connector.api.deps import ApiKeyDep, DatabaseDep, SettingsDep
from connector.api.errors import ApiError
from connector.api.routes_settings import api_error
from connector.portal.errors import PortalError
from connector.portal.operations import create_connection_with_link
from connector.portal.qwc import branded_qwc
from connector.qbwc.qwc import QwcError, connection_qwc_url
from connector.settings import Settings
from connector.store import companies as company_store
from connector.store import connections as connection_store
from connector.store.companies import CompanyKey
from connector.store.connections import ConnectionRow, SyncWindow
from connector.store.db import Database
from connector.store.tables_core import ConnectionMethod

router = APIRouter(tags=["connections"])
_T = TypeVar("_T")
PageSize = Annotated[int, Query(alias="pageSize", ge=1, le=500)]


class ConnectionIn(BaseModel):
    method: ConnectionMethod


class WindowModel(BaseModel):
    """Checked field by field (``connector.store.connections``' checks), so a body with
    several bad values gets one 422 naming them all (issue 11 item 12)."""

    start: str = Field(examples=["19:00"])
    end: str = Field(examples=["07:00"])
    days: list[str] = Field(examples=[["mon", "tue", "wed", "thu", "fri"]])
    timezone: str = Field(examples=["America/New_York"])

    @field_validator("start", "end")
    @classmethod
    def _clock(cls, value: str) -> str:
        return _checked(value, connection_store.clock_problem(value))

    @field_validator("days")
    @classmethod
    def _days(cls, value: list[str]) -> list[str]:
        return _checked(value, connection_store.days_problem(value))

    @field_validator("timezone")
    @classmethod
    def _timezone(cls, value: str) -> str:
        return _checked(value, connection_store.timezone_problem(value))

    @model_validator(mode="after")
    def _differ(self) -> WindowModel:
        problem = connection_store.window_problems(self.model_dump()).get("end")
        return _checked(self, problem)


def _checked(value: _T, problem: str | None) -> _T:
    if problem is not None:
        raise ValueError(problem)
    return value


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


def _connection_fields(settings: Settings, row: ConnectionRow) -> dict[str, Any]:
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
        "qwcUrl": connection_qwc_url(settings, row),
        "linkUrl": None,
    }


@router.post(
    "/companies/{companyId}/connections",
    status_code=201,
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
        raise api_error(exc) from exc
    fields = _connection_fields(settings, row) | {"linkUrl": link_url}
    return ConnectionCreated(**fields, password=password)


@router.get("/companies/{companyId}/connections")
def list_connections(
    companyId: str,
    database: DatabaseDep,
    settings: SettingsDep,
    _key: ApiKeyDep,
    pageSize: PageSize = 100,
    cursor: Cursor = None,
) -> ConnectionPage:
    company = company_store.get_company(database, companyId)
    key = decode_key_cursor(cursor) if cursor else None
    rows = connection_store.list_connections(
        database, company.id, limit=pageSize + 1, after=(key.created_at, key.id) if key else None
    )
    page, next_cursor = cut_page(
        rows, pageSize, lambda r: encode_key_cursor(CompanyKey(r.created_at, r.id))
    )
    return ConnectionPage(
        data=[ConnectionOut(**_connection_fields(settings, r)) for r in page],
        nextCursor=next_cursor,
    )


def _owned_connection(database: Database, company_id: str, connection_id: str) -> ConnectionRow:
    company = company_store.get_company(database, company_id)
    return connection_store.get_connection(database, connection_id, company_id=company.id)


@router.get("/companies/{companyId}/connections/{connectionId}")
def get_connection(
    companyId: str, connectionId: str, database: DatabaseDep, settings: SettingsDep, _key: ApiKeyDep
) -> ConnectionOut:
    row = _owned_connection(database, companyId, connectionId)
    return ConnectionOut(**_connection_fields(settings, row))


@router.get(
    "/companies/{companyId}/connections/{connectionId}/qwc",
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


@router.post("/companies/{companyId}/connections/{connectionId}/pause")
def pause(
    companyId: str, connectionId: str, database: DatabaseDep, settings: SettingsDep, _key: ApiKeyDep
) -> ConnectionOut:
    """Pause syncing: the Web Connector is told there is nothing to do until resumed."""
    return _set_paused(database, settings, companyId, connectionId, True)


@router.post("/companies/{companyId}/connections/{connectionId}/resume")
def resume(
    companyId: str, connectionId: str, database: DatabaseDep, settings: SettingsDep, _key: ApiKeyDep
) -> ConnectionOut:
    return _set_paused(database, settings, companyId, connectionId, False)


@router.put("/companies/{companyId}/connections/{connectionId}/schedule")
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
