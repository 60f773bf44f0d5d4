"""Answers to qbXML: ``*Rs`` elements and the response document, as QuickBooks emits them.

Owns: the status and iterator attributes in QuickBooks' order (``requestID statusCode
statusSeverity statusMessage retCount iteratorRemainingCount iteratorID``), pruning each
record to the children the answered version's ``*Ret`` has (the company file keeps 16.0
fields; a 13.0 answer must not carry them), and the document prolog. Real QuickBooks
answers with ``<?xml version="1.0" ?>`` and no ``<?qbxml?>`` instruction
(reference/responses/qbwc-qbwc/*.xml), so the fake does the same. Serialisation in schema
order is ``connector.qbxml.encode``'s. Must not: decide statuses or read the company file.
"""

from __future__ import annotations

from collections.abc import Sequence

from lxml import etree

from connector.qbxml.encode import encode_element
from connector.qbxml.schema import ContentModel, Schema
from connector.qbxml.values import RecordData, Value

from .context import Answer

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


def answer_element(schema: Schema, answer: Answer, request_id: str | None) -> etree._Element:
    """One ``*Rs`` element for ``answer``."""
    model = schema.content(answer.name)
    rs = etree.Element(answer.name)
    allowed = {a.name for a in model.attributes}
    attrs: list[tuple[str, object]] = [
        ("requestID", request_id),
        ("statusCode", answer.status.code),
        ("statusSeverity", answer.status.severity),
        ("statusMessage", answer.status.message),
        ("retCount", answer.ret_count),
        ("iteratorRemainingCount", answer.iterator_remaining),
        ("iteratorID", answer.iterator_id),
    ]
    for name, value in attrs:
        if value is not None and name in allowed:
            rs.set(name, str(value))
    for name, value in answer.rets:
        spec = model.child(name)
        if spec is None:
            continue  # a kind this version's response cannot carry
        item = (
            _prune_value(schema, spec.content, value)
            if isinstance(spec.content, ContentModel) and schema.version != STORE_VERSION
            else value
        )
        rs.append(encode_element(schema, name, item, model))
    return rs


def response_document(
    responses: Sequence[etree._Element],
    *,
    new_message_set_id: str | None = None,
    message_set_status: int | None = None,
) -> str:
    """The whole answer string, as ProcessRequest returns it."""
    root = etree.Element("QBXML")
    msgs = etree.SubElement(root, "QBXMLMsgsRs")
    if new_message_set_id is not None:
        msgs.set("newMessageSetID", new_message_set_id)
    if message_set_status is not None:
        msgs.set("messageSetStatusCode", str(message_set_status))
    for rs in responses:
        msgs.append(rs)
    return PROLOG + etree.tostring(root, encoding="unicode")
