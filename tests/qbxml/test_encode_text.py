"""``encode_text``: the string door gives exactly what lxml gives, or the same refusal.

The reference is ``etree.tostring(encode_element(...), encoding="unicode")``. Valid records
must be written without ever reaching ``encode_element`` (else the comparison would be
lxml against itself); hostile values must end in the same text or the same error.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree

from connector.qbxml import encode
from connector.qbxml.encode import encode_element, encode_text
from connector.qbxml.leaves import escape_text, formatter, text_formatter
from connector.qbxml.schema import Leaf, LeafType, Schema
from tests.qbxml.test_roundtrip_strategies import record

S16 = Schema.for_version("16.0")
RETS = ["CustomerRet", "InvoiceRet", "ItemInventoryRet", "BillRet", "JournalEntryRet"]
PST = timezone(timedelta(hours=-8))


def reference(schema: Schema, name: str, value: object) -> tuple[str, object]:
    """What the lxml path gives: ("text", xml) or ("error", (type, message))."""
    try:
        return "text", etree.tostring(encode_element(schema, name, value), encoding="unicode")
    except Exception as exc:
        return "error", (type(exc), str(exc))


def written(schema: Schema, name: str, value: object) -> tuple[str, object]:
    try:
        return "text", encode_text(schema, name, value)
    except Exception as exc:
        return "error", (type(exc), str(exc))


def _refuse(*args: object, **kwargs: object) -> etree._Element:
    raise AssertionError("encode_text fell back to encode_element")


@pytest.fixture
def no_lxml(monkeypatch: pytest.MonkeyPatch) -> None:
    """``encode_text`` may not fall back to ``encode_element`` in this test."""
    monkeypatch.setattr(encode, "encode_element", _refuse)


@pytest.mark.parametrize("ret", RETS)
@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_valid_records_match_lxml_without_it(ret: str, data: st.DataObject) -> None:
    value = data.draw(record(S16.content(ret)))
    expected = reference(S16, ret, value)
    assert expected[0] == "text"
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(encode, "encode_element", _refuse)
        assert encode_text(S16, ret, value) == expected[1]


# Values that each leaf formatter must treat exactly as the reference does.
HOSTILE: list[object] = [
    None,
    [],
    (),
    "",
    "a & b < c > d",
    "line\r\nbreak\tand tab",
    "]]> \"quoted\" 'single'",
    "bell\x07",
    "Euro €",
    "Ça coûte ½ \x85\x9f\xff",
    "x" * 5000,
    "{00000000-0000-0000-0000-000000000000}",
    "PT1H30M0S",
    "-PT2H",
    True,
    False,
    0,
    -3,
    10**15,
    2.5,
    Decimal("12.34"),
    Decimal("-0.00"),
    Decimal("5"),
    Decimal("1234.5"),
    Decimal("1.500"),
    Decimal("0.00001"),
    Decimal("1E+2"),
    Decimal("1.23E-7"),
    Decimal("12345678901234.00"),
    Decimal("NaN"),
    Decimal("-Infinity"),
    date(2024, 2, 29),
    date(1, 1, 1),
    datetime(2024, 3, 5, 10, 11, 12),
    datetime(2024, 3, 5, 10, 11, 12, tzinfo=PST),
    datetime(2024, 3, 5, 10, 11, 12, tzinfo=timezone(timedelta(hours=5, minutes=30))),
    datetime(2024, 3, 5, 10, 11, 12, tzinfo=timezone(timedelta(seconds=30))),
    datetime(2024, 3, 5, 10, 11, 12, 5, tzinfo=PST),
    datetime(99, 3, 5, 1, 2, 3, tzinfo=UTC),
    timedelta(hours=1, minutes=30),
    {"ListID": "80000001-1"},
    ["a", "b"],
    object(),
]


@pytest.mark.parametrize("ret", ["CustomerRet", "InvoiceRet"])
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_hostile_values_end_like_lxml(ret: str, data: st.DataObject) -> None:
    """A valid record with some values replaced (at any depth), keys added or dropped."""
    value = data.draw(record(S16.content(ret)))
    for _ in range(data.draw(st.integers(1, 3))):
        _perturb(data, value)
    assert written(S16, ret, value) == reference(S16, ret, value)


def _perturb(data: st.DataObject, value: dict[str, object]) -> None:
    target = value
    while True:  # walk down into a nested aggregate now and then
        nested = [v for v in target.values() if isinstance(v, dict)]
        if not nested or data.draw(st.booleans()):
            break
        target = data.draw(st.sampled_from(nested))
    action = data.draw(st.sampled_from(["replace", "add", "drop"]))
    if action == "add" or not target:
        key = data.draw(
            st.sampled_from(["Name", "Memo", "Notes", "NoSuchChild", "ListID", "TxnLineID"])
        )
        target[key] = data.draw(st.sampled_from(HOSTILE))
    elif action == "replace":
        key = data.draw(st.sampled_from(sorted(target)))
        target[key] = data.draw(st.sampled_from(HOSTILE))
    else:
        del target[data.draw(st.sampled_from(sorted(target)))]


BASES: dict[str, dict[str, object]] = {
    "CustomerAdd": {
        "Name": "Acme",
        "IsActive": True,
        "BillAddress": {"Addr1": "1 Main St", "City": "Springfield"},
        "Phone": "555-0100",
        "OpenBalance": Decimal("10.00"),
        "OpenBalanceDate": date(2024, 1, 2),
        "Notes": "n",
    },
    "InvoiceAdd": {
        "CustomerRef": {"FullName": "C"},
        "TxnDate": date(2024, 3, 5),
        "RefNumber": "INV-1",
        "IsPending": False,
        "InvoiceLineAdd": [
            {"ItemRef": {"FullName": "I"}, "Quantity": Decimal("2"), "Rate": Decimal("1.50")},
            {"ItemRef": {"ListID": "80000001-1"}, "Desc": "d", "Amount": Decimal("3.00")},
        ],
    },
    "InvoiceRet": {
        "TxnID": "1-1",
        "TimeCreated": datetime(2024, 3, 5, 10, 11, 12, tzinfo=PST),
        "TimeModified": datetime(2024, 3, 5, 10, 11, 12, tzinfo=PST),
        "EditSequence": "1",
        "TxnNumber": 7,
        "CustomerRef": {"ListID": "80000001-1", "FullName": "C"},
        "Subtotal": Decimal("3.00"),
        "IsPaid": False,
        "InvoiceLineRet": [{"TxnLineID": "2-1", "Quantity": Decimal("2"), "Desc": "d"}],
    },
}


def _paths(value: object, path: tuple[object, ...] = ()) -> list[tuple[object, ...]]:
    """Every key path of ``value`` (into dicts and list items)."""
    found: list[tuple[object, ...]] = []
    items = value.items() if isinstance(value, dict) else enumerate(value)
    for key, child in items:
        found.append((*path, key))
        if isinstance(child, dict | list):
            found.extend(_paths(child, (*path, key)))
    return found


def _replaced(base: dict[str, object], path: tuple[object, ...], new: object) -> object:
    value = copy.deepcopy(base)
    target: Any = value
    for key in path[:-1]:
        target = target[key]
    if new is _DELETE:
        del target[path[-1]]
    else:
        target[path[-1]] = new
    return value


_DELETE = object()


@pytest.mark.parametrize("name", sorted(BASES))
def test_every_position_with_every_hostile_value_ends_like_lxml(name: str) -> None:
    """Each path of a valid value replaced by each hostile value (or deleted), and an
    unknown child added to each aggregate: the same text or the same error as lxml."""
    base = BASES[name]
    assert written(S16, name, base) == reference(S16, name, base)
    cases = [(p, new) for p in _paths(base) for new in [*HOSTILE, _DELETE]]
    cases += [((*p, "NoSuchChild"), "x") for p in [(), *_paths(base)]]
    differ = []
    for path, new in cases:
        try:
            value = _replaced(base, path, new)
        except (TypeError, IndexError, KeyError):
            continue  # a path through a value that is not an aggregate
        if written(S16, name, value) != reference(S16, name, value):
            differ.append((path, new))
    assert differ == []


LATIN1_AND_MORE = st.text(
    st.characters(max_codepoint=0x2FF) | st.sampled_from("&<>\"'\r\n\t€\ufffe"), max_size=40
)


@given(text=LATIN1_AND_MORE)
def test_text_leaves_match_lxml(text: str) -> None:
    value = {"Name": "Acme", "Notes": text}
    assert written(S16, "CustomerAdd", value) == reference(S16, "CustomerAdd", value)


@given(
    value=st.decimals(allow_nan=True, allow_infinity=True)
    | st.integers(-(10**14), 10**14).flatmap(
        lambda n: st.integers(-8, 3).map(lambda e: Decimal(n).scaleb(e))
    )
)
@pytest.mark.parametrize("kind", [LeafType.AMT, LeafType.PRICE, LeafType.QUAN])
def test_decimal_leaves_match_the_formatter(kind: LeafType, value: Decimal) -> None:
    _same_as_formatter(Leaf(kind), value)


@given(
    value=st.datetimes(
        timezones=st.none()
        | st.builds(
            timezone, st.integers(-23 * 3600, 23 * 3600).map(lambda s: timedelta(seconds=s))
        )
    )
    | st.dates()
)
def test_datetime_leaves_match_the_formatter(value: date) -> None:
    _same_as_formatter(Leaf(LeafType.DATETIME), value)
    _same_as_formatter(Leaf(LeafType.DATE), value)


def _same_as_formatter(leaf: Leaf, value: object) -> None:
    assert _outcome(lambda: text_formatter(leaf)(value)) == _outcome(
        lambda: escape_text(formatter(leaf)(leaf, value))
    )


def _outcome(call: Callable[[], str]) -> tuple[str, object]:
    try:
        return "text", call()
    except Exception as exc:
        return "error", (type(exc), str(exc))


def test_a_child_in_its_parents_context(no_lxml: None) -> None:
    assert encode_text(S16, "Name", "A&B", parent="CustomerAdd") == "<Name>A&amp;B</Name>"
    rs = S16.content("InvoiceQueryRs")
    assert encode_text(S16, "InvoiceRet", {}, parent=rs) == "<InvoiceRet/>"


def test_absent_children_after_a_full_record_of_the_same_keys(no_lxml: None) -> None:
    """Rows found by the keys alone are for all-present values: an absent one is redone."""
    full = {"Name": "A", "Notes": "n", "Phone": "1"}
    assert encode_text(S16, "CustomerAdd", full) == (
        "<CustomerAdd><Name>A</Name><Phone>1</Phone><Notes>n</Notes></CustomerAdd>"
    )
    sparse = {"Name": "A", "Notes": None, "Phone": []}
    assert encode_text(S16, "CustomerAdd", sparse) == "<CustomerAdd><Name>A</Name></CustomerAdd>"


def test_refusals_carry_the_element_path() -> None:
    line = {"ItemRef": {"FullName": "bad\x01"}}
    with pytest.raises(Exception) as err:
        encode_text(S16, "InvoiceAdd", {"CustomerRef": {"FullName": "C"}, "InvoiceLineAdd": line})
    assert "InvoiceAdd/InvoiceLineAdd/ItemRef/FullName" in str(err.value)
