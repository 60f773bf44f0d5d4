"""Leaf converters of the response parser: the XSD lexical forms in, values.py types out."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from decimal import InvalidOperation

import pytest

from connector.qbxml.parse_values import to_bool, to_date, to_datetime, to_decimal, to_int


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "2009-01-23T03:00:02-05:00",
            datetime(2009, 1, 23, 3, 0, 2, tzinfo=timezone(timedelta(hours=-5))),
        ),
        (
            "2014-03-09T02:30:00+05:30",
            datetime(2014, 3, 9, 2, 30, tzinfo=timezone(timedelta(hours=5, minutes=30))),
        ),
        ("2009-01-23T03:00:02Z", datetime(2009, 1, 23, 3, 0, 2, tzinfo=UTC)),
        ("2009-01-23T03:00:02", datetime(2009, 1, 23, 3, 0, 2)),
        ("2009-01-23", date(2009, 1, 23)),
        # DATETIMETYPE's own pattern (qbxmltypes*.xsd): one-digit fields, time cut short.
        ("2009-1-5T3:0:2", datetime(2009, 1, 5, 3, 0, 2)),
        ("2009-01-23T03:00", datetime(2009, 1, 23, 3, 0)),
        (
            "2009-01-23T03:00:02-5:00",
            datetime(2009, 1, 23, 3, 0, 2, tzinfo=timezone(timedelta(hours=-5))),
        ),
    ],
)
def test_datetimes(text: str, expected: date) -> None:
    value = to_datetime(text)
    assert value == expected and type(value) is type(expected)
    if isinstance(value, datetime) and isinstance(expected, datetime):
        assert value.utcoffset() == expected.utcoffset()


@pytest.mark.parametrize(
    "text",
    [
        "",
        "2009-01-23 03:00:02",
        "2009-01-23T03:00:02-0500",
        "20090123T030002",
        "2009-13-01T00:00:00",
        "2009-01-23T03:00:02x05:00",
        "２００９-01-23T03:00:02",
        "2009-W01-1",
        "2009-01-23T25:00:00",
        "2009-01-23T03:00:02.5",
        "2009-01-23T03:00:02+99:00",
    ],
)
def test_bad_datetimes(text: str) -> None:
    with pytest.raises(ValueError):
        to_datetime(text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [("1.50", "1.50"), ("-0.01", "-0.01"), ("+2", "2"), (".5", "0.5"), ("5.", "5")],
)
def test_decimals_keep_their_scale(text: str, expected: str) -> None:
    assert str(to_decimal(text)) == expected


@pytest.mark.parametrize("text", ["", ".", "1e5", "1_000", "NaN", "Infinity", "١٢", "1,5", "abc"])
def test_bad_decimals(text: str) -> None:
    with pytest.raises((ValueError, InvalidOperation)):
        to_decimal(text)


def test_ints_bools_dates() -> None:
    assert to_int("42") == 42 and to_int("-7") == -7 and to_int("+3") == 3
    for bad in ("", "1.0", "1_0", "٣", "x"):
        with pytest.raises(ValueError):
            to_int(bad)
    assert to_bool("true") is True and to_bool("False") is False
    assert to_bool("1") is True and to_bool("0") is False
    with pytest.raises(ValueError):
        to_bool("yes")
    assert to_date("2024-02-29") == date(2024, 2, 29)
    for bad in ("2023-02-29", "2024-2-9", "20240229"):
        with pytest.raises(ValueError):
            to_date(bad)
