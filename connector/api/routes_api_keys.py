"""``/api/v1/api-keys``: API key management, for admin keys only (issue 19, DESIGN.md).

Owns: the JSON shape of a key (never its hash; the key itself once, in the answer that
creates it). ``companies`` (ids or names) scopes a new key to those companies; without it the
key is an admin key. Must not: write SQL (``connector.store.api_keys``) or decide scope
(``connector.api.deps``).
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from fastapi import APIRouter
from pydantic import BaseModel, Field

from connector.api.deps import AdminKeyDep, DatabaseDep
from connector.api.models import from_row
from connector.store import api_keys as key_store
from connector.store.api_keys import MAX_SCOPED_COMPANIES, ApiKeyRow

router = APIRouter(tags=["api-keys"])


class ApiKeyIn(BaseModel):
    name: str = Field(default="default", min_length=1, max_length=200, examples=["lender-prod"])
    companies: list[str] | None = Field(
        default=None,
        min_length=1,
        max_length=MAX_SCOPED_COMPANIES,
        description="Company ids or names the key is scoped to; absent: an admin key",
        examples=[["Acme Plumbing"]],
    )


class ApiKeyOut(BaseModel):
    id: str
    name: str
    prefix: str = Field(description="Shown in clear: names the key in lists and revocations")
    scope: Literal["admin", "companies"]
    companies: list[str] | None = Field(description="The ids of a scoped key's companies")
    createdAt: datetime
    revokedAt: datetime | None


class ApiKeyCreated(ApiKeyOut):
    key: str = Field(description="The key itself: shown once, stored only as an argon2id hash")


class ApiKeyList(BaseModel):
    data: list[ApiKeyOut]


def key_out(row: ApiKeyRow) -> ApiKeyOut:
    return from_row(
        ApiKeyOut,
        row,
        scope="admin" if row.is_admin else "companies",
        companies=None if row.company_ids is None else list(row.company_ids),
    )


@router.post("/api-keys", status_code=201)
def create_api_key(body: ApiKeyIn, database: DatabaseDep, _admin: AdminKeyDep) -> ApiKeyCreated:
    """A new key, admin or scoped to ``companies``; the key is in this answer only."""
    row, key = key_store.create_api_key(database, body.name, companies=body.companies)
    return ApiKeyCreated(**key_out(row).model_dump(), key=key)


@router.get("/api-keys")
def list_api_keys(database: DatabaseDep, _admin: AdminKeyDep) -> ApiKeyList:
    return ApiKeyList(data=[key_out(r) for r in key_store.list_api_keys(database)])


@router.delete("/api-keys/{keyId}")
def revoke_api_key(keyId: str, database: DatabaseDep, _admin: AdminKeyDep) -> ApiKeyOut:
    """Revoke a key (its id, prefix or name): it stops working at once, on every instance."""
    row = key_store.find_api_key(database, keyId)
    return key_out(key_store.revoke_api_key(database, row.id))
