"""Rendering a ``QuerySpec`` into the qbXML request string sent to QuickBooks.

Owns: which filters a sync query carries for each data type: ``ActiveStatus`` All for lists
(QuickBooks answers active records only by default), ``FromModifiedDate`` for lists and
``ModifiedDateRangeFilter`` for transactions, ``IncludeLineItems`` and ``IncludeLinkedTxns`` where the query has them,
``MaxReturned`` and the iterator attributes for iterated queries, the ``ListDelType`` /
``TxnDelType`` lists of deleted-object sweeps (only the values the negotiated version's
schema enumerates) and their ``DeletedDateRangeFilter``; a probe's ``IncludeRetElement``
(no line items then) and a fetch's ``ListID``/``TxnID`` list (``connector.sync.probe``). Serialization and schema order are ``connector.qbxml.encode``'s.
Must not: decide what to ask (``plan``) or do I/O.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from connector.qbxml.datatypes import BY_KEY, DataType, Kind
from connector.qbxml.encode import OnError, document_text, encode_element
from connector.qbxml.filters import IteratorMode
from connector.qbxml.schema import Schema
from connector.sync.plan import QuerySpec


def _has(schema: Schema, request: str, child: str) -> bool:
    return schema.child(request, child) is not None


def _allowed_enum(schema: Schema, request: str, child: str, values: tuple[str, ...]) -> list[str]:
    leaf = schema.leaf(request, child)
    if leaf is None or leaf.enum is None:
        return list(values)
    return [v for v in values if v in leaf.enum]


def query_body(schema: Schema, dt: DataType, spec: QuerySpec) -> dict[str, Any]:
    """The children of ``{dt.query}Rq`` for ``spec`` (a value for ``encode_element``)."""
    rq = dt.request
    body: dict[str, Any] = {}
    if dt.kind is Kind.DELETED:
        child = "ListDelType" if dt.key == "deleted_lists" else "TxnDelType"
        body[child] = _allowed_enum(schema, rq, child, spec.del_types)
        if spec.from_modified is not None:
            since = datetime.fromisoformat(spec.from_modified)
            body["DeletedDateRangeFilter"] = {"FromDeletedDate": since}
        return body
    if spec.ids:
        body[dt.id_field] = list(spec.ids)  # the ID list stands instead of every filter
        return body | _lines(schema, dt)
    if spec.max_returned is not None and spec.iterator is not None:
        body["MaxReturned"] = spec.max_returned
    continuing = spec.iterator is IteratorMode.CONTINUE
    if dt.kind is Kind.LIST and not continuing and _has(schema, rq, "ActiveStatus"):
        body["ActiveStatus"] = "All"
    if spec.from_modified is not None and not continuing:
        when = datetime.fromisoformat(spec.from_modified)
        if dt.kind is Kind.TXN:
            body["ModifiedDateRangeFilter"] = {"FromModifiedDate": when}
        else:
            body["FromModifiedDate"] = when
    if spec.include_ret:
        body["IncludeRetElement"] = list(spec.include_ret)
        return body
    return body | _lines(schema, dt)


def _lines(schema: Schema, dt: DataType) -> dict[str, Any]:
    """A transaction's lines and links, which QuickBooks returns only when asked."""
    body: dict[str, Any] = {}
    if dt.kind is Kind.TXN and _has(schema, dt.request, "IncludeLineItems"):
        body["IncludeLineItems"] = True
    if dt.kind is Kind.TXN and _has(schema, dt.request, "IncludeLinkedTxns"):
        body["IncludeLinkedTxns"] = True  # LinkedTxn (payments applied...) only on request
    return body


def render(spec: QuerySpec, version: str) -> str:
    """The full qbXML document for ``spec`` in qbXML ``version`` (``stopOnError``)."""
    schema = Schema.for_version(version)
    dt = BY_KEY[spec.data_type]
    attrs = {"requestID": spec.request_id}
    if spec.iterator is not None:
        attrs["iterator"] = spec.iterator.value
        if spec.iterator_id is not None:
            attrs["iteratorID"] = spec.iterator_id
    element = encode_element(schema, dt.request, query_body(schema, dt, spec), attrs=attrs)
    return document_text(version, [element], response=False, on_error=OnError.STOP)
