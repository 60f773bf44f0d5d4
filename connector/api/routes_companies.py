"""Companies under ``/api/v1/companies`` (DESIGN.md API list): create, list, read.

Owns: the JSON shape of a company and the company list's keyset cursor
(``connector.api.cursors``). A company's connections are ``routes_connections``.
Must not: write SQL (``connector.store.companies`` does).
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from connector.api.cursors import Cursor, cut_page, decode_key_cursor, encode_key_cursor
from connector.api.deps import AdminKeyDep, ApiKeyDep, DatabaseDep
from connector.api.models import from_row
from connector.store import companies as company_store
from connector.store.companies import CompanyRow

router = APIRouter(tags=["companies"])
PageSize = Annotated[int, Query(alias="pageSize", ge=1, le=500)]


class CompanyIn(BaseModel):
    name: str = Field(min_length=1, max_length=200)


class CompanyOut(BaseModel):
    id: str
    name: str
    createdAt: datetime


class CompanyPage(BaseModel):
    data: list[CompanyOut]
    nextCursor: str | None


def _company_out(row: CompanyRow) -> CompanyOut:
    return from_row(CompanyOut, row)


@router.post("/companies", status_code=201)
def create_company(body: CompanyIn, database: DatabaseDep, _key: AdminKeyDep) -> CompanyOut:
    return _company_out(company_store.create_company(database, body.name))


@router.get("/companies")
def list_companies(
    database: DatabaseDep, caller: ApiKeyDep, pageSize: PageSize = 100, cursor: Cursor = None
) -> CompanyPage:
    """The companies the caller's key reaches (every one for an admin key)."""
    after = decode_key_cursor(cursor) if cursor else None
    rows = company_store.list_companies(
        database, limit=pageSize + 1, after=after, only=caller.company_ids
    )
    page, next_cursor = cut_page(rows, pageSize, lambda r: encode_key_cursor(r.key))
    return CompanyPage(data=[_company_out(r) for r in page], nextCursor=next_cursor)


@router.get("/companies/{companyId}")
def get_company(companyId: str, database: DatabaseDep, _key: ApiKeyDep) -> CompanyOut:
    return _company_out(company_store.get_company(database, companyId))
