"""Record values for the response parser: one finished ``*Ret`` element -> ``RecordData``.

Owns: typing leaves by the schema tables (values.py shapes: ``Decimal`` for AMT/PRICE/QUAN/
PERCENT (and FLOAT), ``datetime`` keeping its UTC offset exactly as sent (QuickBooks' DST
quirk, PROTOCOL.md 1.10), ``date``, ``bool``, ``int``, ``str`` otherwise), lists for elements
the schema repeats, dicts for aggregates, and the name-based guess for elements the tables
lack. The guess never fails (text is kept as ``str`` when it does not parse):
- ``Is*``/``Has*`` with text true/false -> bool;
- ``*Date`` shaped ``YYYY-MM-DD`` -> date; ``Time*``/``*Time`` shaped like a date-time -> datetime;
- names ending in Amount, Balance, Price, Cost, Quantity, Percent, Rate, Total, OnHand,
  OnOrder -> Decimal;
- an element with child elements -> dict; a name seen twice -> list.
A leaf the schema does type whose text does not parse (``<Balance>abc</Balance>``) raises
``QbxmlResponseError``: QuickBooks does not send that. An empty typed leaf (``<DueDate/>``,
which the XSD's BOOL/DATE/DATETIME/AMT types allow) is kept as the empty string, as sent. Must not: walk documents (``parse``).

Speed matters here (it runs once per element of every record): each content model is compiled
once into a plan (child name -> how to read it) kept for the life of the process.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal, InvalidOperation

from lxml import etree

from connector.qbxml.errors import QbxmlResponseError, QbxmlSchemaError
from connector.qbxml.schema import ContentModel, Leaf, LeafType, Schema
from connector.qbxml.values import RecordData, Value

__all__ = ["CONVERTERS", "RecordReader"]

Converter = Callable[[str], Value]

_INT = re.compile(r"[+-]?[0-9]+")
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
# DATETIMETYPE's lexical space (qbxmltypes*.xsd), for the forms the fast path does not take.
_XSD_DATETIME = re.compile(
    r"([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})"
    r"(?:T([0-9]{1,2})(?::([0-9]{1,2})(?::([0-9]{1,2})(?:([+-])([0-9]{1,2}):([0-9]{1,2}))?)?)?)?"
)
_BOOLS = {"true": True, "false": False, "1": True, "0": False}


# The converters take stripped text and raise ValueError (or InvalidOperation) on anything
# that is not the XSD lexical form; the cheap checks come first because they run per leaf.


def to_decimal(text: str) -> Decimal:
    value = Decimal(text)  # also accepts forms the XSD does not (1e5, 1_000, NaN): refused below
    if not value.is_finite() or not text.isascii() or "_" in text or "e" in text or "E" in text:
        raise ValueError(text)
    return value


def to_int(text: str) -> int:
    if not (text.isascii() and text.isdigit()) and not _INT.fullmatch(text):
        raise ValueError(text)
    return int(text)


def to_bool(text: str) -> bool:
    try:
        return _BOOLS[text.lower()]
    except KeyError:
        raise ValueError(text) from None


def to_date(text: str) -> date:
    if len(text) != 10 or not _DATE.fullmatch(text):
        raise ValueError(text)
    return date.fromisoformat(text)


def to_datetime(text: str) -> date | datetime:
    """The UTC offset is kept exactly as sent; a bare date stays a date.

    The usual ``YYYY-MM-DDTHH:MM:SS[+HH:MM]`` is checked by position (this runs for every
    date-time of every record); anything else must match DATETIMETYPE's pattern in
    qbxmltypes*.xsd (one-digit fields, the time cut after the hour or minute).
    """
    size = len(text)
    if size == 10:
        return to_date(text)
    if (
        (size == 19 or (size == 20 and text[19] == "Z") or (size == 25 and text[22] == ":"))
        and text[4] == "-"
        and text[7] == "-"
        and text[10] == "T"
        and text[13] == ":"
        and text[16] == ":"
        and text.isascii()
        and (size != 25 or text[19] in ("+", "-"))
    ):
        return datetime.fromisoformat(text)
    return _xsd_datetime(text)


def _xsd_datetime(text: str) -> date | datetime:
    match = _XSD_DATETIME.fullmatch(text)
    if match is None:
        raise ValueError(text)
    year, month, day, hour, minute, second, sign, off_h, off_m = match.groups()
    if hour is None:
        return date(int(year), int(month), int(day))
    tz = None
    if sign is not None:
        offset = timedelta(hours=int(off_h), minutes=int(off_m))
        tz = timezone(-offset if sign == "-" else offset)
    return datetime(
        int(year), int(month), int(day), int(hour), int(minute or 0), int(second or 0), tzinfo=tz
    )


CONVERTERS: dict[LeafType, Converter] = {
    LeafType.AMT: to_decimal,
    LeafType.PRICE: to_decimal,
    LeafType.QUAN: to_decimal,
    LeafType.PERCENT: to_decimal,
    LeafType.FLOAT: to_decimal,
    LeafType.INT: to_int,
    LeafType.BOOL: to_bool,
    LeafType.DATE: to_date,
    LeafType.DATETIME: to_datetime,
}

_DECIMAL_SUFFIXES = (
    "Amount", "Balance", "Price", "Cost", "Quantity", "Percent", "Rate", "Total", "OnHand", "OnOrder",
)  # fmt: skip

# How to read one child: (converter or None for text, repeated, sub-model or None, type name).
_Entry = tuple[Converter | None, bool, ContentModel | None, str]
_Plan = dict[str, _Entry]
_PLANS: dict[ContentModel, _Plan] = {}
_NO_PLAN: _Plan = {}  # guesses only: never filled


def _plan(model: ContentModel) -> _Plan:
    plan = _PLANS.get(model)
    if plan is None:
        plan = {}
        for spec in model.children:
            content = spec.content
            if isinstance(content, Leaf):
                plan[spec.name] = (
                    CONVERTERS.get(content.type),
                    spec.repeated,
                    None,
                    content.type.value,
                )
            else:
                text = content.text  # simple content with attributes (TxnID useMacro=...)
                convert = CONVERTERS.get(text.type) if text is not None else None
                name = text.type.value if text is not None else ""
                plan[spec.name] = (convert, spec.repeated, content, name)
        _PLANS[model] = plan
    return plan


class RecordReader:
    """Reads a finished record element into ``RecordData`` with one version's schema
    (``None``: guesses only, for QuickBooks POS). One pass over the record's subtree when the
    record ends: cheaper than handling every start/end event inside it in Python."""

    def __init__(self, schema: Schema | None) -> None:
        self.schema = schema

    def model(self, name: str) -> ContentModel | None:
        """The content model of aggregate ``name`` (top-level first, then local), if known."""
        if self.schema is None:
            return None
        try:
            return self.schema.content(name)
        except QbxmlSchemaError:
            return None

    def read(self, elem: etree._Element, model: ContentModel | None) -> RecordData:
        return self._read(elem, _plan(model) if model is not None else None)

    def _read(self, elem: etree._Element, plan: _Plan | None) -> RecordData:
        data: RecordData = {}
        lookup = plan.get if plan is not None else _NO_PLAN.get
        for child in elem:
            tag = child.tag
            if not isinstance(tag, str):
                continue  # a processing instruction inside a record
            name = tag if tag[0] != "{" else tag.rpartition("}")[2]
            entry = lookup(name)
            value: Value
            if len(child):
                sub = entry[2] if entry is not None else None
                if sub is not None:
                    value = self._read(child, _PLANS.get(sub) or _plan(sub))
                else:
                    value = self._read(child, self._sub_plan(entry, name))
            elif entry is None:
                value = _guess(child, name)
            else:
                convert = entry[0]
                text = child.text
                if convert is None:
                    if entry[2] is not None and not entry[3] and not (text or "").strip():
                        value = {}  # an empty aggregate
                    else:
                        value = text or ""
                elif text:
                    try:
                        value = convert(text.strip())
                    except (ValueError, InvalidOperation):
                        if text.strip():
                            raise _bad_leaf(child, name, entry[3]) from None
                        value = text  # blank: the XSD allows an empty typed leaf
                else:
                    value = ""  # empty: the XSD allows an empty typed leaf (kept as sent)
            if name not in data:
                data[name] = [value] if entry is not None and entry[1] else value
            else:
                current = data[name]
                if isinstance(current, list):  # values are never lists, only repetitions are
                    current.append(value)
                else:
                    data[name] = [current, value]  # a single element seen twice: keep both
        return data

    def _sub_plan(self, entry: _Entry | None, name: str) -> _Plan | None:
        if entry is not None:
            return _plan(entry[2]) if entry[2] is not None else None
        model = self.model(name)  # an element the tables lack: try its name
        return _plan(model) if model is not None else None


def _guess(elem: etree._Element, name: str) -> Value:
    """A leaf the schema tables lack (rules in the module docstring)."""
    text = elem.text or ""
    stripped = text.strip()
    if name.startswith(("Is", "Has")) and stripped.lower() in ("true", "false"):
        return stripped.lower() == "true"
    if name.endswith("Date"):
        convert: Converter = to_date
    elif name.startswith("Time") or name.endswith("Time"):
        convert = to_datetime
    elif name.endswith(_DECIMAL_SUFFIXES):
        convert = to_decimal
    else:
        return text
    try:
        return convert(stripped)
    except (ValueError, InvalidOperation):
        return text


def _bad_leaf(elem: etree._Element, name: str, type_name: str) -> QbxmlResponseError:
    line: object = elem.sourceline
    return QbxmlResponseError(
        f"{name}: {elem.text!r} is not a valid {type_name}",
        line=line if isinstance(line, int) else None,
    )
