"""The REST API's one cursor codec: opaque keyset positions in ``nextCursor``/``cursor``.

Owns: how a position becomes a cursor and back (URL-safe base64 of a small JSON object,
padding stripped) and what a decoded cursor must hold to be one this API issued. Two kinds:
a key cursor (creation time with its zone, then id: companies, connections, sync runs) and a
record cursor (a data type and the store's row id it continues after).
Must not: read the store or know the routes; a cursor it did not issue is ``BadRequest``.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Annotated, Any, TypeVar

from fastapi import Query

from connector.api.errors import BadRequest
from connector.store.companies import CompanyKey

__all__ = [
    "Cursor",
    "cut_page",
    "decode_key_cursor",
    "decode_record_cursor",
    "encode_key_cursor",
    "encode_record_cursor",
]

Cursor = Annotated[str | None, Query(description="`nextCursor` of the previous page")]

T = TypeVar("T")

_MAX_ROW_ID = 2**63
"""Row ids are 64-bit signed integers (issue 18 item 6: 2**63 overflowed the driver)."""


def _pack(data: dict[str, Any]) -> str:
    raw = json.dumps(data, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _unpack(cursor: str) -> dict[str, Any]:
    """The cursor's JSON object; ``ValueError`` when it is not base64 of one."""
    try:
        data = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    except (binascii.Error, UnicodeDecodeError) as exc:
        raise ValueError("not base64 of JSON") from exc
    if not isinstance(data, dict):
        raise ValueError("not a JSON object")
    return data


def cut_page(
    rows: Sequence[T], size: int, cursor_of: Callable[[T], str]
) -> tuple[Sequence[T], str | None]:
    """The page (the first ``size`` of ``rows``, fetched ``size + 1`` to learn whether more
    follow) and the cursor of the next page: ``cursor_of`` its last row, or ``None``."""
    page = rows[:size]
    return page, cursor_of(page[-1]) if len(rows) > size else None


def encode_key_cursor(key: CompanyKey) -> str:
    return _pack({"t": key.created_at.isoformat(), "i": key.id})


def decode_key_cursor(cursor: str) -> CompanyKey:
    try:
        data = _unpack(cursor)
        at = datetime.fromisoformat(data["t"])
        key = str(data["i"])
        if at.tzinfo is None or "\x00" in key:  # issued cursors carry a zone (issue 18 item 6)
            raise ValueError("not an issued cursor")
        return CompanyKey(at.astimezone(UTC), key)
    except (ValueError, KeyError, TypeError, OverflowError):
        raise BadRequest("the cursor is not one this API issued", {"cursor": cursor}) from None


def encode_record_cursor(data_type: str, after_id: int) -> str:
    return _pack({"t": data_type, "i": after_id})


def decode_record_cursor(data_type: str, cursor: str) -> int:
    """The row id the cursor continues after; BadRequest for another type's or a forged one."""
    try:
        data = _unpack(cursor)
        if data["t"] == data_type and type(data["i"]) is int and 0 <= data["i"] < _MAX_ROW_ID:
            return int(data["i"])
    except (ValueError, KeyError, TypeError):
        pass
    raise BadRequest(f"the cursor is not one this API issued for {data_type}", {"cursor": cursor})
