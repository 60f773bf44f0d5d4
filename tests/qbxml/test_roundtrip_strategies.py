"""Hypothesis strategies drawing record values from the schema's content models (no tests).

Values follow each content model: one branch per ``xsd:choice``, required children always,
optional ones at random, one or two members for repeated elements, leaves typed as values.py
says (Decimal within the XSD's digit limits, offset-aware date-times, Latin-1 text within
maxLength, enumeration values). Shared by ``test_roundtrip*.py``.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from decimal import Decimal

from hypothesis import strategies as st

from connector.qbxml.schema import ChildSpec, ContentModel, Leaf, LeafType

MAX_DEPTH = 3
# Printable ISO-8859-1 without CR (XML turns CR into LF) and without edge whitespace below.
TEXT_ALPHABET = st.characters(
    codec="latin-1", exclude_categories=("Cc", "Cs", "Zl", "Zp"), exclude_characters="\r"
)
OFFSETS = st.sampled_from(
    [timedelta(hours=h) for h in (-8, -7, -5, 0, 1, 5)] + [timedelta(hours=5, minutes=30)]
)


def _text(leaf: Leaf) -> st.SearchStrategy[str]:
    if leaf.enum:
        return st.sampled_from(leaf.enum)
    if leaf.type is LeafType.GUID:
        return st.uuids().map(lambda u: "{" + str(u).upper() + "}")
    if leaf.type is LeafType.TIMEINTERVAL:
        return st.tuples(st.integers(0, 99), st.integers(0, 59), st.integers(0, 59)).map(
            lambda t: f"PT{t[0]}H{t[1]}M{t[2]}S"
        )
    size = min(leaf.max_length or 60, 60)
    return st.text(TEXT_ALPHABET, min_size=1, max_size=size).filter(lambda s: s == s.strip())


def _decimal(places: int, digits: int) -> st.SearchStrategy[Decimal]:
    limit = 10**digits - 1
    return st.integers(-limit, limit).map(lambda n: Decimal(n).scaleb(-places))


def _leaf(leaf: Leaf) -> st.SearchStrategy[object]:
    kind = leaf.type
    if kind is LeafType.AMT:
        return st.integers(0, 2).flatmap(lambda p: _decimal(p, 9))
    if kind in (LeafType.PRICE, LeafType.QUAN, LeafType.PERCENT):
        return st.integers(0, 5).flatmap(lambda p: _decimal(p, 9))
    if kind is LeafType.BOOL:
        return st.booleans()
    if kind is LeafType.INT:
        return st.integers(
            leaf.min_value if leaf.min_value is not None else -(10**6), leaf.max_value or 10**6
        )
    if kind is LeafType.DATE:
        return st.dates(date(1990, 1, 1), date(2060, 12, 31))
    if kind is LeafType.DATETIME:
        naive = st.datetimes(datetime(1990, 1, 1), datetime(2060, 12, 31)).map(
            lambda d: d.replace(microsecond=0)
        )
        return st.tuples(naive, OFFSETS).map(lambda t: t[0].replace(tzinfo=timezone(t[1])))
    if kind is LeafType.FLOAT:
        return _decimal(2, 6)
    return _text(leaf)


def _branch_choice(model: ContentModel, choice_id: int) -> list[int]:
    return sorted({b for spec in model.children for c, b in spec.choice if c == choice_id})


@st.composite
def record(draw: st.DrawFn, model: ContentModel, depth: int = 0) -> dict[str, object]:
    chosen: dict[int, int] = {}
    out: dict[str, object] = {}
    for spec in model.children:
        if not _selected(draw, model, spec, chosen):
            continue
        if spec.min == 0 and (depth >= MAX_DEPTH or not draw(st.booleans())):
            continue
        count = draw(st.integers(1, 2)) if spec.repeated else 1
        values = [draw(_content(spec, depth)) for _ in range(count)]
        out[spec.name] = values if spec.repeated else values[0]
    return out


def _selected(
    draw: st.DrawFn, model: ContentModel, spec: ChildSpec, chosen: dict[int, int]
) -> bool:
    for choice_id, branch in spec.choice:
        if choice_id not in chosen:
            chosen[choice_id] = draw(st.sampled_from(_branch_choice(model, choice_id)))
        if chosen[choice_id] != branch:
            return False
    return True


def _content(spec: ChildSpec, depth: int) -> st.SearchStrategy[object]:
    content = spec.content
    if isinstance(content, Leaf):
        return _leaf(content)
    if content.text is not None and not content.children:
        return _leaf(content.text)
    return record(content, depth + 1)
