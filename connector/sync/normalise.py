"""The normalised form of a record served by the REST API.

Owns: one pure mapping from a parsed qbXML record (``connector.qbxml.values``) to plain JSON:
keys in lowerCamelCase of QuickBooks' names (``ListID`` -> ``listId``, ``CustomerRef`` ->
``customerRef``), amounts as decimal strings (never floats: no rounding), dates and
date-times in ISO 8601 with QuickBooks' offset kept, plus ``id``, ``type`` and ``modifiedAt``
on top. Must not: do I/O or drop fields.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from decimal import Decimal
from functools import lru_cache
from typing import Any

from connector.qbxml.values import RecordData, Value

_WORD = re.compile(r"[A-Z]+(?=[A-Z][a-z]|\d|$)|[A-Z]?[a-z]+|\d+|[A-Z]+")


@lru_cache(maxsize=4096)
def camel(name: str) -> str:
    """``ListID`` -> ``listId``, ``TxnDate`` -> ``txnDate``, ``IsToBePrinted`` -> ``isToBePrinted``."""
    words: list[str] = _WORD.findall(name) or [name]
    head, *rest = words
    return head.lower() + "".join(w[:1].upper() + w[1:].lower() for w in rest)


def _json(value: Value) -> Any:
    if isinstance(value, str | bool | int):  # most leaves: cheapest test first
        return value
    if isinstance(value, dict):
        return {camel(k): _json(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_json(v) for v in value]
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def normalise(data_type: str, ret: str, qb_id: str, data: RecordData) -> dict[str, Any]:
    body: dict[str, Any] = {
        "id": qb_id,
        "dataType": data_type,
        "type": ret.removesuffix("Ret"),
    }
    modified = data.get("TimeModified")
    body["modifiedAt"] = modified.isoformat() if isinstance(modified, datetime) else None
    body.update(_json(data))
    return body
