"""Check a request element against the negotiated version's content model.

Owns: what QuickBooks' own parser refuses before it processes anything (PROTOCOL.md 1.10,
"qbXML is order-sensitive"; qbwc/qbwc#74): unknown elements or attributes, children out of
schema order, two branches of one ``xsd:choice``, a non-repeatable child repeated, a required
child missing, a value outside its enumeration, a malformed boolean or integer. Each gives a
``SchemaViolation``; the processor turns it into hresult 0x80040400 for the whole message set
(no partial answer). Walks the tables of ``connector.qbxml.schema``. Must not: look at the
company file or build responses.

Leaf values are checked against the lexical patterns of ``qbxmltypes{NN}0.xsd`` (amounts
with at most two decimals, GUIDs, dates, booleans, integers within the schema's range).
Not checked (QuickBooks answers these with a status on the ``*Rs``, not a parse error):
maxLength, and date-times that fit the pattern but name no real moment.
"""

from __future__ import annotations

import re
from datetime import date

from lxml import etree

from connector.qbxml.schema import ChildSpec, ContentModel, Leaf, LeafType, Schema


class SchemaViolation(Exception):
    """The request is not valid for the schema (message says where)."""


_DECIMAL5 = re.compile(r"^([+-]?[0-9]{1,10}(\.[0-9]{1,5})?)?$")
_PATTERNS: dict[LeafType, re.Pattern[str]] = {
    # the lexical spaces of qbxmltypes{NN}0.xsd (identical in 13.0-16.0); "" is allowed
    # where the schema's union allows it (BOOLTYPE, DATETYPE, DATETIMETYPE, amounts)
    LeafType.BOOL: re.compile(r"^(true|false|1|0|)$"),
    LeafType.INT: re.compile(r"^[+-]?\d+$"),
    LeafType.AMT: re.compile(r"^([+-]?[0-9]{1,13}(\.[0-9]{2})?)?$"),
    LeafType.PRICE: _DECIMAL5,
    LeafType.QUAN: _DECIMAL5,
    LeafType.PERCENT: _DECIMAL5,
    LeafType.FLOAT: re.compile(r"^([+-]?(\d+(\.\d*)?|\.\d+))?$"),
    LeafType.GUID: re.compile(r"^(0|\{[0-9a-fA-F]{8}(-[0-9a-fA-F]{4}){3}-[0-9a-fA-F]{12}\})$"),
    LeafType.DATE: re.compile(r"^(-?\d{4,}-\d{2}-\d{2}(Z|[+-]\d{2}:\d{2})?)?$"),
    LeafType.DATETIME: re.compile(
        r"^([0-9]{4}-[0-9]{1,2}-[0-9]{1,2}(T[0-9]{1,2}(:[0-9]{1,2}(:[0-9]{1,2}"
        r"([+-][0-9]{1,2}:[0-9]{1,2})?)?)?)?)?$"
    ),
}


def validate_request(schema: Schema, element: etree._Element) -> None:
    """Raise ``SchemaViolation`` unless ``element`` (a ``*Rq``) is valid in ``schema``."""
    name = str(element.tag)
    if not name.endswith("Rq") or not schema.has_element(name):
        raise SchemaViolation(f"<{name}> is not a request of qbXML {schema.version}")
    _check(schema.content(name), element, name)


def _check(model: ContentModel, element: etree._Element, where: str) -> None:
    _check_attributes(model, element, where)
    children = [c for c in element if isinstance(c.tag, str)]
    if model.text is not None:
        _check_leaf(model.text, (element.text or "").strip(), where)
    elif not children and (element.text or "").strip() and model.children:
        raise SchemaViolation(f"<{where}> has text where elements are expected")
    specs = _specs_in_order(model, children, where)
    _check_required(model, specs, where)
    for child, spec in zip(children, specs, strict=True):
        path = f"{where}/{spec.name}"
        if isinstance(spec.content, Leaf):
            if len(child):
                raise SchemaViolation(f"<{path}> must be a value, not an aggregate")
            _check_leaf(spec.content, (child.text or "").strip(), path)
            if child.attrib:
                raise SchemaViolation(f"<{path}> takes no attributes")
        else:
            _check(spec.content, child, path)


def _check_attributes(model: ContentModel, element: etree._Element, where: str) -> None:
    for raw_key, value in element.attrib.items():
        key = str(raw_key)
        attr = model.attribute(key)
        if attr is None:
            raise SchemaViolation(f"<{where}> has no attribute {key!r}")
        _check_leaf(attr.leaf, str(value), f"{where}@{key}")
    for attr in model.attributes:
        if attr.required and attr.name not in element.attrib:
            raise SchemaViolation(f"<{where}> needs attribute {attr.name!r}")


def _specs_in_order(
    model: ContentModel, children: list[etree._Element], where: str
) -> list[ChildSpec]:
    specs: list[ChildSpec] = []
    position = {id(s): i for i, s in enumerate(model.children)}
    for child in children:
        spec = model.child(str(child.tag))
        if spec is None:
            raise SchemaViolation(f"<{where}> has no child <{child.tag}>")
        if specs:
            _check_sequence(model, specs[-1], spec, position, where)
        specs.append(spec)
    return specs


def _check_sequence(
    model: ContentModel,
    prev: ChildSpec,
    spec: ChildSpec,
    position: dict[int, int],
    where: str,
) -> None:
    split = _diverging_choice(prev, spec)
    if split is not None:
        limit = model.choices[split].max
        if limit is None or limit > 1:
            return  # a repeated choice: its branches may come in any order
        raise SchemaViolation(
            f"<{where}>: <{prev.name}> and <{spec.name}> are alternatives of one choice"
        )
    if position[id(spec)] < position[id(prev)]:
        raise SchemaViolation(f"<{where}>: <{spec.name}> must come before <{prev.name}>")
    if spec is prev and not spec.repeated and not _in_repeated_choice(model, spec):
        raise SchemaViolation(f"<{where}>: <{spec.name}> may appear only once")


def _in_repeated_choice(model: ContentModel, spec: ChildSpec) -> bool:
    return any(model.choices[c].max != 1 for c, _ in spec.choice)


def _diverging_choice(a: ChildSpec, b: ChildSpec) -> int | None:
    """The first choice both children sit in, on different branches."""
    branches = dict(a.choice)
    for choice, branch in b.choice:
        if choice in branches and branches[choice] != branch:
            return choice
    return None


def _check_required(model: ContentModel, present: list[ChildSpec], where: str) -> None:
    chosen = {pair for spec in present for pair in spec.choice}
    names = {spec.name for spec in present}
    for spec in model.children:
        if spec.min >= 1 and spec.name not in names and all(p in chosen for p in spec.choice):
            raise SchemaViolation(f"<{where}> needs <{spec.name}>")
    for spec in model.children:
        for depth, (choice, _branch) in enumerate(spec.choice):
            outer_ok = all(p in chosen for p in spec.choice[:depth])
            taken = any(c == choice for c, _ in chosen)
            required = model.choices[choice].min >= 1
            if outer_ok and not taken and required and not _has_empty_branch(model, choice):
                raise SchemaViolation(f"<{where}> needs one of the alternatives of <{spec.name}>")


def _has_empty_branch(model: ContentModel, choice: int) -> bool:
    """Whether a branch of ``choice`` may be empty (every member optional), which satisfies
    a required choice with no element at all (e.g. an empty ``TxnDateRangeFilter``)."""
    branches: dict[int, bool] = {}
    for spec in model.children:
        path = dict(spec.choice)
        if choice in path:
            depth = [c for c, _ in spec.choice].index(choice)
            optional = spec.min == 0 or any(
                model.choices[c].min == 0 for c, _ in spec.choice[depth + 1 :]
            )
            branches[path[choice]] = branches.get(path[choice], True) and optional
    return any(branches.values())


def _check_leaf(leaf: Leaf, value: str, where: str) -> None:
    if leaf.enum is not None and value not in leaf.enum:
        raise SchemaViolation(f"<{where}>: {value!r} is not one of {', '.join(leaf.enum)}")
    pattern = _PATTERNS.get(leaf.type)
    if pattern is not None and not pattern.match(value):
        raise SchemaViolation(f"<{where}>: {value!r} is not a valid {leaf.type.value}")
    if leaf.type is LeafType.DATE and value and not _real_date(value):
        raise SchemaViolation(f"<{where}>: {value!r} is not a date")
    if leaf.type is LeafType.INT:
        number = int(value)
        if (leaf.min_value is not None and number < leaf.min_value) or (
            leaf.max_value is not None and number > leaf.max_value
        ):
            raise SchemaViolation(f"<{where}>: {value} is out of the schema's range")


def _real_date(value: str) -> bool:
    try:
        date.fromisoformat(value[:10])
    except ValueError:
        return False
    return True
