#!/usr/bin/env python3
"""Generate the compact qbXML content-model tables from Intuit's XSDs.

Owns: reading ``qbxml{13,14,15,16}.0/*.xsd`` (from ``../shared/reference/xsd`` by default)
and writing ``connector/qbxml/schema_data/qbxml{NN}0.json.gz``: a derived content model,
not a copy of the schemas. Must not: be imported at runtime (``connector.qbxml.schema``
reads only the generated files).

Table format (one JSON object per version, see ``connector/qbxml/schema.py``):

- ``leaves``: interned simple types ``[base, maxLength, enum, minInclusive, maxInclusive]``
  (``base`` is the qbXML type name, e.g. ``AMTTYPE``; ``enum`` a list or null).
- ``types``: interned complex types ``[children, attributes, text_leaf, choices]`` where
  ``children`` = ``[[name, min, max, choice_path, kind, index], ...]`` in schema order with
  ``xsd:group ref`` and ``xsd:choice`` flattened in place (``max`` -1 = unbounded;
  ``choice_path`` = ``[[choice_id, branch], ...]`` outermost first; ``kind`` 0 = leaf
  index, 1 = type index), ``attributes`` = ``[[name, leaf, required, default], ...]``,
  ``text_leaf`` = leaf index of simple content (or null) and ``choices`` =
  ``[[min, max], ...]`` indexed by choice id.
- ``elements``: top-level element name -> ``[kind, index]`` for every global element plus
  the ``*Rq``/``*Rs`` children of ``QBXMLMsgsRq``/``QBXMLMsgsRs``.

Usage: ``python ci/gen_qbxml_tables.py [--xsd-dir DIR] [--out DIR] [--check]``.
"""

from __future__ import annotations

import argparse
import gzip
import json
import sys
from pathlib import Path
from typing import Any

from lxml import etree

XS = "{http://www.w3.org/2001/XMLSchema}"
VERSIONS = ("13.0", "14.0", "15.0", "16.0")
ROOTS = ("QBXMLMsgsRq", "QBXMLMsgsRs")
REPO = Path(__file__).resolve().parent.parent
DEFAULT_XSD = REPO.parent / "shared" / "reference" / "xsd"
DEFAULT_OUT = REPO / "connector" / "qbxml" / "schema_data"
UNBOUNDED = -1

Ref = tuple[int, int]  # (kind, index): kind 0 = leaf, 1 = complex type


def _occurs(node: etree._Element, attr: str) -> int:
    raw = node.get(attr, "1")
    return UNBOUNDED if raw == "unbounded" else int(raw)


def _mul_max(a: int, b: int) -> int:
    if a == 0 or b == 0:
        return 0
    return UNBOUNDED if UNBOUNDED in (a, b) else a * b


class Generator:
    """Walks one version's XSD set and interns leaves and content models."""

    def __init__(self, files: list[Path]) -> None:
        self.elements: dict[str, etree._Element] = {}
        self.ctypes: dict[str, etree._Element] = {}
        self.groups: dict[str, etree._Element] = {}
        self.stypes: dict[str, etree._Element] = {}
        for path in files:
            root = etree.parse(str(path)).getroot()
            for node in root:
                if not isinstance(node.tag, str):
                    continue
                table = {
                    XS + "element": self.elements,
                    XS + "complexType": self.ctypes,
                    XS + "group": self.groups,
                    XS + "simpleType": self.stypes,
                }.get(node.tag)
                if table is not None:
                    table[node.get("name", "")] = node
        self.leaves: list[list[Any]] = []
        self.leaf_ids: dict[str, int] = {}
        self.types: list[list[Any]] = []
        self.type_ids: dict[str, int] = {}
        # Keyed by id(node); ``keep`` holds the lxml proxies so their ids stay unique.
        self.memo: dict[int, Ref] = {}
        self.keep: list[etree._Element] = []
        self.in_progress: set[int] = set()

    # -- leaves ---------------------------------------------------------------------------
    def _leaf(self, base: str, restriction: etree._Element | None = None) -> Ref:
        max_len = enum = lo = hi = None
        if restriction is not None:
            enums = [e.get("value") for e in restriction.iter(XS + "enumeration")]
            enum = enums or None
            for tag, conv in (("maxLength", "len"), ("minInclusive", "lo"), ("maxInclusive", "hi")):
                found = restriction.find(XS + tag)
                if found is not None:
                    value = int(found.get("value", "0"))
                    if conv == "len":
                        max_len = value
                    elif conv == "lo":
                        lo = value
                    else:
                        hi = value
        if base not in self.stypes:
            raise ValueError(f"unknown simple base type {base!r}")
        if max_len is None:  # IDTYPE carries maxLength 36 in its own definition
            inherited = self.stypes[base].find(f"{XS}restriction/{XS}maxLength")
            max_len = None if inherited is None else int(inherited.get("value", "0"))
        row = [base, max_len, enum, lo, hi]
        key = json.dumps(row)
        if key not in self.leaf_ids:
            self.leaf_ids[key] = len(self.leaves)
            self.leaves.append(row)
        return (0, self.leaf_ids[key])

    def _simple_type(self, node: etree._Element) -> Ref:
        restriction = node.find(XS + "restriction")
        if restriction is None:
            raise ValueError(f"unsupported inline simpleType at line {node.sourceline}")
        return self._leaf(restriction.get("base", ""), restriction)

    # -- elements -------------------------------------------------------------------------
    def element_ref(self, node: etree._Element) -> Ref:
        """The content of an ``xsd:element`` node (global, local or ``ref=``)."""
        if node.get("ref"):
            return self.element_ref(self.elements[node.get("ref", "")])
        key = id(node)
        if key in self.memo:
            return self.memo[key]
        type_name = node.get("type")
        if type_name in self.stypes:
            ref = self._leaf(type_name)
        elif type_name is not None:
            ref = self._complex(self.ctypes[type_name])
        elif node.find(XS + "simpleType") is not None:
            ref = self._simple_type(node.find(XS + "simpleType"))  # type: ignore[arg-type]
        elif node.find(XS + "complexType") is not None:
            ref = self._complex(node.find(XS + "complexType"))  # type: ignore[arg-type]
        else:
            raise ValueError(f"element {node.get('name')} at line {node.sourceline} has no type")
        self.memo[key] = ref
        self.keep.append(node)
        return ref

    def _complex(self, node: etree._Element) -> Ref:
        key = id(node)
        if key in self.memo:
            return self.memo[key]
        if key in self.in_progress:
            raise ValueError(f"recursive content model at line {node.sourceline}")
        self.in_progress.add(key)
        self.keep.append(node)
        children: list[list[Any]] = []
        choices: list[list[int]] = []
        text_leaf = None
        attributes = [self._attribute(a) for a in node.findall(XS + "attribute")]
        simple = node.find(XS + "simpleContent")
        if simple is not None:
            ext = simple[0] if len(simple) else None
            if ext is None or ext.tag != XS + "extension":
                raise ValueError(f"unsupported simpleContent at line {simple.sourceline}")
            text_leaf = self._leaf(ext.get("base", ""))[1]
            attributes += [self._attribute(a) for a in ext.findall(XS + "attribute")]
        for particle in node:
            if particle.tag in (XS + "sequence", XS + "choice", XS + "group"):
                self._particle(particle, children, choices, [], 1, 1)
        names = [child[0] for child in children]
        if len(names) != len(set(names)):  # lookups are by (parent, name): must be unique
            raise ValueError(f"a child name repeats in the content at line {node.sourceline}")
        row = [children, attributes, text_leaf, choices]
        ident = json.dumps(row)
        if ident not in self.type_ids:
            self.type_ids[ident] = len(self.types)
            self.types.append(row)
        self.in_progress.discard(key)
        ref = (1, self.type_ids[ident])
        self.memo[key] = ref
        self.keep.append(node)
        return ref

    def _attribute(self, node: etree._Element) -> list[Any]:
        inline = node.find(XS + "simpleType")
        leaf = self._simple_type(inline) if inline is not None else self._leaf(node.get("type", ""))
        return [node.get("name"), leaf[1], node.get("use") == "required", node.get("default")]

    def _particle(
        self,
        node: etree._Element,
        out: list[list[Any]],
        choices: list[list[int]],
        path: list[list[int]],
        min_mult: int,
        max_mult: int,
    ) -> None:
        """Flatten a sequence/choice/group/element particle into ``out`` in schema order."""
        lo = min_mult * _occurs(node, "minOccurs")
        hi = _mul_max(max_mult, _occurs(node, "maxOccurs"))
        if hi == 0:
            return  # maxOccurs="0": the schema forbids these children
        tag = node.tag
        if tag == XS + "element":
            name = node.get("ref") or node.get("name")
            kind, index = self.element_ref(node)
            out.append([name, lo, hi, [list(p) for p in path], kind, index])
        elif tag in (XS + "group", XS + "sequence"):
            body = self.groups[node.get("ref", "")] if tag == XS + "group" else node
            start = len(out)
            for child in body:
                if isinstance(child.tag, str) and child.tag != XS + "annotation":
                    self._particle(child, out, choices, path, lo, hi)
            self._check_flat(node, hi, max_mult, out[start:])
        elif tag == XS + "choice":
            choice_id = len(choices)
            choices.append([lo, hi])
            branches = [c for c in node if isinstance(c.tag, str) and c.tag != XS + "annotation"]
            for branch, child in enumerate(branches):
                # Inside a branch the particle's own occurrences apply; the choice's
                # minOccurs is kept in ``choices`` and its maxOccurs multiplies.
                self._particle(child, out, choices, [*path, [choice_id, branch]], 1, hi)
        else:
            raise ValueError(f"unsupported particle {tag} at line {node.sourceline}")

    @staticmethod
    def _check_flat(node: etree._Element, hi: int, outer: int, members: list[list[Any]]) -> None:
        """A flat child list cannot say "A B A B": refuse a repeated multi-element sequence
        (or a multi-element branch of a repeated choice) rather than emit a wrong model.
        None occur in the qbXML 13.0-16.0 schemas; this keeps it that way."""
        if hi != outer and len(members) > 1:
            raise ValueError(
                f"repeated sequence of several elements at line {node.sourceline}: "
                "the flattened content model cannot represent it"
            )
        if outer != 1 and len(members) > 1 and node.getparent() is not None:
            parent = node.getparent()
            if parent is not None and parent.tag == XS + "choice":
                raise ValueError(
                    f"multi-element branch of a repeated choice at line {node.sourceline}"
                )


def generate(xsd_dir: Path, version: str) -> dict[str, Any]:
    """The table for one version, as a JSON-ready dict."""
    nn = version.replace(".", "")
    folder = xsd_dir / f"qbxml{version}"
    files = [folder / f"qbxml{p}{nn}.xsd" for p in ("types", "", "so", "ops")]
    gen = Generator(files)
    elements: dict[str, list[int]] = {}
    for root_name in ROOTS:
        root = gen.elements[root_name]
        elements[root_name] = list(gen.element_ref(root))
        for local in root.iter(XS + "element"):
            if local.get("name"):
                elements[local.get("name", "")] = list(gen.element_ref(local))
    for name, node in sorted(gen.elements.items()):
        if name not in elements and name not in ("QBXML",):
            elements.setdefault(name, list(gen.element_ref(node)))
    return {
        "version": version,
        "leaves": gen.leaves,
        "types": gen.types,
        "elements": dict(sorted(elements.items())),
    }


def encode_table(table: dict[str, Any]) -> bytes:
    """Deterministic gzip bytes (mtime 0) so the committed files are reproducible."""
    raw = json.dumps(table, separators=(",", ":"), sort_keys=False).encode()
    return gzip.compress(raw, compresslevel=9, mtime=0)


def table_path(out_dir: Path, version: str) -> Path:
    return out_dir / f"qbxml{version.replace('.', '')}.json.gz"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--xsd-dir", type=Path, default=DEFAULT_XSD)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    parser.add_argument("--check", action="store_true", help="fail if committed tables differ")
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    stale = []
    for version in VERSIONS:
        data = encode_table(generate(args.xsd_dir, version))
        path = table_path(args.out, version)
        if args.check:
            if not path.exists() or gzip.decompress(path.read_bytes()) != gzip.decompress(data):
                stale.append(str(path))
            continue
        path.write_bytes(data)
        print(f"{path}: {len(data)} bytes")
    if stale:
        print("stale tables (rerun ci/gen_qbxml_tables.py): " + ", ".join(stale), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
