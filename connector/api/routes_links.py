"""REST routes of links, consents and passwords of a company's connections.

Owns: ``POST/GET .../connections/{connectionId}/links`` (a link's URL is shown once, at
creation: only its token's digest is stored), ``POST .../links/{linkId}/revoke``,
``POST .../connections/{connectionId}/rotate-password`` (the new password shown once) and
``GET /companies/{companyId}/consents``. Must not: write SQL or decide link rules
(``connector.portal``).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel, Field

from connector.api.deps import ApiKeyDep, DatabaseDep, SettingsDep
from connector.api.models import from_row
from connector.api.routes_settings import api_error
from connector.portal import links as link_rules
from connector.portal import operations
from connector.portal.errors import PortalError
from connector.store import activity as activity_store
from connector.store import companies as company_store
from connector.store import connections as connection_store
from connector.store import consents as consent_store
from connector.store import links as link_store
from connector.store.connections import ConnectionRow
from connector.store.consents import ConsentRow
from connector.store.db import Database
from connector.store.links import LinkKind, LinkRow

router = APIRouter()
CONFLICT: dict[int | str, dict[str, Any]] = {
    409: {"description": "The integration is turned off (integration_disabled)"}
}


class LinkIn(BaseModel):
    kind: LinkKind = LinkKind.SETUP
    expiresInDays: int | None = Field(default=None, ge=1, le=link_rules.MAX_VALID_DAYS)


class LinkOut(BaseModel):
    id: str
    connectionId: str
    kind: LinkKind
    createdAt: datetime
    expiresAt: datetime
    revokedAt: datetime | None
    used: bool
    consentId: str | None


class LinkCreated(LinkOut):
    url: str = Field(description="Shown once: only a digest of its token is stored")


class LinkList(BaseModel):
    data: list[LinkOut]


class PasswordOut(BaseModel):
    id: str
    username: str
    password: str = Field(description="Shown once; the previous password no longer works")


class ConsentOut(BaseModel):
    id: str
    connectionId: str | None
    wordingVersion: str
    appName: str
    dataTypes: list[str]
    reports: list[str]
    writes: list[str]
    agreedAt: datetime
    agreedFrom: str
    withdrawnAt: datetime | None
    recordsDeletedAt: datetime | None


class ConsentList(BaseModel):
    data: list[ConsentOut]


def owned_connection(database: Database, company_id: str, connection_id: str) -> ConnectionRow:
    company = company_store.get_company(database, company_id)
    return connection_store.get_connection(database, connection_id, company_id=company.id)


def link_out(database: Database, row: LinkRow) -> LinkOut:
    activity = activity_store.activity_of(database, [row.connection_id]).get(row.connection_id)
    return from_row(LinkOut, row, used=link_rules.is_used(row, activity))


def consent_out(row: ConsentRow) -> ConsentOut:
    return from_row(ConsentOut, row)


_LINKS = "/companies/{companyId}/connections/{connectionId}/links"


@router.post(_LINKS, status_code=201, tags=["links"], responses=CONFLICT)
def create_link(
    companyId: str,
    connectionId: str,
    body: LinkIn,
    database: DatabaseDep,
    settings: SettingsDep,
    _key: ApiKeyDep,
) -> LinkCreated:
    """A link the business opens: ``setup`` (consent, downloads, password; valid until used
    or it expires, 7 days by default) or ``manage`` (pause, resume, withdraw consent)."""
    connection = owned_connection(database, companyId, connectionId)
    try:
        row, url = operations.create_link(
            database,
            settings,
            connection,
            kind=body.kind,
            days=body.expiresInDays,
            now=datetime.now(UTC),
        )
    except PortalError as exc:
        raise api_error(exc) from exc
    return LinkCreated(**link_out(database, row).model_dump(), url=url)


@router.get(_LINKS, tags=["links"])
def list_links(
    companyId: str, connectionId: str, database: DatabaseDep, _key: ApiKeyDep
) -> LinkList:
    connection = owned_connection(database, companyId, connectionId)
    return LinkList(
        data=[link_out(database, r) for r in link_store.list_links(database, connection.id)]
    )


@router.post(_LINKS + "/{linkId}/revoke", tags=["links"])
def revoke_link(
    companyId: str, connectionId: str, linkId: str, database: DatabaseDep, _key: ApiKeyDep
) -> LinkOut:
    """Revoke at once: the link's pages answer 410 from now on."""
    connection = owned_connection(database, companyId, connectionId)
    row = link_store.get_link(database, linkId, company_id=connection.company_id)
    if row.connection_id != connection.id:
        raise link_store.LinkNotFound(linkId)
    return link_out(database, link_store.revoke_link(database, row.id))


@router.post(
    "/companies/{companyId}/connections/{connectionId}/rotate-password", tags=["connections"]
)
def rotate_password(
    companyId: str, connectionId: str, database: DatabaseDep, _key: ApiKeyDep
) -> PasswordOut:
    """A new Web Connector password; the old one stops working at once."""
    connection = owned_connection(database, companyId, connectionId)
    row, password = connection_store.rotate_password(database, connection.id)
    return PasswordOut(id=row.id, username=row.username, password=password)


@router.get("/companies/{companyId}/consents", tags=["consents"])
def list_consents(companyId: str, database: DatabaseDep, _key: ApiKeyDep) -> ConsentList:
    """What the business agreed to share, when and from where, newest first."""
    company = company_store.get_company(database, companyId)
    return ConsentList(
        data=[consent_out(r) for r in consent_store.list_consents(database, company.id)]
    )
