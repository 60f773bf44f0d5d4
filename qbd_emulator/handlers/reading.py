"""Read request elements into values, and type values by a ``*Ret`` content model.

Owns: two pure conversions. ``raw_values`` turns a validated request element into a dict
with text leaves (lists for the elements the schema repeats), which filters and handlers
read. ``typed_record`` turns such a dict (an ``*Add``'s fields, say) into a record in the
shape of ``connector.qbxml.values`` for a given ``*Ret``: only the children that ``*Ret``
has, in its schema order, leaves typed (Decimal, date, datetime with offset, bool, int).
Must not: look at the company file.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from lxml import etree

from connector.qbxml.schema import ContentModel, Leaf, LeafType, Schema
from connector.qbxml.values import RecordData, Value

from ..errors import InvalidFieldError, StatusError

_TEXTS = {LeafType.STR, LeafType.ID, LeafType.ENUM, LeafType.GUID, LeafType.UUID}
_DECIMALS = {LeafType.AMT, LeafType.PRICE, LeafType.QUAN, LeafType.PERCENT, LeafType.FLOAT}


def raw_values(model: ContentModel, element: etree._Element) -> RecordData:
    """A validated element's children as a dict of text / nested dicts / lists."""
    out: RecordData = {}
    for child in element:
        if not isinstance(child.tag, str):
            continue
        name = str(child.tag)
        spec = model.child(name)
        value: Value
        if spec is not None and isinstance(spec.content, ContentModel) and len(child):
            value = raw_values(spec.content, child)
        else:
            value = (child.text or "").strip()
        if spec is not None and spec.repeated:
            existing = out.setdefault(name, [])
            assert isinstance(existing, list)
            existing.append(value)
        else:
            out[name] = value
    return out


def check_lengths(model: ContentModel, raw: RecordData, path: str = "") -> None:
    """QuickBooks answers a too-long text with status 3070 (not a parse error; uncertain
    wording, modelled on its "string ... is too long" message)."""
    for name, value in raw.items():
        spec = model.child(name)
        if spec is None:
            continue
        for item in value if isinstance(value, list) else [value]:
            if isinstance(item, dict) and isinstance(spec.content, ContentModel):
                check_lengths(spec.content, item, f"{path}{name}/")
            elif isinstance(item, str) and isinstance(spec.content, Leaf):
                limit = spec.content.max_length
                if limit is not None and len(item) > limit:
                    raise StatusError(
                        3070,
                        f'The string "{item}" in the field "{path}{name}" is too long '
                        f"(at most {limit} characters).",
                    )


def typed_record(schema: Schema, ret: str | ContentModel, raw: RecordData) -> RecordData:
    """``raw`` restricted to the children of ``ret``, typed and in schema order."""
    model = schema.content(ret)
    out: RecordData = {}
    for spec in model.children:
        if spec.name not in raw:
            continue
        value = raw[spec.name]
        items = value if isinstance(value, list) else [value]
        if isinstance(spec.content, Leaf) and spec.content.type not in _TEXTS:
            items = [i for i in items if i != ""]  # an empty typed value stands for "none"
            if not items:
                continue
        converted = [_convert(schema, spec.content, item, spec.name) for item in items]
        out[spec.name] = converted if spec.repeated else converted[0]
    return out


def _convert(schema: Schema, content: Leaf | ContentModel, value: Value, name: str) -> Value:
    if isinstance(content, ContentModel):
        if isinstance(value, dict):
            return typed_record(schema, content, value)
        raise InvalidFieldError(f'The element "{name}" must be an aggregate.')
    if not isinstance(value, str):
        return value
    return typed_leaf(content.type, value, name)


def typed_leaf(kind: LeafType, text: str, name: str) -> Value:
    """One leaf's text as the Python value ``values.py`` prescribes."""
    try:
        if kind in _DECIMALS:
            return Decimal(text)
        if kind is LeafType.BOOL:
            return text in ("true", "1")
        if kind is LeafType.INT:
            return int(text)
        if kind is LeafType.DATE:
            return date.fromisoformat(text)
        if kind is LeafType.DATETIME:
            return datetime.fromisoformat(text)
    except (InvalidOperation, ValueError):
        raise InvalidFieldError(f'The value "{text}" of "{name}" is not valid.') from None
    return text
