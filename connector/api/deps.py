"""FastAPI dependencies: the settings, the database and the API-key check, from app state.

Tests swap these through ``app.dependency_overrides`` rather than monkeypatching.
Must not: hold route logic or SQL (the store's repository functions do that).

API keys are checked against the store (argon2id) and the optional bootstrap key
``QBD_API_KEY`` (an admin key). A verified key's digest is remembered in process
(``KeyCache``) so later requests skip the deliberately slow hash, but the row (and its scope)
is still read on every request, so a revoked key stops working at once on every instance.

Scope (issue 19): the caller is a ``Caller``; a key scoped to companies reaches a route whose
path has ``{companyId}`` only for its own companies, and any other company answers exactly
what a company that does not exist answers (404 ``not_found``, never a 403 that would reveal
it). Routes outside any company that only an admin key may use take ``AdminKeyDep`` (403
``admin_key_required``: nothing about a company is revealed by it).
"""

from __future__ import annotations

import hashlib
import hmac
import threading
from collections import OrderedDict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy import Connection

from connector.api.errors import ApiError, Unauthorized
from connector.settings import Settings
from connector.store import api_keys
from connector.store.companies import CompanyRow, get_company
from connector.store.db import Database
from connector.store.errors import CompanyNotFound, NotFound

BOOTSTRAP_KEY_ID = "bootstrap"


@dataclass(frozen=True)
class Caller:
    """Who is calling: the API key's id and, for a scoped key, the companies it reaches."""

    key_id: str
    company_ids: frozenset[str] | None = None
    """``None``: an admin key (every company, key management)."""

    @property
    def is_admin(self) -> bool:
        return self.company_ids is None

    def reaches(self, company_id: str) -> bool:
        return self.company_ids is None or company_id in self.company_ids

    @classmethod
    def of(cls, row: api_keys.ApiKeyRow) -> Caller:
        scope = None if row.company_ids is None else frozenset(row.company_ids)
        return cls(row.id, scope)


class KeyCache:
    """Digests of keys already verified, mapped to their key ids (bounded, thread-safe)."""

    def __init__(self, size: int = 1024) -> None:
        self._size = size
        self._ids: OrderedDict[str, str] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, digest: str) -> str | None:
        with self._lock:
            key_id = self._ids.get(digest)
            if key_id is not None:
                self._ids.move_to_end(digest)
            return key_id

    def put(self, digest: str, key_id: str) -> None:
        with self._lock:
            self._ids[digest] = key_id
            self._ids.move_to_end(digest)
            while len(self._ids) > self._size:
                self._ids.popitem(last=False)


def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def get_database(request: Request) -> Database:
    database: Database = request.app.state.database
    return database


def get_key_cache(request: Request) -> KeyCache:
    cache: KeyCache = request.app.state.key_cache
    return cache


_bearer = HTTPBearer(auto_error=False, description="An API key: `Authorization: Bearer KEY`")


def check_key(database: Database, settings: Settings, cache: KeyCache, key: str) -> Caller:
    """The caller holding API key ``key`` (``QBD_API_KEY`` is the admin ``bootstrap``), or
    Unauthorized. The key's row is read on every call: a revoke or a scope change counts at
    once, on every instance (the cache only skips the slow hash)."""
    bootstrap = settings.bootstrap_api_key
    if bootstrap and hmac.compare_digest(key.encode(), bootstrap.encode()):
        return Caller(BOOTSTRAP_KEY_ID)
    digest = hashlib.sha256(key.encode()).hexdigest()
    cached = cache.get(digest)
    if cached is not None:
        try:
            row = api_keys.get_api_key(database, cached)
        except NotFound:
            raise Unauthorized("the API key was revoked") from None
        if row.revoked_at is not None:
            raise Unauthorized("the API key was revoked")
        return Caller.of(row)
    found = api_keys.verify_api_key(database, key)
    if found is None:
        raise Unauthorized("the API key is not valid")
    cache.put(digest, found.id)
    return Caller.of(found)


def check_company(database: Database, caller: Caller, company: str) -> None:
    """``CompanyNotFound`` (the very error of a company that does not exist) when ``company``
    (an id or a name) is outside a scoped caller's companies."""
    if caller.is_admin:
        return
    if get_company(database, company).id not in (caller.company_ids or ()):
        raise CompanyNotFound(company)


def require_api_key(
    request: Request,
    database: Annotated[Database, Depends(get_database)],
    settings: Annotated[Settings, Depends(get_settings)],
    cache: Annotated[KeyCache, Depends(get_key_cache)],
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Caller:
    """Dependency of every authenticated route: the caller, checked against the path's
    ``{companyId}`` when the route has one."""
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise Unauthorized("send an API key as `Authorization: Bearer KEY`")
    caller = check_key(database, settings, cache, credentials.credentials)
    company = request.path_params.get("companyId")
    if isinstance(company, str):
        check_company(database, caller, company)
    return caller


def require_admin_key(caller: Annotated[Caller, Depends(require_api_key)]) -> Caller:
    """Dependency of the routes only an admin key may use (keys, settings, new companies)."""
    if not caller.is_admin:
        raise ApiError(403, "admin_key_required", "this needs an admin API key")
    return caller


DatabaseDep = Annotated[Database, Depends(get_database)]
SettingsDep = Annotated[Settings, Depends(get_settings)]
ApiKeyDep = Annotated[Caller, Depends(require_api_key)]
AdminKeyDep = Annotated[Caller, Depends(require_admin_key)]


@contextmanager
def reading_company(database: Database, company: str) -> Iterator[tuple[Connection, CompanyRow]]:
    """A read-only transaction and, read in it, the company ``company`` (its id or name);
    ``CompanyNotFound`` (404 ``not_found``) when there is none."""
    with database.begin(write=False) as conn:
        yield conn, get_company(conn, company)
