"""Leaf values to qbXML text: the formats QuickBooks expects, and the text checks.
About 310 lines: one formatter and check per qbXML leaf type, a table best read whole.

Owns: turning one typed value (values.py shapes) into the text of a leaf element of a given
``Leaf`` type, refusing what QuickBooks would reject or silently mangle. Must not: know about
element order or documents (see ``encode``).

Formats: AMTTYPE exactly two decimals (``1234.50``); PRICE/QUAN/PERCENTTYPE fixed-point
with the value's own scale, never rounded (more than 5 decimals is refused); BOOLTYPE
``true``/``false``; DATETYPE ``YYYY-MM-DD``; DATETIMETYPE ``YYYY-MM-DDTHH:MM:SS`` plus the
value's own UTC offset (``-08:00``) when it has one: the offset is kept as given, never
converted (QuickBooks' DST quirk, PROTOCOL.md 1.10); TIMEINTERVALTYPE ``PT1H30M0S``.
Text must be ISO-8859-1 (PROTOCOL.md 1.10: QuickBooks turns anything else into ``?`` or
fails to parse) and within the schema's maxLength (counted in characters).

``text_formatter(leaf)`` gives the same text already escaped as element content, exactly as
lxml writes it (``&amp; &lt; &gt;``, CR as ``&#13;``), for ``encode.encode_text``.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable
from datetime import date, datetime, timedelta
from decimal import Decimal
from functools import cache, partial

from connector.qbxml.errors import BadValueError, QbxmlBuildError, TextError
from connector.qbxml.schema import Leaf, LeafType

__all__ = [
    "check_text",
    "format_datetime",
    "format_leaf",
    "formatter",
    "text_formatter",
]

_TEXT_TYPES = frozenset(
    {LeafType.STR, LeafType.ID, LeafType.ENUM, LeafType.GUID, LeafType.UUID, LeafType.MACRO}
)
# Characters XML 1.0 cannot carry at all (C0 controls other than tab, LF, CR).
_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_GUID = re.compile(r"0|\{[0-9a-fA-F]{8}(-[0-9a-fA-F]{4}){3}-[0-9a-fA-F]{12}\}")
_INTERVAL = re.compile(r"[+\-]?PT([0-9]+H)?([0-9]+M)?([0-9]+S)?")
# Integer digits allowed by the XSD patterns (qbxmltypes*.xsd).
_INT_DIGITS = {LeafType.AMT: 13, LeafType.PRICE: 10, LeafType.QUAN: 10, LeafType.PERCENT: 10}
_MAX_DECIMALS = 5


def format_leaf(leaf: Leaf, value: object, *, path: str = "", version: str = "") -> str:
    """The qbXML text of ``value`` for ``leaf``; ``BadValueError``/``TextError`` otherwise."""
    try:
        return _FORMATTERS[leaf.type._value_](leaf, value)
    except QbxmlBuildError as exc:  # re-raised with the element path and version
        raise type(exc)(exc.message, path=path, version=version) from None


def check_text(
    value: str, *, max_length: int | None = None, path: str = "", version: str = ""
) -> str:
    """``value`` if QuickBooks can store it: ISO-8859-1, XML-legal, within ``max_length``."""
    # The usual text (printable ASCII: no control characters) within its length needs no more.
    short = max_length is None or len(value) <= max_length
    if short and value.isascii() and value.isprintable():
        return value
    try:
        value.encode("latin-1")
    except UnicodeEncodeError as exc:
        bad = value[exc.start]
        raise TextError(
            f"character {bad!r} (U+{ord(bad):04X}) at position {exc.start} is outside "
            "ISO-8859-1, which QuickBooks cannot store (PROTOCOL.md 1.10)",
            path=path,
            version=version,
        ) from None
    illegal = _XML_ILLEGAL.search(value)
    if illegal:
        raise TextError(
            f"control character U+{ord(illegal.group()):04X} at position {illegal.start()} "
            "cannot be sent in XML",
            path=path,
            version=version,
        )
    if max_length is not None and len(value) > max_length:
        raise TextError(
            f"text is {len(value)} characters long; the schema allows at most {max_length}",
            path=path,
            version=version,
        )
    return value


def _text(leaf: Leaf, value: object) -> str:
    if not isinstance(value, str):
        raise BadValueError(f"expected str for {leaf.type.value}, got {type(value).__name__}")
    if leaf.enum is not None and value not in leaf.enum:
        raise BadValueError(f"{value!r} is not one of {', '.join(leaf.enum)}")
    if leaf.type is LeafType.GUID and not _GUID.fullmatch(value):
        raise BadValueError(f"{value!r} is not a GUID like {{8-4-4-4-12 hex digits}} or 0")
    return check_text(value, max_length=leaf.max_length)


def _decimal(kind: LeafType, value: object) -> str:
    if type(value) is not Decimal:
        if isinstance(value, bool) or not isinstance(value, int | Decimal):
            raise BadValueError(f"expected Decimal for {kind.value}, got {type(value).__name__}")
        value = Decimal(value)
    assert isinstance(value, Decimal)
    if not value.is_finite():
        raise BadValueError(f"{value} is not a finite number")
    places = 2 if kind is LeafType.AMT else _MAX_DECIMALS
    whole, _, frac = f"{value:f}".partition(".")
    if len(frac) > places:
        frac = frac.rstrip("0")  # trailing zeros are not precision: drop them, never round
        if len(frac) > places:
            raise BadValueError(
                f"{value} has more than {places} decimal places (no silent rounding)"
            )
    if len(whole.lstrip("+-")) > _INT_DIGITS[kind]:
        raise BadValueError(f"{value} has more than {_INT_DIGITS[kind]} integer digits")
    if kind is LeafType.AMT:  # AMTTYPE always shows two decimals: 1234.50
        return f"{whole}.{frac.ljust(2, '0')}"
    return f"{whole}.{frac}" if frac else whole


def _bool(value: object) -> str:
    if not isinstance(value, bool):
        raise BadValueError(f"expected bool, got {type(value).__name__}")
    return "true" if value else "false"


def _int(leaf: Leaf, value: object) -> str:
    if isinstance(value, bool) or not isinstance(value, int):
        raise BadValueError(f"expected int, got {type(value).__name__}")
    if leaf.min_value is not None and value < leaf.min_value:
        raise BadValueError(f"{value} is below the minimum {leaf.min_value}")
    if leaf.max_value is not None and value > leaf.max_value:
        raise BadValueError(f"{value} is above the maximum {leaf.max_value}")
    return str(value)


def _date(value: object) -> str:
    if isinstance(value, datetime) or not isinstance(value, date):
        raise BadValueError(f"expected date, got {type(value).__name__}")
    return f"{value.year:04d}-{value.month:02d}-{value.day:02d}"


def format_datetime(value: object) -> str:
    """``YYYY-MM-DDTHH:MM:SS[+HH:MM]`` keeping the value's own offset (a plain date is allowed)."""
    if not isinstance(value, datetime):
        if isinstance(value, date):
            return _date(value)
        raise BadValueError(f"expected datetime, got {type(value).__name__}")
    if value.microsecond:
        raise BadValueError(
            f"{value.isoformat()} has fractions of a second, which qbXML cannot carry"
        )
    text = f"{_date(value.date())}T{value.hour:02d}:{value.minute:02d}:{value.second:02d}"
    offset = value.utcoffset()
    if offset is None:
        return text  # local time of the QuickBooks workstation (PROTOCOL.md 1.10)
    seconds = int(offset.total_seconds())
    if seconds % 60:
        raise BadValueError(f"UTC offset {offset} is not a whole number of minutes")
    sign = "-" if seconds < 0 else "+"
    hours, minutes = divmod(abs(seconds) // 60, 60)
    return f"{text}{sign}{hours:02d}:{minutes:02d}"


def _interval(value: object) -> str:
    if isinstance(value, str):
        if not _INTERVAL.fullmatch(value):
            raise BadValueError(f"{value!r} is not a qbXML time interval like PT1H30M0S")
        return value
    if not isinstance(value, timedelta):
        raise BadValueError(f"expected timedelta or str, got {type(value).__name__}")
    total = int(value.total_seconds())
    if value != timedelta(seconds=total):
        raise BadValueError(f"{value} has fractions of a second")
    sign = "-" if total < 0 else ""
    hours, rest = divmod(abs(total), 3600)
    return f"{sign}PT{hours}H{rest // 60}M{rest % 60}S"


def _float(value: object) -> str:
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        raise BadValueError(f"expected a number, got {type(value).__name__}")
    number = Decimal(str(value)) if isinstance(value, float) else Decimal(value)
    if not number.is_finite():  # FLOATTYPE is xsd:decimal: no NaN, no Infinity
        raise BadValueError(f"{value} is not a finite number")
    return f"{number:f}"


# Keyed by the type's wire name: str hashing is cheaper than Enum hashing on this hot path.
_FORMATTERS: dict[str, Callable[[Leaf, object], str]] = {
    **{kind.value: _text for kind in _TEXT_TYPES},
    **{kind.value: lambda leaf, value: _decimal(leaf.type, value) for kind in _INT_DIGITS},
    LeafType.BOOL.value: lambda _leaf, value: _bool(value),
    LeafType.INT.value: _int,
    LeafType.DATE.value: lambda _leaf, value: _date(value),
    LeafType.DATETIME.value: lambda _leaf, value: format_datetime(value),
    LeafType.TIMEINTERVAL.value: lambda _leaf, value: _interval(value),
    LeafType.FLOAT.value: lambda _leaf, value: _float(value),
}


def formatter(leaf: Leaf) -> Callable[[Leaf, object], str]:
    """The raw formatter of ``leaf``'s type: ``(leaf, value) -> text``, raising
    ``QbxmlBuildError`` without a path (``format_leaf`` adds it). For hot loops that build
    the element path only when a value is refused."""
    return _FORMATTERS[leaf.type._value_]


def escape_text(text: str) -> str:
    """``text`` as lxml writes element content: ``& < >`` as entities and CR as ``&#13;``
    (a raw CR would be read back as LF, XML 1.0 2.11); tab and LF stay as they are."""
    if "&" in text:
        text = text.replace("&", "&amp;")
    if "<" in text:
        text = text.replace("<", "&lt;")
    if ">" in text:
        text = text.replace(">", "&gt;")
    if "\r" in text:
        text = text.replace("\r", "&#13;")
    return text


@cache
def text_formatter(leaf: Leaf) -> Callable[[object], str]:
    """``value -> text`` of ``leaf``, escaped as element content; raises what ``formatter``
    raises (no path). Only the text types can carry markup characters: the other formats
    (numbers, dates, booleans, checked intervals) are plain ASCII and are not scanned.
    Each type's usual value takes a short path with the same result (a quick test, then
    ``str``/``isoformat``); anything else goes through the formatter itself."""
    kind = leaf.type
    if kind in _TEXT_TYPES:
        return _text_formatter(leaf)
    if kind in _INT_DIGITS:
        return _decimal_formatter(kind)
    if kind is LeafType.DATETIME:
        return _datetime_text
    if kind is LeafType.DATE:
        return _date_text
    if kind is LeafType.BOOL:
        return _bool_text
    return partial(_FORMATTERS[kind._value_], leaf)


def _text_formatter(leaf: Leaf) -> Callable[[object], str]:
    if leaf.enum is not None or leaf.type is LeafType.GUID:
        return lambda value: escape_text(_text(leaf, value))
    limit = sys.maxsize if leaf.max_length is None else leaf.max_length

    def text(value: object) -> str:
        # _text's checks for the usual str: printable ASCII (no CR) within its length
        if type(value) is str and len(value) <= limit and value.isascii() and value.isprintable():
            if "&" in value or "<" in value or ">" in value:
                return escape_text(value)
            return value
        return escape_text(_text(leaf, value))

    return text


def _decimal_formatter(kind: LeafType) -> Callable[[object], str]:
    amount = kind is LeafType.AMT
    digits = _INT_DIGITS[kind]

    def text(value: object) -> str:
        # str() of a Decimal with 0-5 decimals (2 for amounts) is _decimal's fixed-point text;
        # exponents, NaN, more places or more integer digits fail the test and go the long way
        if type(value) is Decimal:
            text = str(value)
            whole, _, frac = text.partition(".")
            bare = whole[1:] if whole[:1] == "-" else whole
            if (
                (len(frac) == 2 if amount else len(frac) <= _MAX_DECIMALS)
                and (not frac or frac.isdigit())
                and bare.isdigit()
                and len(bare) <= digits
            ):
                return text
        return _decimal(kind, value)

    return text


def _datetime_text(value: object) -> str:
    # isoformat() is format_datetime's text unless the value has fractions of a second or an
    # offset in seconds (then it is longer than 19 or 25 characters)
    if type(value) is datetime:
        text = value.isoformat()
        if len(text) == 25 or len(text) == 19:
            return text
    elif type(value) is date:
        return value.isoformat()
    return format_datetime(value)


def _date_text(value: object) -> str:
    return value.isoformat() if type(value) is date else _date(value)


def _bool_text(value: object) -> str:
    if value is True:
        return "true"
    return "false" if value is False else _bool(value)
