"""The qbXML content model for each supported version, read from generated tables.
About 320 lines: the table loader and the questions asked of it share the cached model types.

Owns: loading ``schema_data/qbxml{NN}0.json.gz`` (generated from Intuit's XSDs by
``ci/gen_qbxml_tables.py``; the runtime never reads the XSDs) and answering questions about
it: which children an element has and in which order, their occurrences and ``xsd:choice``
alternatives, leaf types, maxLength, enumerations, attributes, iterator support.
Must not: build or parse XML documents (see ``encode``, ``build``, ``parse``).

API::

    schema = Schema.for_version("16.0")            # cached; QbxmlSchemaError if unsupported
    model = schema.content("CustomerRet")          # ContentModel (or Leaf for a leaf element)
    spec = model.child("Name")                     # ChildSpec | None: name, min, max, choice, content
    schema.children("CustomerQueryRq")             # tuple[ChildSpec, ...] in schema order
    schema.leaf_type("CustomerRet", "Balance")     # LeafType.AMT
    schema.is_repeated("InvoiceRet", "InvoiceLineRet")
    schema.max_length("CustomerAdd", "Name")       # 41
    schema.attributes("CustomerQueryRq")           # tuple[Attribute, ...]
    schema.supports_iterator("CustomerQueryRq")    # True; AccountQueryRq -> False

Names and parents: a ``parent`` given as a string is a top-level element (every global
element of the XSD, plus each ``*Rq``/``*Rs`` of ``QBXMLMsgsRq``/``QBXMLMsgsRs``) or, failing
that, a local element name. A few local names carry different content under different
parents (``Memo`` maxLength, ``TxnID`` with ``useMacro``): for those the name-based lookups
answer from the first content model that has the child. Walk ``ContentModel.child`` from a
top-level element when the exact answer matters (the encoder does).
"""

from __future__ import annotations

import gzip
import json
from dataclasses import dataclass, field
from enum import Enum
from functools import cache, cached_property
from importlib import resources
from typing import Any, TypeAlias

from connector.qbxml.errors import QbxmlSchemaError

__all__ = [
    "DECIMAL_TYPES",
    "SUPPORTED_VERSIONS",
    "Attribute",
    "ChildSpec",
    "Choice",
    "Content",
    "ContentModel",
    "Leaf",
    "LeafType",
    "Schema",
    "table_name",
]

SUPPORTED_VERSIONS: tuple[str, ...] = ("13.0", "14.0", "15.0", "16.0")


class LeafType(Enum):
    """qbXML simple types (``qbxmltypes{NN}0.xsd``)."""

    STR = "STRTYPE"
    ID = "IDTYPE"
    BOOL = "BOOLTYPE"
    DATE = "DATETYPE"
    DATETIME = "DATETIMETYPE"
    TIMEINTERVAL = "TIMEINTERVALTYPE"
    AMT = "AMTTYPE"
    PRICE = "PRICETYPE"
    QUAN = "QUANTYPE"
    PERCENT = "PERCENTTYPE"
    ENUM = "ENUMTYPE"
    INT = "INTTYPE"
    GUID = "GUIDTYPE"
    UUID = "UUIDTYPE"
    MACRO = "MACROTYPE"
    FLOAT = "FLOATTYPE"


DECIMAL_TYPES = frozenset({LeafType.AMT, LeafType.PRICE, LeafType.QUAN, LeafType.PERCENT})
"""Leaf types whose values are ``Decimal`` (values.py)."""


@dataclass(frozen=True)
class Leaf:
    """A simple type with its restrictions."""

    type: LeafType
    max_length: int | None = None
    enum: tuple[str, ...] | None = None
    min_value: int | None = None
    max_value: int | None = None


@dataclass(frozen=True)
class Attribute:
    name: str
    leaf: Leaf
    required: bool = False
    default: str | None = None


@dataclass(frozen=True)
class Choice:
    """Occurrences of one flattened ``xsd:choice`` (``max`` None = unbounded)."""

    min: int
    max: int | None


@dataclass(frozen=True)
class ChildSpec:
    """One child element in schema order. ``min`` is relative to its choice branch;
    ``choice`` is the path of (choice id, branch) pairs from the outermost choice."""

    name: str
    min: int
    max: int | None
    choice: tuple[tuple[int, int], ...]
    content: Content = field(repr=False)

    @property
    def repeated(self) -> bool:
        return self.max is None or self.max > 1

    @property
    def leaf(self) -> Leaf | None:
        return self.content if isinstance(self.content, Leaf) else None


@dataclass(frozen=True, eq=False)
class ContentModel:
    """An aggregate's content: children in schema order, attributes, simple text content
    (``text``, for elements like ``TxnID useMacro=...``) and its choices. Compared by identity."""

    index: int
    children: tuple[ChildSpec, ...]
    attributes: tuple[Attribute, ...]
    text: Leaf | None
    choices: tuple[Choice, ...]
    _by_name: dict[str, ChildSpec] = field(repr=False, default_factory=dict)

    def child(self, name: str) -> ChildSpec | None:
        return self._by_name.get(name)

    @cached_property
    def positions(self) -> dict[str, int]:
        """Child name -> its index in schema order (for sorting given children)."""
        return {spec.name: i for i, spec in enumerate(self.children)}

    @cached_property
    def required(self) -> tuple[ChildSpec, ...]:
        """Children with ``min`` >= 1 (required when their choice branches are chosen)."""
        return tuple(spec for spec in self.children if spec.min)

    def attribute(self, name: str) -> Attribute | None:
        return next((a for a in self.attributes if a.name == name), None)


Content: TypeAlias = "Leaf | ContentModel"


class Schema:
    """One qbXML version's content model. Get instances with ``Schema.for_version``."""

    def __init__(self, version: str, table: dict[str, Any]) -> None:
        self.version = version
        leaves = [_leaf(row) for row in table["leaves"]]
        self._types: list[ContentModel] = []
        for index, row in enumerate(table["types"]):
            self._types.append(_model(index, row, leaves, self._types))
        self._top: dict[str, Content] = {
            name: self._types[idx] if kind else leaves[idx]
            for name, (kind, idx) in table["elements"].items()
        }
        self._local: dict[str, Content] = {}
        for model in self._types:
            for spec in model.children:
                self._local.setdefault(spec.name, spec.content)

    @staticmethod
    def for_version(version: str) -> Schema:
        """The cached schema of ``version`` (one of ``SUPPORTED_VERSIONS``)."""
        if version not in SUPPORTED_VERSIONS:
            raise QbxmlSchemaError(
                f"qbXML version {version!r} is not supported; supported: "
                + ", ".join(SUPPORTED_VERSIONS)
            )
        return _load(version)

    def __repr__(self) -> str:
        return f"Schema({self.version!r})"

    # -- elements -------------------------------------------------------------------------
    def has_element(self, name: str) -> bool:
        """Whether ``name`` is a top-level element (global, or a ``*Rq``/``*Rs``)."""
        return name in self._top

    def element(self, name: str) -> Content:
        """The content of top-level element ``name``."""
        try:
            return self._top[name]
        except KeyError:
            raise QbxmlSchemaError(
                f"element {name!r} is not in the qbXML {self.version} schema"
            ) from None

    def content(self, parent: str | ContentModel) -> ContentModel:
        """The content model of an aggregate given by name (top-level first, then local)."""
        if isinstance(parent, ContentModel):
            return parent
        found = self._top.get(parent) or self._local.get(parent)
        if found is None:
            raise QbxmlSchemaError(f"element {parent!r} is not in the qbXML {self.version} schema")
        if not isinstance(found, ContentModel):
            raise QbxmlSchemaError(
                f"{parent!r} is a leaf in qbXML {self.version}, not an aggregate"
            )
        return found

    def children(self, parent: str | ContentModel) -> tuple[ChildSpec, ...]:
        return self.content(parent).children

    def child(self, parent: str | ContentModel, name: str) -> ChildSpec | None:
        """The child spec, or None when ``parent`` has no such child (or is unknown)."""
        try:
            return self.content(parent).child(name)
        except QbxmlSchemaError:
            return None

    def _spec(self, parent: str | ContentModel, name: str) -> ChildSpec:
        spec = self.content(parent).child(name)
        if spec is None:
            label = parent if isinstance(parent, str) else f"type #{parent.index}"
            raise QbxmlSchemaError(f"{label} has no child {name!r} in qbXML {self.version}")
        return spec

    def leaf(self, parent: str | ContentModel, name: str) -> Leaf | None:
        """The child's simple type, or None when the child is an aggregate."""
        return self._spec(parent, name).leaf

    def leaf_type(self, parent: str | ContentModel, name: str) -> LeafType:
        """The child's leaf type (the text type for simple-content elements)."""
        content = self._spec(parent, name).content
        leaf = content if isinstance(content, Leaf) else content.text
        if leaf is None:
            raise QbxmlSchemaError(f"{name!r} under {parent!r} is an aggregate, not a leaf")
        return leaf.type

    def is_repeated(self, parent: str | ContentModel, name: str) -> bool:
        return self._spec(parent, name).repeated

    def max_length(self, parent: str | ContentModel, name: str) -> int | None:
        leaf = self._spec(parent, name).leaf
        return leaf.max_length if leaf else None

    def attributes(self, element: str | ContentModel) -> tuple[Attribute, ...]:
        return self.content(element).attributes

    # -- requests -------------------------------------------------------------------------
    def supports_iterator(self, request: str) -> bool:
        """Whether ``request`` (``CustomerQueryRq`` or ``CustomerQuery``) takes ``iterator``."""
        name = request if request.endswith("Rq") else f"{request}Rq"
        content = self._top.get(name)
        return isinstance(content, ContentModel) and content.attribute("iterator") is not None

    def iterable_queries(self) -> frozenset[str]:
        """Every ``*QueryRq`` that accepts ``iterator``/``iteratorID``."""
        return frozenset(
            name for name in self._top if name.endswith("QueryRq") and self.supports_iterator(name)
        )

    def requests(self) -> tuple[str, ...]:
        """Every request element of ``QBXMLMsgsRq``, in schema order."""
        return tuple(spec.name for spec in self.children("QBXMLMsgsRq"))

    def responses(self) -> tuple[str, ...]:
        return tuple(spec.name for spec in self.children("QBXMLMsgsRs"))


def _leaf(row: list[Any]) -> Leaf:
    base, max_length, enum, lo, hi = row
    return Leaf(LeafType(base), max_length, tuple(enum) if enum else None, lo, hi)


def _model(
    index: int, row: list[Any], leaves: list[Leaf], built: list[ContentModel]
) -> ContentModel:
    """Build one content model; the generator emits children before their parents."""
    children_rows, attr_rows, text_leaf, choice_rows = row
    children = tuple(
        ChildSpec(
            name,
            lo,
            None if hi == -1 else hi,
            tuple((c, b) for c, b in path),
            built[idx] if kind else leaves[idx],
        )
        for name, lo, hi, path, kind, idx in children_rows
    )
    return ContentModel(
        index=index,
        children=children,
        attributes=tuple(Attribute(n, leaves[leaf], req, dflt) for n, leaf, req, dflt in attr_rows),
        text=None if text_leaf is None else leaves[text_leaf],
        choices=tuple(Choice(lo, None if hi == -1 else hi) for lo, hi in choice_rows),
        _by_name={spec.name: spec for spec in children},
    )


def table_name(version: str) -> str:
    return f"qbxml{version.replace('.', '')}.json.gz"


@cache
def _load(version: str) -> Schema:
    data = resources.files("connector.qbxml").joinpath("schema_data", table_name(version))
    table = json.loads(gzip.decompress(data.read_bytes()))
    return Schema(version, table)
