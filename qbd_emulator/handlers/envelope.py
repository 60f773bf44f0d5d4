"""The request document: prolog, ``QBXMLMsgsRq`` attributes, validated ``*Rq`` elements.

Owns: reading one ``ProcessRequest`` string the way QuickBooks' parser does, before any
handler runs. Everything wrong here refuses the whole request with hresult 0x80040400 and
QuickBooks' message (PROTOCOL.md 1.8; qbwc/qbwc#53, #69, #74): not well-formed XML, a DTD,
a missing ``<?qbxml version="X.Y"?>`` instruction (qbwc/qbwc#69), and anything the schema
of that version rejects (``validate``). A version the product does not list in
SupportedQBXMLVersion (higher than it supports, or unknown) is refused with 0x80040423
"The version of QBXML that was requested is not supported or is unknown." instead: the
error Intuit's US_CDN_UK_CustomerQuery sample catches to fall back to another version.

Text outside ISO-8859-1 (PROTOCOL.md 1.10: "turn into ? or cause parse errors"): the fake
turns every such character into ``?`` before parsing, which is what the ANSI conversion on
the COM path does to a BSTR; we chose this over refusing because it is the outcome users
report most (qbwc/qbxml#8).

Requests below 13.0 (the SDK samples use 2.0-8.0) are validated and answered with the 13.0
tables, the oldest we ship (uncertain: older content models are subsets, mostly).
Must not: run handlers or touch the company file.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from lxml import etree

from connector.qbxml.errors import QbxmlError
from connector.qbxml.safexml import parse_document
from connector.qbxml.schema import SUPPORTED_VERSIONS, Schema

from ..errors import ParseRefusal, VersionRefusal
from .context import MacroPath, MacroUse, Request
from .reading import raw_values
from .validate import SchemaViolation, validate_request

_VERSION = re.compile(r'version\s*=\s*["\']?\s*([A-Z]{0,2})(\d+)\.(\d+)')
MAX_REQUEST_CHARS = 16 * 1024 * 1024


@dataclass(frozen=True)
class RequestSet:
    version: str
    """The version the request asked for, e.g. ``8.0`` or ``16.0``."""
    schema: Schema
    on_error: str
    new_message_set_id: str | None
    old_message_set_id: str | None
    requests: tuple[Request, ...]
    checksum_source: str
    """The canonical text of the ``*Rq`` elements (error recovery compares it)."""
    response_data: str = "includeAll"
    """``QBXMLMsgsRq responseData``: ``includeNone`` answers statuses without records."""


def parse_error(detail: str) -> ParseRefusal:
    """0x80040400 with QuickBooks' exact text; ``detail`` says what our parser saw."""
    return ParseRefusal(detail)


def latin1(text: str) -> str:
    """Characters outside ISO-8859-1 become ``?`` (see module docstring)."""
    if text.isascii():
        return text
    return text.encode("iso-8859-1", errors="replace").decode("iso-8859-1")


def _latin1_tree(root: etree._Element) -> None:
    """Character references (``&#x6771;``) survive the text pass: fold them too."""
    for elem in root.iter():
        if elem.text and not elem.text.isascii():
            elem.text = latin1(elem.text)
        for key, value in elem.attrib.items():
            if not str(value).isascii():
                elem.set(key, latin1(str(value)))


def read_message_set(text: str, supported: tuple[str, ...]) -> RequestSet:
    if len(text) > MAX_REQUEST_CHARS:
        raise parse_error("request too large")
    try:
        root = parse_document(latin1(text), max_bytes=MAX_REQUEST_CHARS)
    except QbxmlError as exc:
        raise parse_error(str(exc)) from None
    _latin1_tree(root)
    version = _prolog_version(root, supported)
    schema = Schema.for_version(_tables_for(version))
    msgs = _msgs_element(root)
    _check_msgs_attributes(schema, msgs)
    requests = tuple(_read_request(schema, rq) for rq in msgs if isinstance(rq.tag, str))
    canonical = "".join(
        etree.tostring(rq, method="c14n").decode("utf-8") for rq in msgs if isinstance(rq.tag, str)
    )
    return RequestSet(
        version,
        schema,
        msgs.get("onError", "stopOnError"),
        msgs.get("newMessageSetID"),
        msgs.get("oldMessageSetID"),
        requests,
        canonical,
        msgs.get("responseData", "includeAll"),
    )


def _prolog_version(root: etree._Element, supported: tuple[str, ...]) -> str:
    node = root.getprevious()
    while node is not None:
        if isinstance(node, etree._ProcessingInstruction) and node.target == "qbxml":
            match = _VERSION.search(node.text or "")
            if match is None:
                raise parse_error("the qbxml instruction has no version")
            version = f"{int(match.group(2))}.{int(match.group(3))}"
            if version not in supported:
                top = supported[-1] if supported else "none"
                raise VersionRefusal(
                    f"qbXML {version} requested; this QuickBooks supports up to {top}"
                )
            return version
        node = node.getprevious()
    raise parse_error('missing <?qbxml version="X.Y"?> instruction')


def _tables_for(version: str) -> str:
    if version in SUPPORTED_VERSIONS:
        return version
    major = float(version)
    return SUPPORTED_VERSIONS[0] if major < float(SUPPORTED_VERSIONS[0]) else SUPPORTED_VERSIONS[-1]


def _msgs_element(root: etree._Element) -> etree._Element:
    if root.tag != "QBXML":
        raise parse_error(f"the root element is <{root.tag}>, not <QBXML>")
    found = [c for c in root if isinstance(c.tag, str)]
    msgs = [c for c in found if c.tag == "QBXMLMsgsRq"]
    others = [c.tag for c in found if c.tag not in ("QBXMLMsgsRq", "SignonMsgsRq")]
    if len(msgs) != 1 or others:
        raise parse_error("<QBXML> must hold exactly one <QBXMLMsgsRq>")
    return msgs[0]


def _check_msgs_attributes(schema: Schema, msgs: etree._Element) -> None:
    model = schema.content("QBXMLMsgsRq")
    for key, value in msgs.attrib.items():
        attr = model.attribute(str(key))
        if attr is None:
            raise parse_error(f"<QBXMLMsgsRq> has no attribute {key!r}")
        if attr.leaf.enum is not None and str(value).strip() not in attr.leaf.enum:
            raise parse_error(f"onError={value!r} is not allowed")
    if "onError" not in msgs.attrib:
        raise parse_error("<QBXMLMsgsRq> needs the onError attribute")
    if msgs.get("onError", "").strip() == "rollbackOnError":
        # In the schema, but "not valid and will produce an error" (Intuit's qbXML message
        # attributes table, as copied at is2qb.com/documentation/qbxml-message-information;
        # QbSync README). Which error is not said: refusing the whole request is the
        # reading where nothing runs (medium confidence).
        raise parse_error("onError='rollbackOnError' is not supported by QuickBooks")


def _read_request(schema: Schema, element: etree._Element) -> Request:
    try:
        validate_request(schema, element)
    except SchemaViolation as exc:
        raise parse_error(str(exc)) from None
    model = schema.content(str(element.tag))
    attrs = {str(k): str(v) for k, v in element.attrib.items()}
    body = raw_values(model, element)
    return Request(str(element.tag), attrs.get("requestID"), attrs, body, *_macros(element))


def _macros(element: etree._Element) -> tuple[str | None, tuple[MacroUse, ...]]:
    """``defMacro`` on the ``*Add``/``*Mod`` aggregate, ``useMacro`` on any leaf below."""
    defined = next(
        (str(c.get("defMacro")) for c in element if isinstance(c.tag, str) and c.get("defMacro")),
        None,
    )
    uses = tuple(
        MacroUse(_path(element, leaf), str(leaf.get("useMacro")))
        for leaf in element.iter()
        if isinstance(leaf.tag, str) and leaf.get("useMacro")
    )
    return defined, uses


def _path(top: etree._Element, leaf: etree._Element) -> MacroPath:
    steps: list[tuple[str, int]] = []
    node: etree._Element | None = leaf
    while node is not None and node is not top:
        same = [s for s in node.itersiblings(preceding=True) if s.tag == node.tag]
        steps.append((str(node.tag), len(same)))
        node = node.getparent()
    return tuple(reversed(steps))
