"""Reading rows into the repositories' frozen dataclasses, the same way in every module.

Owns: a dataclass from a row whose columns bear its field names (``from_row``), and the
three reads each repository repeated: the one row or its ``NotFound``, the one row or
``None``, every row of a query. Must not: build queries or know any table.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

import sqlalchemy as sa
from sqlalchemy import Connection

from connector.store.db import Database, transaction

if TYPE_CHECKING:
    from _typeshed import DataclassInstance

    D = TypeVar("D", bound=DataclassInstance)

T = TypeVar("T")


def from_row(cls: type[D], row: sa.RowMapping, **converted: object) -> D:
    """``cls`` with each field read from the column of the same name, except the fields
    given in ``converted`` (those whose stored form needs converting: a JSON list to a
    tuple, a string to an enum, an integer to a bool). A ``converted`` name that is not a
    field is refused by ``cls`` itself (``TypeError``), so a typo fails loudly."""
    read = {f.name: row[f.name] for f in dataclasses.fields(cls) if f.name not in converted}
    return cls(**read, **converted)


def one(
    db: Database | Connection,
    query: sa.Select[Any],
    make: Callable[[sa.RowMapping], T],
    missing: Exception,
) -> T:
    """The query's first row through ``make``; ``missing`` raised when there is none."""
    found = first(db, query, make)
    if found is None:
        raise missing
    return found


def first(
    db: Database | Connection, query: sa.Select[Any], make: Callable[[sa.RowMapping], T]
) -> T | None:
    """The query's first row through ``make``, or ``None``."""
    with transaction(db, write=False) as conn:
        row = conn.execute(query).mappings().first()
    return None if row is None else make(row)


def every(
    db: Database | Connection, query: sa.Select[Any], make: Callable[[sa.RowMapping], T]
) -> list[T]:
    """Every row of the query through ``make``, in the query's order."""
    with transaction(db, write=False) as conn:
        return [make(m) for m in conn.execute(query).mappings()]


def update_by_id(
    db: Database | Connection,
    table: sa.Table,
    row_id: str,
    values: dict[str, Any],
    missing: Exception,
    reread: Callable[[Connection, str], T],
) -> T:
    """Set ``values`` on the row whose ``id`` is ``row_id`` and read it again with
    ``reread``, in one transaction; ``missing`` raised when there is no such row."""
    with transaction(db) as conn:
        done = conn.execute(table.update().where(table.c.id == row_id).values(**values))
        if done.rowcount == 0:
            raise missing
        return reread(conn, row_id)
