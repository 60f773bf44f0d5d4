"""Record values to qbXML elements and documents, in schema order for a version.
About 550 lines: element order and its checks in one module, for the checked encoder and
the fast string path alike (the paragraph after the API says how they share it).

Owns: serializing values of the ``values.py`` shape (dict of element name -> value, lists
for repeated elements, nested dicts for aggregates, ``None`` = absent) into lxml elements
whose children follow the schema's sequence for the qbXML version asked for (qbXML is
order-sensitive, PROTOCOL.md 1.10), and wrapping ``*Rq``/``*Rs`` elements into a document
with the ``<?xml?>`` and ``<?qbxml version="X.Y"?>`` prolog. Every check is against the
schema tables: unknown elements, missing required children, two alternatives of one
``xsd:choice``, value types, ISO-8859-1 text and maxLength (see ``leaves``).
Must not: do I/O, parse XML, or decide what to ask QuickBooks (see ``build``).

API::

    encode_element(schema, "CustomerRet", record)                 -> etree._Element
    encode_element(schema, "CustomerQueryRq", {...}, attrs={"requestID": "7"})
    encode_element(schema, "Name", "Acme", parent="CustomerAdd")  # a child in its parent's context
    document("16.0", [elem, ...], response=False, on_error=OnError.STOP,
             new_message_set_id=None, old_message_set_id=None)  -> bytes
    document("16.0", [rs, ...], response=True, new_message_set_id=..., message_set_status=...)
    document_text(...)                                            -> str (same, decoded)
    encode_text(schema, "InvoiceRet", record, parent=rs_model)    -> str: the element's XML text

``encode_text`` is the fast door for many records (the fake QuickBooks' answers, issue 5):
the characters ``etree.tostring(encode_element(...), encoding="unicode")`` gives, with the
same checks, built by joining strings from plans cached per content model (tags, leaf
formatters, and each child set's schema order and structure check, computed once). A value
it refuses, or a shape it leaves alone (a ``Mapping`` that is not a dict, ...), goes through
``encode_element``, which raises the same error with the element path. Both live here, over
300 lines, so that one module owns element order and its checks.

Repeated elements take a list (a single value is accepted too); an aggregate given for a
repeated ``*Line`` choice (``InvoiceLineAdd``/``InvoiceLineGroupAdd``) is emitted branch
by branch, which the schema allows because such choices are unbounded.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable, Mapping, Sequence
from enum import Enum
from operator import attrgetter

from lxml import etree

from connector.qbxml.errors import (
    BadValueError,
    ChoiceConflictError,
    MissingElementError,
    QbxmlBuildError,
    QbxmlSchemaError,
    UnknownElementError,
    UnsupportedError,
)
from connector.qbxml.leaves import check_text, format_leaf, formatter, text_formatter
from connector.qbxml.schema import (
    SUPPORTED_VERSIONS,
    ChildSpec,
    Content,
    ContentModel,
    Leaf,
    Schema,
)

__all__ = [
    "MAX_MESSAGE_SET_ID",
    "OnError",
    "check_required_attributes",
    "check_structure",
    "document",
    "document_text",
    "encode_element",
    "encode_text",
    "set_attributes",
]

_SEQUENCES = (list, tuple)  # a tuple, not ``list | tuple``: isinstance checks it faster
MAX_MESSAGE_SET_ID = 24
"""QuickBooks refuses longer message-set IDs with 9004 (PROTOCOL.md 1.5)."""


class OnError(Enum):
    """``QBXMLMsgsRq onError``. rollbackOnError is in the schema but QuickBooks does not
    support it (PROTOCOL.md 1.5, QbSync README), so it is not offered."""

    STOP = "stopOnError"
    CONTINUE = "continueOnError"


def encode_element(
    schema: Schema,
    name: str,
    value: object,
    parent: str | ContentModel | None = None,
    *,
    attrs: Mapping[str, object] | None = None,
) -> etree._Element:
    """``name`` with ``value`` as an element (top-level, or a child of ``parent``)."""
    content = _content_of(schema, name, parent)
    elem = etree.Element(name)
    _Encoder(schema).fill(elem, content, value, name)
    if attrs is not None:
        set_attributes(schema, elem, content, attrs, name)
    return elem


def _content_of(schema: Schema, name: str, parent: str | ContentModel | None) -> Content:
    if parent is None:
        try:
            return schema.element(name)
        except QbxmlSchemaError as exc:
            raise UnknownElementError(str(exc), path=name, version=schema.version) from None
    spec = schema.content(parent).child(name)
    if spec is None:
        where = parent if isinstance(parent, str) else "its parent"
        raise UnknownElementError(f"not a child of {where}", path=name, version=schema.version)
    return spec.content


def encode_text(
    schema: Schema, name: str, value: object, parent: str | ContentModel | None = None
) -> str:
    """``encode_element(schema, name, value, parent)`` as XML text (see the module docstring)."""
    node = _node(name, _content_of(schema, name, parent))
    out: list[str] = []
    try:
        _write(out, node, value)
    except (_Refused, QbxmlBuildError):
        elem = encode_element(schema, name, value, parent)  # raises the error, with its path
        return etree.tostring(elem, encoding="unicode")
    return "".join(out)


class _Refused(Exception):
    """The text path leaves this value to ``encode_element``."""


_REFUSED = _Refused()
_MAX_LAYOUTS = 1024
"""Child sets remembered per content model (records of one kind repeat a handful)."""


class _Node:
    """One element name in its parent's context: its tags and how to write its content."""

    __slots__ = (
        "close",
        "empty",
        "max",
        "model",
        "name",
        "open",
        "position",
        "repeated",
        "spec",
        "text",
    )

    def __init__(self, name: str, content: Content, spec: ChildSpec | None, position: int):
        self.name = name
        self.open, self.close, self.empty = f"<{name}>", f"</{name}>", f"<{name}/>"
        self.spec = spec
        self.position = position
        self.repeated = spec is not None and spec.repeated
        self.max = None if spec is None else spec.max
        self.text: Callable[[object], str] | None = None
        self.model: _Model | None = None
        if isinstance(content, Leaf):
            self.text = text_formatter(content)
        else:
            self.model = _model_plan(content)


_Row = tuple[str, "Callable[[object], str] | None", str, str, _Node, int]
"""A present child, ready to write: name, leaf formatter, tags, node, most occurrences
(0 when it is not repeated: even a one-item list is refused)."""


class _Model:
    """A content model's plan: a node per child, and the rows of each child set seen."""

    __slots__ = ("children", "layouts", "model", "text")

    def __init__(self, model: ContentModel) -> None:
        self.model = model
        self.text = None if model.text is None else text_formatter(model.text)
        self.children = {
            spec.name: _Node(spec.name, spec.content, spec, i)
            for i, spec in enumerate(model.children)
        }
        self.layouts: dict[tuple[object, ...], tuple[_Row, ...]] = {}
        """Keyed by the child names when all are present (``None`` and ``[]`` are absent)."""

    def layout(self, value: dict[object, object]) -> tuple[_Row, ...]:
        """The present children of ``value`` in schema order, structure checked once per set."""
        names = tuple(
            [
                k
                for k, v in value.items()
                if v is not None and not (isinstance(v, _SEQUENCES) and not v)
            ]
        )
        found = self.layouts.get(names)
        if found is None:
            nodes: list[_Node] = []
            for name in names:
                node = self.children.get(name) if isinstance(name, str) else None
                if node is None:
                    raise _REFUSED
                nodes.append(node)
            ordered = sorted(nodes, key=_POSITION)
            check_structure(self.model, [n.spec for n in ordered if n.spec], "", "")
            found = tuple(
                (n.name, n.text, n.open, n.close, n, _occurrences(n.spec)) for n in ordered
            )
            if len(self.layouts) < _MAX_LAYOUTS:
                self.layouts[names] = found
        return found


def _occurrences(spec: ChildSpec | None) -> int:
    if spec is None or not spec.repeated:
        return 0
    return sys.maxsize if spec.max is None else spec.max


_POSITION = attrgetter("position")
_MODELS: dict[ContentModel, _Model] = {}
_TOPS: dict[tuple[str, Content], _Node] = {}


def _model_plan(model: ContentModel) -> _Model:
    plan = _MODELS.get(model)
    if plan is None:
        plan = _MODELS[model] = _Model(model)
    return plan


def _node(name: str, content: Content) -> _Node:
    node = _TOPS.get((name, content))
    if node is None:
        node = _TOPS[(name, content)] = _Node(name, content, None, 0)
    return node


def _write(out: list[str], node: _Node, value: object) -> None:
    """Append ``node`` with ``value``; raises ``_Refused`` or ``QbxmlBuildError``."""
    if node.text is not None:
        out.append(f"{node.open}{node.text(value)}{node.close}")
        return
    plan = node.model
    assert plan is not None
    if plan.text is not None and not isinstance(value, Mapping):
        out.append(f"{node.open}{plan.text(value)}{node.close}")
        return
    if type(value) is not dict:
        raise _REFUSED
    # Most values have every key present: their rows are found by the keys alone. A value
    # with an absent child (None, []) stops the first pass, which is then thrown away.
    rows = plan.layouts.get(tuple(value))
    if rows is None:
        rows = plan.layout(value)
    if not rows:
        out.append(node.empty)
        return
    mark = len(out)
    out.append(node.open)
    if not _children(out, rows, value):
        del out[mark + 1 :]
        rows = plan.layout(value)
        if not rows:
            out[mark] = node.empty
            return
        _children(out, rows, value)
    out.append(node.close)


def _children(out: list[str], rows: tuple[_Row, ...], value: dict[object, object]) -> bool:
    """Append the children; False at the first absent one (``rows`` assumed all present)."""
    for name, text, open_tag, close_tag, child, most in rows:
        raw = value[name]
        cls = type(raw)
        if cls is list or cls is tuple:
            if not raw:
                return False
            if len(raw) > most:  # type: ignore[arg-type]
                raise _REFUSED
            for item in raw:  # type: ignore[attr-defined]
                if text is None:
                    _write(out, child, item)
                else:
                    out.append(f"{open_tag}{text(item)}{close_tag}")
        elif raw is None:
            return False
        elif text is not None:
            out.append(f"{open_tag}{text(raw)}{close_tag}")
        else:
            _write(out, child, raw)
    return True


def set_attributes(
    schema: Schema,
    elem: etree._Element,
    content: Leaf | ContentModel,
    attrs: Mapping[str, object],
    path: str,
) -> None:
    """Set ``attrs`` on ``elem`` after checking each against the schema's attributes;
    the schema's required attributes must all be given."""
    check_required_attributes(schema, content, attrs.keys(), path)
    for attr_name, raw in attrs.items():
        spec = content.attribute(attr_name) if isinstance(content, ContentModel) else None
        if spec is None:
            raise UnsupportedError(
                f"attribute {attr_name!r} is not allowed on {elem.tag}",
                path=path,
                version=schema.version,
            )
        elem.set(
            attr_name,
            format_leaf(spec.leaf, raw, path=f"{path}@{attr_name}", version=schema.version),
        )


def check_required_attributes(
    schema: Schema, content: Leaf | ContentModel, given: Iterable[str], path: str
) -> None:
    if not isinstance(content, ContentModel):
        return
    names = set(given)
    missing = [a.name for a in content.attributes if a.required and a.name not in names]
    if missing:
        raise MissingElementError(
            f"required attribute {', '.join(missing)} is missing", path=path, version=schema.version
        )


class _Encoder:
    """Recursive fill of one element tree, checking each aggregate against its model."""

    def __init__(self, schema: Schema) -> None:
        self.version = schema.version

    def fill(
        self, elem: etree._Element, content: Leaf | ContentModel, value: object, path: str
    ) -> None:
        if isinstance(content, Leaf):
            elem.text = format_leaf(content, value, path=path, version=self.version)
        elif content.text is not None and not isinstance(value, Mapping):
            elem.text = format_leaf(content.text, value, path=path, version=self.version)
        else:
            self._aggregate(elem, content, value, path)

    def _aggregate(
        self, elem: etree._Element, model: ContentModel, value: object, path: str
    ) -> None:
        if type(value) is not dict and not isinstance(value, Mapping):
            raise BadValueError(
                f"is an aggregate: expected a dict of child elements, got {type(value).__name__}",
                path=path,
                version=self.version,
            )
        specs: list[ChildSpec] = []
        child = model.child
        for key, raw in value.items():
            if raw is None or (isinstance(raw, _SEQUENCES) and not raw):
                continue  # None and [] mean absent
            spec = child(key) if isinstance(key, str) else None
            if spec is None:
                raise UnknownElementError(
                    self._unknown_message(path, str(key)),
                    path=f"{path}/{key}",
                    version=self.version,
                )
            specs.append(spec)
        positions = model.positions
        specs.sort(key=lambda spec: positions[spec.name])
        check_structure(model, specs, path, self.version)
        sub = etree.SubElement
        for spec in specs:
            name = spec.name
            raw = value[name]
            items = self._items(spec, raw, path) if isinstance(raw, _SEQUENCES) else (raw,)
            content = spec.content
            if type(content) is Leaf:  # most children: the path is built only on a refusal
                text = formatter(content)
                for item in items:
                    try:
                        sub(elem, name).text = text(content, item)
                    except QbxmlBuildError as exc:
                        raise type(exc)(
                            exc.message, path=f"{path}/{name}", version=self.version
                        ) from None
                continue
            child_path = f"{path}/{name}"
            for item in items:
                self.fill(sub(elem, name), content, item, child_path)

    def _items(self, spec: ChildSpec, raw: object, path: str) -> Sequence[object]:
        is_list = isinstance(raw, list | tuple)
        if is_list and not spec.repeated:
            raise BadValueError(
                "occurs at most once here; got a list",
                path=f"{path}/{spec.name}",
                version=self.version,
            )
        items: Sequence[object] = raw if isinstance(raw, list | tuple) else [raw]
        if spec.max is not None and len(items) > spec.max:
            raise BadValueError(
                f"occurs at most {spec.max} times; got {len(items)}",
                path=f"{path}/{spec.name}",
                version=self.version,
            )
        return items

    def _unknown_message(self, path: str, key: str) -> str:
        """Says which versions know the element when this one does not."""
        names = [*path.split("/"), key]
        others = [v for v in SUPPORTED_VERSIONS if v != self.version and _has_path(v, names)]
        hint = f"; it exists in qbXML {', '.join(others)}" if others else ""
        return f"{key!r} is not a child of {names[-2]} in qbXML {self.version}{hint}"


def _has_path(version: str, names: list[str]) -> bool:
    schema = Schema.for_version(version)
    if not schema.has_element(names[0]):
        return False
    content = schema.element(names[0])
    for name in names[1:]:
        if not isinstance(content, ContentModel):
            return False
        spec = content.child(name)
        if spec is None:
            return False
        content = spec.content
    return True


def check_structure(
    model: ContentModel, specs: Sequence[ChildSpec], path: str, version: str
) -> None:
    """Choice conflicts and required children of ``model`` given the children present."""
    if not model.choices and not model.required:
        return  # nothing to check: the common case for refs, addresses and lines
    present = {spec.name for spec in specs}
    active = {step for spec in specs for step in spec.choice}
    for choice_id, choice in enumerate(model.choices):
        branches = sorted(b for c, b in active if c == choice_id)
        if len(branches) > 1 and choice.max == 1:
            names = [next(s.name for s in specs if (choice_id, b) in s.choice) for b in branches]
            raise ChoiceConflictError(
                f"{' and '.join(names)} are alternatives of one choice; give only one",
                path=path,
                version=version,
            )
    for spec in model.required:
        if spec.name not in present and all(step in active for step in spec.choice):
            raise MissingElementError(
                f"required child {spec.name!r} is missing", path=path, version=version
            )
    for choice_id, choice in enumerate(model.choices):
        if choice.min and not any(c == choice_id for c, _ in active):
            _check_required_choice(model, choice_id, active, path, version)


def _check_required_choice(
    model: ContentModel, choice_id: int, active: set[tuple[int, int]], path: str, version: str
) -> None:
    members = [s for s in model.children if any(c == choice_id for c, _ in s.choice)]
    prefix = members[0].choice[: [c for c, _ in members[0].choice].index(choice_id)]
    if not all(step in active for step in prefix):
        return  # the enclosing branch is not chosen
    branches: dict[int, list[ChildSpec]] = {}
    for spec in members:
        branch = dict(spec.choice)[choice_id]
        branches.setdefault(branch, []).append(spec)
    if any(_nullable(model, choice_id, b, specs) for b, specs in branches.items()):
        return
    firsts = ", ".join(specs[0].name for specs in branches.values())
    raise MissingElementError(f"one of {firsts} is required", path=path, version=version)


def _nullable(model: ContentModel, choice_id: int, branch: int, specs: list[ChildSpec]) -> bool:
    """Whether a choice branch may be empty: every member optional or in an optional choice."""
    for spec in specs:
        depth = [c for c, _ in spec.choice].index(choice_id)
        inner = spec.choice[depth + 1 :]
        if spec.min and not any(model.choices[c].min == 0 for c, _ in inner):
            return False
    return True


def document(
    version: str,
    msgs: Sequence[etree._Element],
    *,
    response: bool,
    on_error: OnError = OnError.STOP,
    new_message_set_id: str | None = None,
    old_message_set_id: str | None = None,
    message_set_status: int | None = None,
) -> bytes:
    """A full qbXML document: prolog, ``QBXML``, ``QBXMLMsgsRq``/``QBXMLMsgsRs`` and ``msgs``."""
    schema = Schema.for_version(version)
    wrapper = "QBXMLMsgsRs" if response else "QBXMLMsgsRq"
    allowed = {spec.name for spec in schema.children(wrapper)}
    root = etree.Element("QBXML")
    msgs_elem = etree.SubElement(root, wrapper)
    attrs = _message_set_attrs(
        response, on_error, new_message_set_id, old_message_set_id, message_set_status, version
    )
    set_attributes(schema, msgs_elem, schema.content(wrapper), attrs, wrapper)
    for msg in msgs:
        if msg.tag not in allowed:
            raise UnknownElementError(
                f"{msg.tag!r} cannot appear in {wrapper}", path=wrapper, version=version
            )
        check_required_attributes(schema, schema.element(msg.tag), map(str, msg.keys()), msg.tag)
        msgs_elem.append(msg)
    body = etree.tostring(root, encoding="utf-8", xml_declaration=False)
    # As Intuit's SDK samples write it: no encoding pseudo-attribute, so the text stays right
    # whether it travels as UTF-8 bytes or as the UTF-16 string QBWC hands to QBXMLRP2 (the
    # bytes here are UTF-8, XML's default). The qbxml PI is mandatory (PROTOCOL.md 1.10).
    prolog = f'<?xml version="1.0" ?>\n<?qbxml version="{version}"?>\n'
    return prolog.encode("ascii") + body


def document_text(version: str, msgs: Sequence[etree._Element], **kwargs: object) -> str:
    """``document`` decoded to ``str`` (what sendRequestXML returns)."""
    return document(version, msgs, **kwargs).decode("utf-8")  # type: ignore[arg-type]


def _message_set_attrs(
    response: bool,
    on_error: OnError,
    new_id: str | None,
    old_id: str | None,
    status: int | None,
    version: str,
) -> dict[str, object]:
    attrs: dict[str, object] = {}
    if response and old_id is not None:
        raise UnsupportedError("oldMessageSetID belongs on requests", version=version)
    if not response and status is not None:
        raise UnsupportedError("messageSetStatusCode belongs on responses", version=version)
    if not response:
        attrs["onError"] = OnError(on_error).value
    for attr, msid in (("newMessageSetID", new_id), ("oldMessageSetID", old_id)):
        if msid is not None:
            check_text(msid, max_length=MAX_MESSAGE_SET_ID, path=f"@{attr}", version=version)
            attrs[attr] = msid
    if status is not None:
        attrs["messageSetStatusCode"] = status
    return attrs
