"""Answers to qbXML: ``*Rs`` elements and the response document, as QuickBooks emits them.

Owns: the status and iterator attributes in QuickBooks' order (``requestID statusCode
statusSeverity statusMessage retCount iteratorRemainingCount iteratorID``), pruning each
record to the children the answered version's ``*Ret`` has (the company file keeps 16.0
fields; a 13.0 answer must not carry them), and the document prolog. Real QuickBooks
answers with ``<?xml version="1.0" ?>`` and no ``<?qbxml?>`` instruction
(reference/responses/qbwc-qbwc/*.xml), so the fake does the same. Serialisation in schema
order is ``connector.qbxml.encode``'s: ``answer_text`` writes records with its string door
``encode_text`` (issue 5: a 250-record page is most of what the fake spends), the same
characters as serialising ``answer_element``'s lxml tree, which stays the reference and the
fallback for an attribute value that needs lxml's judgement.
Must not: decide statuses or read the company file.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from lxml import etree

from connector.qbxml.encode import encode_element, encode_text
from connector.qbxml.safexml import parse_document
from connector.qbxml.schema import ContentModel, Schema
from connector.qbxml.values import RecordData, Value

from .context import Reply

PROLOG = '<?xml version="1.0" ?>'
STORE_VERSION = "16.0"
"""The company file keeps 16.0 records: a 16.0 answer needs no pruning (an unknown key
would still be refused by the encoder, and answered as status 1000)."""


def prune(schema: Schema, model: ContentModel, data: RecordData) -> RecordData:
    """``data`` without the children ``model`` lacks (recursively)."""
    out: RecordData = {}
    for name, value in data.items():
        spec = model.child(name)
        if spec is None or value is None:
            continue
        if isinstance(spec.content, ContentModel) and spec.content.children:
            out[name] = _prune_value(schema, spec.content, value)
        else:
            out[name] = value
    return out


def _prune_value(schema: Schema, model: ContentModel, value: Value) -> Value:
    if isinstance(value, list):
        return [_prune_value(schema, model, v) for v in value]
    if isinstance(value, dict):
        return prune(schema, model, value)
    return value


def _attributes(schema: Schema, answer: Reply, request_id: str | None) -> list[tuple[str, str]]:
    """The ``*Rs`` attributes that are set and that this version's ``*Rs`` has, in order."""
    allowed = {a.name for a in schema.content(answer.name).attributes}
    attrs: list[tuple[str, object]] = [
        ("requestID", request_id),
        ("statusCode", answer.status.code),
        ("statusSeverity", answer.status.severity),
        ("statusMessage", answer.status.message),
        ("retCount", answer.ret_count),
        ("iteratorRemainingCount", answer.iterator_remaining),
        ("iteratorID", answer.iterator_id),
    ]
    return [(name, str(value)) for name, value in attrs if value is not None and name in allowed]


def _records(schema: Schema, answer: Reply) -> list[tuple[str, Value]]:
    """The children this version's ``*Rs`` can carry, pruned to its ``*Ret``s."""
    model = schema.content(answer.name)
    out: list[tuple[str, Value]] = []
    for name, value in answer.rets:
        spec = model.child(name)
        if spec is None:
            continue  # a kind this version's response cannot carry
        item = (
            _prune_value(schema, spec.content, value)
            if isinstance(spec.content, ContentModel) and schema.version != STORE_VERSION
            else value
        )
        out.append((name, item))
    return out


def answer_element(schema: Schema, answer: Reply, request_id: str | None) -> etree._Element:
    """One ``*Rs`` element for ``answer`` (the lxml reference of ``answer_text``)."""
    model = schema.content(answer.name)
    rs = etree.Element(answer.name)
    for name, value in _attributes(schema, answer, request_id):
        rs.set(name, value)
    for name, item in _records(schema, answer):
        rs.append(encode_element(schema, name, item, model))
    if answer.raw is not None:
        rs.append(parse_document(answer.raw))
    return rs


def answer_text(schema: Schema, answer: Reply, request_id: str | None) -> str:
    """``answer_element`` serialised, written as a string; raises what it raises."""
    attrs = _attributes(schema, answer, request_id)
    model = schema.content(answer.name)
    head = _start_tag(answer.name, attrs)  # before the records, as answer_element refuses
    records = [encode_text(schema, name, item, model) for name, item in _records(schema, answer)]
    if answer.raw is not None:
        records.append(answer.raw)
    return _close(answer.name, head, records)


def response_document(
    responses: Sequence[str],
    *,
    new_message_set_id: str | None = None,
    message_set_status: int | None = None,
) -> str:
    """The whole answer string, as ProcessRequest returns it, around ``answer_text``s."""
    attrs: list[tuple[str, str]] = []
    if new_message_set_id is not None:
        attrs.append(("newMessageSetID", new_message_set_id))
    if message_set_status is not None:
        attrs.append(("messageSetStatusCode", str(message_set_status)))
    msgs = _close("QBXMLMsgsRs", _start_tag("QBXMLMsgsRs", attrs), responses)
    return PROLOG + "<QBXML>" + msgs + "</QBXML>"


INDENT = "  "
"""QuickBooks' own indentation: answers recorded from live company files are laid out one
element a line, indented by two spaces, with a line break at the end
(reference/responses/hotglue-qbwc-common, qbwc-qbxml; the 2008 SOAP log keeps whitespace
between elements), while those in reference/responses/qbwc-qbwc are in one line, as the fake
answers by default. Which QuickBooks versions write which is not documented (uncertain)."""


def indented(document: str) -> str:
    """``document`` (an answer of ``response_document``) laid out as QuickBooks writes it."""
    root = parse_document(document, max_bytes=len(document) + 1)  # the fake's own, any size
    etree.indent(root, space=INDENT)
    return PROLOG + "\n" + etree.tostring(root, encoding="unicode") + "\n"


def _start_tag(name: str, attrs: Sequence[tuple[str, str]]) -> str:
    """``<name a="v" ...`` without its end; the values written as lxml writes them."""
    return "<" + name + "".join(f' {key}="{_attribute(value)}"' for key, value in attrs)


def _close(name: str, head: str, children: Sequence[str]) -> str:
    if not children:
        return head + "/>"
    return head + ">" + "".join(children) + "</" + name + ">"


_PLAIN = re.compile(r"[^\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]*")
"""Text XML can carry; lxml refuses the rest (C0 controls but tab, LF and CR; surrogates;
U+FFFE, U+FFFF) with a ``ValueError``."""
_ATTRIBUTE_REFS = (
    ("&", "&amp;"),
    ("<", "&lt;"),
    (">", "&gt;"),
    ('"', "&quot;"),
    ("\t", "&#9;"),
    ("\n", "&#10;"),
    ("\r", "&#13;"),
)


def _attribute(value: str) -> str:
    """``value`` as libxml2 writes an attribute value: ``& < > "`` as entities, tab, LF and
    CR as character references (a parser would normalise them to spaces), the rest as is."""
    if not _PLAIN.fullmatch(value):
        etree.Element("a").set("a", value)  # the ValueError answer_element raised
    for char, ref in _ATTRIBUTE_REFS:
        if char in value:
            value = value.replace(char, ref)
    return value
