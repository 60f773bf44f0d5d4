"""FastAPI dependencies: the settings, the database and the API-key check, from app state.

Tests swap these through ``app.dependency_overrides`` rather than monkeypatching.
Must not: hold route logic or SQL (the store's repository functions do that).

API keys are checked against the store (argon2id) and the optional bootstrap key
``QBD_API_KEY``. A verified key's digest is remembered in process (``KeyCache``) so later
requests skip the deliberately slow hash, but the row is still read on every request, so a
revoked key stops working at once on every instance.
"""

from __future__ import annotations

import hashlib
import hmac
import threading
from collections import OrderedDict
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from connector.api.errors import Unauthorized
from connector.settings import Settings
from connector.store import api_keys
from connector.store.db import Database
from connector.store.errors import NotFound


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


def check_key(database: Database, settings: Settings, cache: KeyCache, key: str) -> str:
    """The id of the API key ``key`` (``"bootstrap"`` for ``QBD_API_KEY``), or Unauthorized."""
    bootstrap = settings.bootstrap_api_key
    if bootstrap and hmac.compare_digest(key.encode(), bootstrap.encode()):
        return "bootstrap"
    digest = hashlib.sha256(key.encode()).hexdigest()
    cached = cache.get(digest)
    if cached is not None:
        try:
            if api_keys.get_api_key(database, cached).revoked_at is None:
                return cached
        except NotFound:
            pass
        raise Unauthorized("the API key was revoked")
    row = api_keys.verify_api_key(database, key)
    if row is None:
        raise Unauthorized("the API key is not valid")
    cache.put(digest, row.id)
    return row.id


def require_api_key(
    database: Annotated[Database, Depends(get_database)],
    settings: Annotated[Settings, Depends(get_settings)],
    cache: Annotated[KeyCache, Depends(get_key_cache)],
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> str:
    """Dependency of every authenticated route: the caller's API key id."""
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise Unauthorized("send an API key as `Authorization: Bearer KEY`")
    return check_key(database, settings, cache, credentials.credentials)


DatabaseDep = Annotated[Database, Depends(get_database)]
SettingsDep = Annotated[Settings, Depends(get_settings)]
ApiKeyDep = Annotated[str, Depends(require_api_key)]
