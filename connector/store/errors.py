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
    """A row looked up by id or name does not exist."""


class CompanyNotFound(NotFound):
    def __init__(self, key: str) -> None:
        super().__init__(f"no company with id or name {key!r}")
        self.key = key


class ConnectionNotFound(NotFound):
    def __init__(self, key: str) -> None:
        super().__init__(f"no connection {key!r}")
        self.key = key


class ApiKeyNotFound(NotFound):
    def __init__(self, key: str) -> None:
        super().__init__(f"no API key with id, prefix or name {key!r}")
        self.key = key


class Conflict(StoreError):
    """The write would break a uniqueness rule."""


class CompanyExists(Conflict):
    def __init__(self, name: str) -> None:
        super().__init__(f"a company named {name!r} already exists")
        self.name = name


class InvalidValue(StoreError, ValueError):
    """A value the store refuses to record (empty name, unknown method, bad window...)."""
