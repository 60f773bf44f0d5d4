"""The shared row reads (connector/store/rows.py): a dataclass from a row by field name,
conversions by name, and the one-row reads' missing case."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
import sqlalchemy as sa

from connector.store import rows
from connector.store.companies import CompanyRow
from connector.store.db import Database
from connector.store.errors import CompanyNotFound
from connector.store.tables_core import companies


@dataclass(frozen=True)
class _Pair:
    id: str
    flag: bool


def _mapping(**values: object) -> sa.RowMapping:
    query = sa.select(*(sa.literal(v).label(k) for k, v in values.items()))
    with sa.create_engine("sqlite://").connect() as conn:
        return conn.execute(query).mappings().one()


def test_fields_are_read_by_name_and_converted_ones_are_taken_as_given() -> None:
    row = _mapping(id="a", flag=1, other="ignored")
    assert rows.from_row(_Pair, row, flag=bool(row["flag"])) == _Pair("a", True)
    assert rows.from_row(_Pair, row).flag == 1


def test_a_conversion_for_a_field_that_does_not_exist_fails_loudly() -> None:
    with pytest.raises(TypeError, match="flgx"):
        rows.from_row(_Pair, _mapping(id="a", flag=1), flgx=True)


def test_a_missing_column_fails_loudly() -> None:
    with pytest.raises(KeyError):
        rows.from_row(_Pair, _mapping(id="a"))


def test_one_raises_the_given_error_and_first_answers_none(db: Database) -> None:
    query = sa.select(companies).where(companies.c.id == "nope")
    with pytest.raises(CompanyNotFound):
        rows.one(db, query, lambda m: rows.from_row(CompanyRow, m), CompanyNotFound("nope"))
    assert rows.first(db, query, lambda m: rows.from_row(CompanyRow, m)) is None
    assert rows.every(db, query, lambda m: rows.from_row(CompanyRow, m)) == []
