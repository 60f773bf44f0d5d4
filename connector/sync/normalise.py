"""The normalised form of a record served by the REST API.

Owns: one pure mapping from a parsed qbXML record (``connector.qbxml.values``) to plain JSON:
keys in lowerCamelCase of QuickBooks' names (``ListID`` -> ``listId``, ``CustomerRef`` ->
``customerRef``), amounts as decimal strings (never floats: no rounding), dates and
date-times in ISO 8601 with QuickBooks' offset kept, plus ``id``, ``type`` and ``modifiedAt``
on top. Must not: do I/O or drop fields.
"""

from __future__ import annotations

import re
from collections.abc import Callable
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


class _Camels(dict[str, str]):
    """``camel`` memoised in a plain dict: a subscript is the cheapest lookup per key."""

    def __missing__(self, name: str) -> str:
        value = self[name] = camel(name)
        return value


_CAMELS = _Camels()
_PLAIN = frozenset((str, bool, int))  # most leaves: returned as they are
_TEXT: dict[type, Callable[[Any], str]] = {
    Decimal: str,
    datetime: datetime.isoformat,
    date: date.isoformat,
}


def _json(value: Value) -> Any:
    kind = type(value)
    if kind in _PLAIN:
        return value
    if kind is dict:
        return _object(value)  # type: ignore[arg-type]
    if kind is list:
        return [_json(v) for v in value]  # type: ignore[union-attr]
    text = _TEXT.get(kind)
    return text(value) if text is not None else _other(value)


def _object(data: dict[str, Value]) -> dict[str, Any]:
    """One aggregate, leaves handled inline (this runs for every element of every record)."""
    camels = _CAMELS
    plain = _PLAIN
    out: dict[str, Any] = {}
    for key, value in data.items():
        out[camels[key]] = value if type(value) in plain else _json(value)
    return out


def _other(value: Value) -> Any:
    """Anything but an exact str/bool/int/dict/list (subclasses included): by isinstance."""
    if isinstance(value, str | bool | int):
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
    body.update(_object(data))
    return body
