"""Errors the store raises: lookups that miss and values it refuses.

Tree::

    StoreError
    +-- NotFound
    |   +-- CompanyNotFound
    |   +-- ConnectionNotFound
    |   +-- ApiKeyNotFound
    +-- Conflict
    |   +-- CompanyExists
    +-- InvalidValue

Must not: mention HTTP or exit codes (the API and CLI map these to theirs).
"""

from __future__ import annotations


class StoreError(Exception):
    """Base of every error the store raises on purpose."""


class NotFound(StoreError):
    """A row looked up by ``key`` (an id or a name) does not exist: "no {what} {key!r}"."""

    what = "row"

    def __init__(self, key: str) -> None:
        super().__init__(f"no {self.what} {key!r}")
        self.key = key


class CompanyNotFound(NotFound):
    what = "company with id or name"


class ConnectionNotFound(NotFound):
    what = "connection"


class ApiKeyNotFound(NotFound):
    what = "API key with id, prefix or name"


class Conflict(StoreError):
    """The write would break a uniqueness rule."""


class CompanyExists(Conflict):
    def __init__(self, name: str) -> None:
        super().__init__(f"a company named {name!r} already exists")
        self.name = name


class InvalidValue(StoreError, ValueError):
    """A value the store refuses to record (empty name, unknown method, bad window...)."""
