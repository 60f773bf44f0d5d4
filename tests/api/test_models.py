"""``from_row``: a response model's camelCase fields read from a row's snake_case attributes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from pydantic import BaseModel

from connector.api.models import from_row, snake_name


class _Out(BaseModel):
    id: str
    connectionId: str
    recordsDeletedAt: datetime | None
    dataTypes: list[str]
    used: bool


@dataclass
class _Row:
    id: str
    connection_id: str
    records_deleted_at: datetime | None
    data_types: tuple[str, ...]
    other: int = 0


def test_snake_names() -> None:
    assert [snake_name(n) for n in ("id", "createdAt", "recordsDeletedAt", "appName")] == [
        "id",
        "created_at",
        "records_deleted_at",
        "app_name",
    ]


def test_fields_from_the_row_and_the_rest_given() -> None:
    at = datetime(2026, 1, 2, tzinfo=UTC)
    out = from_row(_Out, _Row("l1", "c1", at, ("invoices", "customers")), used=True)
    assert out.model_dump() == {
        "id": "l1",
        "connectionId": "c1",
        "recordsDeletedAt": at,
        "dataTypes": ["invoices", "customers"],
        "used": True,
    }
