"""What a pushed record becomes for QuickBooks (issue 19, writes), purely: a record in the
API's camelCase shape checked against the qbXML schema, every field error reported at once.
The same mapping runs when the push is queued (``connector.portal.pushes``) and when a Web
Connector session sends it (``connector.sync.pushing``), so the request is the same.

Owns: which writes may be pushed (``PUSH_TYPES`` and ``operations``, all derived from the
data-type table ``connector.qbxml.datatypes``: a type's Add and Mod requests, ListDel for
lists and TxnDel/TxnVoid for transactions where the table allows them; items name their kind
in ``type``, as the data endpoints show it: ``ItemService`` -> ``ItemServiceAdd``, and a
deleted item's ``ListDelType``), the
camelCase -> qbXML element mapping (``to_qbxml``: the inverse of the data endpoints'
``camel``, driven by the schema's element names, nested and repeated aggregates included),
the request a push becomes (``request_for``) and the checks (``validate``): unknown fields,
required ones, types, lengths (maxLength from the schema) and ISO-8859-1 text, by building
the request one field at a time beside stand-ins for the other required fields, so every
error is named, not only the first. References (``customerRef`` ...) are checked where
the store is at hand (``connector.portal.pushes``).
Must not: do I/O.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from lxml import etree

from connector.qbxml import build
from connector.qbxml.datatypes import BY_KEY, DATA_TYPES, WRITE_ONLY, DataType, Kind
from connector.qbxml.errors import QbxmlBuildError
from connector.qbxml.schema import DECIMAL_TYPES, ChildSpec, ContentModel, Leaf, LeafType, Schema
from connector.store.errors import InvalidValue
from connector.sync.normalise import camel

VERSION = "13.0"
"""The qbXML version records are checked against (every supported QuickBooks reads it)."""

ITEM_KINDS = {name.removesuffix("Add"): key for name, key in WRITE_ONLY.items()}
"""``type`` of a pushed item -> its data type (``ItemService`` -> ``items``)."""


def operations(dt: DataType) -> tuple[str, ...]:
    """The push operations the table allows on ``dt``."""
    ops = []
    if dt.add or dt.key in ITEM_KINDS.values():
        ops.append("add")
    if dt.mod or dt.key in ITEM_KINDS.values():
        ops.append("mod")
    if (dt.can_delete and dt.txn_del_type) or dt.key in ITEM_KINDS.values():
        ops.append("delete")
    if dt.can_void and dt.txn_del_type:
        ops.append("void")
    return tuple(ops)


PUSH_TYPES: dict[str, tuple[str, ...]] = {
    d.key: operations(d) for d in DATA_TYPES if d.kind in (Kind.LIST, Kind.TXN) and operations(d)
}
"""Every data type that may be pushed, with its operations."""


@dataclass(frozen=True)
class FieldError:
    field: str
    message: str


class PushRefused(InvalidValue):
    """The record cannot be queued; ``errors`` names every field at fault."""

    def __init__(self, data_type: str, errors: list[FieldError]) -> None:
        super().__init__(f"the {data_type} record is not valid: " + "; ".join(
            f"{e.field}: {e.message}" for e in errors
        ))  # fmt: skip
        self.errors = errors


def _names(schema: Schema, element: str | ContentModel) -> dict[str, str]:
    return {camel(child.name): child.name for child in schema.children(element)}


def _model(schema: Schema, parent: str | ContentModel, name: str) -> ContentModel | None:
    spec = schema.child(parent, name)
    return spec.content if spec is not None and isinstance(spec.content, ContentModel) else None


def to_qbxml(
    schema: Schema, element: str | ContentModel, record: Mapping[str, Any], path: str = ""
) -> tuple[dict[str, Any], list[FieldError]]:
    """``{"companyName": ...}`` -> ``{"CompanyName": ...}`` under ``element``; unknown
    camelCase names become errors (nested and repeated aggregates are mapped the same way)."""
    names = _names(schema, element)
    out: dict[str, Any] = {}
    errors: list[FieldError] = []
    for key, value in record.items():
        where = f"{path}{key}"
        name = names.get(key)
        if name is None:
            errors.append(FieldError(where, f"not a field of {_label(element)}"))
            continue
        model = _model(schema, element, name)
        if model is not None and isinstance(value, Mapping):
            out[name], inner = to_qbxml(schema, model, value, f"{where}.")
            errors += inner
        elif model is not None and isinstance(value, list):
            out[name] = []
            for i, item in enumerate(value):
                if not isinstance(item, Mapping):
                    errors.append(FieldError(f"{where}[{i}]", "must be an object"))
                    continue
                mapped, inner = to_qbxml(schema, model, item, f"{where}[{i}].")
                out[name].append(mapped)
                errors += inner
        else:
            out[name], problem = _leaf_value(schema.child(element, name), value)
            if problem:
                errors.append(FieldError(where, problem))
    return out, errors


def _leaf_value(spec: ChildSpec | None, value: Any) -> tuple[Any, str | None]:
    """The API's JSON leaf as the qbXML value: amounts come as decimal strings (never floats
    in our answers), dates and date-times as ISO 8601 text."""
    leaf = spec.leaf if spec is not None else None
    if leaf is None or not isinstance(value, str | int | float) or isinstance(value, bool):
        return value, None
    try:
        if leaf.type in DECIMAL_TYPES:
            return Decimal(str(value)), None
        if leaf.type is LeafType.DATE and isinstance(value, str):
            return date.fromisoformat(value), None
        if leaf.type is LeafType.DATETIME and isinstance(value, str):
            return datetime.fromisoformat(value), None
    except (ValueError, ArithmeticError):
        return value, f"not a valid {leaf.type.value} ({value!r})"
    return value, None


def _label(element: str | ContentModel) -> str:
    return element if isinstance(element, str) else "this aggregate"


_STAND_INS: dict[LeafType, object] = {
    LeafType.BOOL: False,
    LeafType.DATE: date(2000, 1, 1),
    LeafType.DATETIME: datetime(2000, 1, 1),
    LeafType.AMT: Decimal("0.00"),
    LeafType.PRICE: Decimal("0"),
    LeafType.QUAN: Decimal("0"),
    LeafType.PERCENT: Decimal("0"),
    LeafType.INT: 0,
    LeafType.GUID: "0",
}


def stand_in(content: Leaf | ContentModel) -> object:
    """A smallest value the schema accepts for ``content`` (its required children, outside
    any choice, filled in): what a field is checked beside when it is checked alone."""
    if isinstance(content, Leaf):
        if content.enum:
            return content.enum[0]
        if content.type is LeafType.INT and content.min_value is not None:
            return content.min_value
        return _STAND_INS.get(content.type, "x")
    plain, by_choice = required_stand_ins(content)
    return plain | {k: v for values in by_choice.values() for k, v in values.items()}


def required_stand_ins(
    model: ContentModel,
) -> tuple[dict[str, object], dict[int, dict[str, object]]]:
    """Stand-ins for ``model``'s required children: those outside any choice, and by
    required choice the first alternative's."""
    plain = {
        spec.name: stand_in(spec.content)
        for spec in model.children
        if spec.min >= 1 and not spec.choice
    }
    by_choice: dict[int, dict[str, object]] = {}
    for choice_id, choice in enumerate(model.choices):
        first = [c for c in model.children if c.choice and c.choice[0] == (choice_id, 0)]
        if choice.min < 1 or not first:
            continue
        needed = [c for c in first if c.min >= 1 and len(c.choice) == 1] or first[:1]
        by_choice[choice_id] = {c.name: stand_in(c.content) for c in needed}
    return plain, by_choice


@dataclass(frozen=True)
class Write:
    """What a push becomes: the request name (``CustomerAdd``, ``InvoiceMod``, ``TxnDel``,
    ...) and its element values (an Add/Mod record, or the ID a Del/Void names)."""

    data_type: DataType
    operation: str
    name: str
    value: dict[str, Any]

    def element(self, version: str, request_id: str) -> etree._Element:
        if self.operation in ("add", "mod"):
            return build.write(self.name, self.value, version, request_id=request_id)
        object_id = str(self.value[self.data_type.id_field])
        if "ListDelType" in self.value:  # an item: its kind is the ListDelType
            kind = str(self.value["ListDelType"])
            return build.list_delete(kind, object_id, version, request_id=request_id)
        if self.operation == "void":
            return build.void(self.data_type, object_id, version, request_id=request_id)
        return build.delete(self.data_type, object_id, version, request_id=request_id)


def _request_name(dt: DataType, operation: str, record: Mapping[str, Any]) -> str:
    if dt.key in ITEM_KINDS.values():
        kind = record.get("type")
        if kind not in ITEM_KINDS:
            raise PushRefused(dt.key, [FieldError("type", f"one of {', '.join(ITEM_KINDS)}")])
        return f"{kind}{operation.capitalize()}"
    name = dt.add if operation == "add" else dt.mod
    assert name is not None  # operations() allowed it
    return name


def _check_type(data_type: str, operation: str) -> DataType:
    allowed = PUSH_TYPES.get(data_type)
    if allowed is None:
        known = ", ".join(sorted(PUSH_TYPES))
        raise InvalidValue(f"{data_type!r} cannot be pushed (pushable: {known})")
    if operation not in allowed:
        raise InvalidValue(
            f"{data_type} cannot be pushed as {operation!r} (allowed: {', '.join(allowed)})"
        )
    return BY_KEY[data_type]


def validate(data_type: str, record: Mapping[str, Any], operation: str = "add") -> Write:
    """The write a record becomes, or ``PushRefused`` with every field error."""
    dt = _check_type(data_type, operation)
    if operation in ("delete", "void"):
        return _validate_removal(dt, operation, record)
    name = _request_name(dt, operation, record)
    fields = {k: v for k, v in record.items() if not (k == "type" and dt.key == "items")}
    schema = Schema.for_version(VERSION)
    qbxml, errors = to_qbxml(schema, name, fields)
    required = [c for c in schema.children(name) if c.min >= 1 and not c.choice]
    errors += [FieldError(camel(c.name), "required") for c in required if c.name not in qbxml]
    if not errors and _builds(name, qbxml):  # the usual case: one build, no field by field
        return Write(dt, operation, name, qbxml)
    bad = {e.field.split(".")[0].split("[")[0] for e in errors}
    checked = {k: v for k, v in qbxml.items() if camel(k) not in bad}
    errors += _leaf_errors(schema.content(name), name, checked)
    if errors:
        raise PushRefused(data_type, list({(e.field, e.message): e for e in errors}.values()))
    return Write(dt, operation, name, qbxml)


def _builds(name: str, qbxml: dict[str, Any]) -> bool:
    try:
        build.write(name, qbxml, VERSION)
    except QbxmlBuildError:
        return False
    return True


def _leaf_errors(model: ContentModel, name: str, qbxml: dict[str, Any]) -> list[FieldError]:
    """Build the request one field at a time, beside the fields found good so far and
    stand-ins for the required ones: every error, not only the first. Fields of a choice go
    first, each without its choice's stand-in; once one is good, its choice is settled."""
    plain, by_choice = required_stand_ins(model)
    choice_of = {s.name: s.choice[0][0] for s in model.children if s.choice}
    order = sorted(qbxml, key=lambda element: element not in choice_of)
    good: dict[str, object] = {}
    errors: list[FieldError] = []
    for element in order:
        mine = choice_of.get(element)
        others = {k: v for c, vs in by_choice.items() if c != mine for k, v in vs.items()}
        try:
            build.write(name, plain | others | good | {element: qbxml[element]}, VERSION)
        except QbxmlBuildError as exc:
            errors.append(FieldError(camel(element), exc.message))
        else:
            good[element] = qbxml[element]
            by_choice.pop(mine, None) if mine is not None else None
    return errors


def _validate_removal(dt: DataType, operation: str, record: Mapping[str, Any]) -> Write:
    id_key = camel(dt.id_field)
    item = dt.key in ITEM_KINDS.values()
    allowed = {id_key, "type"} if item else {id_key}
    errors = [FieldError(k, "not a field of a delete or void") for k in record if k not in allowed]
    kind = record.get("type")
    if item and kind not in ITEM_KINDS:
        errors.append(FieldError("type", f"one of {', '.join(ITEM_KINDS)}"))
    object_id = record.get(id_key)
    if not isinstance(object_id, str) or not object_id.strip():
        errors.append(FieldError(id_key, "required: the QuickBooks ID of the record"))
    elif len(object_id) > 64:
        errors.append(FieldError(id_key, "at most 64 characters"))
    if errors:
        raise PushRefused(dt.key, errors)
    assert isinstance(object_id, str)
    name = "TxnVoid" if operation == "void" else ("TxnDel" if dt.kind is Kind.TXN else "ListDel")
    value: dict[str, Any] = {dt.id_field: object_id}
    if item:
        value["ListDelType"] = kind
    return Write(dt, operation, name, value)


def write_for(data_type: str, operation: str, record: Mapping[str, Any]) -> Write:
    """A queued push's write again (at send time: the same mapping, so the same request)."""
    return validate(data_type, record, operation)
