"""Request builders: Query, Add, Mod, Del and Void requests for a qbXML version.
About 300 lines: one builder per request kind (Query, Add or Mod, Del, Void) over the same checks.

Owns: turning a data type (``datatypes.py``) plus typed filters (``filters.py``) or a
record value into a ``*Rq`` element, and wrapping requests into a document
(``<?xml?>``/``<?qbxml version?>`` prolog, ``QBXMLMsgsRq onError``, message-set IDs).
Everything is checked against the schema of the version asked for: a filter or field the
query or version lacks, an iterator on a query that cannot iterate, text outside ISO-8859-1
or over maxLength all raise a ``QbxmlBuildError`` subclass naming the element.
Must not: decide what to sync (``connector.sync``) or parse responses.

API::

    query(data_type, version, QueryFilter(...), iterator=Iterator.start(), request_id="1")
    write("CustomerAdd", record, version, request_id=...) # the issue's write list only
    write("InvoiceMod", record, version)                 # record carries TxnID + EditSequence
    delete(data_type, object_id, version)                # TxnDel or ListDel
    void(data_type, txn_id, version)                     # TxnVoid
    list_delete("ItemService", list_id, version); txn_delete("Bill", txn_id, version)
    request_document(version, [rq, ...], on_error=OnError.CONTINUE,
                     new_message_set_id=..., old_message_set_id=...) -> str
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from enum import Enum

from lxml import etree

from connector.qbxml.datatypes import (
    BY_KEY,
    DATA_TYPES,
    WRITE_ONLY,
    WRITE_ONLY_MODS,
    DataType,
    Kind,
)
from connector.qbxml.encode import OnError, document_text, encode_element
from connector.qbxml.errors import BadValueError, UnsupportedError
from connector.qbxml.filters import Iterator, QueryFilter
from connector.qbxml.leaves import check_text
from connector.qbxml.schema import Schema

__all__ = [
    "ADDS",
    "MAX_REQUEST_ID",
    "MODS",
    "delete",
    "list_delete",
    "query",
    "request_document",
    "supported_filters",
    "txn_delete",
    "void",
    "write",
]

MAX_REQUEST_ID = 50
"""statusCode 1060: invalid requestID, at most 50 characters (PROTOCOL.md 1.9; medium confidence)."""

ADDS: frozenset[str] = frozenset({d.add for d in DATA_TYPES if d.add} | set(WRITE_ONLY))
"""The Add requests we write (issue 2's write list)."""
MODS: frozenset[str] = frozenset({d.mod for d in DATA_TYPES if d.mod} | set(WRITE_ONLY_MODS))


def _data_type(data_type: DataType | str) -> DataType:
    if isinstance(data_type, DataType):
        return data_type
    if data_type not in BY_KEY:
        raise BadValueError(f"unknown data type {data_type!r}; known: {', '.join(BY_KEY)}")
    return BY_KEY[data_type]


def _attrs(request_id: str | None, version: str, path: str) -> dict[str, object]:
    if request_id is None:
        return {}
    check_text(request_id, max_length=MAX_REQUEST_ID, path=f"{path}@requestID", version=version)
    return {"requestID": request_id}


# -- queries ------------------------------------------------------------------------------
def query(
    data_type: DataType | str,
    version: str,
    filters: QueryFilter | None = None,
    *,
    iterator: Iterator | None = None,
    request_id: str | None = None,
) -> etree._Element:
    """The ``{query}Rq`` element of ``data_type`` for ``version``."""
    dtype = _data_type(data_type)
    schema = Schema.for_version(version)
    rq = dtype.request
    attrs = _attrs(request_id, version, rq)
    if iterator is not None:
        if not schema.supports_iterator(rq):
            raise UnsupportedError(
                f"{rq} does not support iterators (no iterator attribute in the schema; "
                "QuickBooks would reject the request)",
                path=rq,
                version=version,
            )
        attrs["iterator"] = iterator.mode.value
        if iterator.iterator_id is not None:
            attrs["iteratorID"] = iterator.iterator_id
    value = _query_value(schema, rq, filters or QueryFilter())
    return encode_element(schema, rq, value, attrs=attrs)


def _query_value(schema: Schema, rq: str, f: QueryFilter) -> dict[str, object]:
    """Filter fields -> element values, each checked to exist on ``rq`` in this version."""
    model = schema.content(rq)
    value: dict[str, object] = {}
    fields = (*_FILTER_ELEMENTS, ("deleted_types", _deleted_type_element(rq)))
    for field_name, element in fields:
        raw = _plain(getattr(f, field_name))
        if raw is None or raw == []:
            continue
        if model.child(element) is None:
            raise _missing_filter(schema, rq, field_name, element)
        value[element] = raw
    if f.modified is not None:
        value.update(_modified(schema, rq, f))
    return value


def _plain(raw: object) -> object:
    """A filter field as an element value: tuples -> lists, Enums -> their wire value,
    filter objects -> their ``value()`` dict."""
    if isinstance(raw, tuple):
        return list(raw)
    if isinstance(raw, Enum):
        return raw.value
    value = getattr(raw, "value", None)
    return value() if callable(value) else raw


def supported_filters(data_type: DataType | str, version: str) -> frozenset[str]:
    """The ``QueryFilter`` field names the data type's query accepts in ``version``
    (``modified`` maps to FromModifiedDate or ModifiedDateRangeFilter)."""
    dtype = _data_type(data_type)
    schema = Schema.for_version(version)
    model = schema.content(dtype.request)
    names = {field for field, element in _FILTER_ELEMENTS if model.child(element) is not None}
    if model.child("ListDelType") or model.child("TxnDelType"):
        names.add("deleted_types")
    if model.child("ModifiedDateRangeFilter") or model.child("FromModifiedDate"):
        names.add("modified")
    return frozenset(names)


_FILTER_ELEMENTS: tuple[tuple[str, str], ...] = (
    ("list_ids", "ListID"),
    ("full_names", "FullName"),
    ("txn_ids", "TxnID"),
    ("ref_numbers", "RefNumber"),
    ("max_returned", "MaxReturned"),
    ("active_status", "ActiveStatus"),
    ("name", "NameFilter"),
    ("txn_date", "TxnDateRangeFilter"),
    ("entity", "EntityFilter"),
    ("account", "AccountFilter"),
    ("ref_number", "RefNumberFilter"),
    ("ref_number_range", "RefNumberRangeFilter"),
    ("paid_status", "PaidStatus"),
    ("include_line_items", "IncludeLineItems"),
    ("include_linked_txns", "IncludeLinkedTxns"),
    ("deleted", "DeletedDateRangeFilter"),
    ("include_ret", "IncludeRetElement"),
    ("owner_ids", "OwnerID"),
)


def _deleted_type_element(rq: str) -> str:
    return "ListDelType" if rq == "ListDeletedQueryRq" else "TxnDelType"


def _modified(schema: Schema, rq: str, f: QueryFilter) -> dict[str, object]:
    """Lists take FromModifiedDate/ToModifiedDate directly; transactions nest them in
    ModifiedDateRangeFilter. The schema of the query decides which."""
    assert f.modified is not None
    pair: dict[str, object] = {
        "FromModifiedDate": f.modified.from_modified,
        "ToModifiedDate": f.modified.to_modified,
    }
    if schema.child(rq, "ModifiedDateRangeFilter") is not None:
        return {"ModifiedDateRangeFilter": pair}
    if schema.child(rq, "FromModifiedDate") is not None:
        return pair
    raise _missing_filter(schema, rq, "modified", "FromModifiedDate/ModifiedDateRangeFilter")


def _missing_filter(schema: Schema, rq: str, field_name: str, element: str) -> UnsupportedError:
    return UnsupportedError(
        f"the query has no {element} (filter field {field_name!r}) in this version",
        path=rq,
        version=schema.version,
    )


# -- writes -------------------------------------------------------------------------------
def write(
    name: str,
    record: Mapping[str, object],
    version: str,
    *,
    request_id: str | None = None,
    include_ret: Sequence[str] = (),
) -> etree._Element:
    """``{name}Rq`` wrapping ``{name}``, an Add (``CustomerAddRq``/``CustomerAdd``) or a Mod
    by the name's ending (a Mod's record must carry ListID/TxnID and the current
    EditSequence); ``include_ret`` limits the returned record to those fields
    (``IncludeRetElement``)."""
    kind, allowed = ("Mod", MODS) if name.endswith("Mod") else ("Add", ADDS)
    if name not in allowed:
        raise UnsupportedError(
            f"{name} is not among the {kind} requests we write ({', '.join(sorted(allowed))})",
            path=name,
            version=version,
        )
    schema = Schema.for_version(version)
    rq = f"{name}Rq"
    value = {name: dict(record), "IncludeRetElement": list(include_ret)}
    return encode_element(schema, rq, value, attrs=_attrs(request_id, version, rq))


def delete(
    data_type: DataType | str, object_id: str, version: str, *, request_id: str | None = None
) -> etree._Element:
    """TxnDel for a transaction type, ListDel for a list type, where the registry allows."""
    dtype, del_type = _removable(data_type, "deleted", version)
    if dtype.kind is Kind.TXN:
        return txn_delete(del_type, object_id, version, request_id=request_id)
    return list_delete(del_type, object_id, version, request_id=request_id)


def void(
    data_type: DataType | str, txn_id: str, version: str, *, request_id: str | None = None
) -> etree._Element:
    """TxnVoid, where the registry and the schema's TxnVoidType allow."""
    _dtype, void_type = _removable(data_type, "voided", version)
    return _by_type("TxnVoid", void_type, "TxnID", txn_id, version, request_id)


def _removable(data_type: DataType | str, verb: str, version: str) -> tuple[DataType, str]:
    """The data type and its TxnDelType, where the registry lets it be ``verb`` (deleted or
    voided)."""
    dtype = _data_type(data_type)
    allowed = dtype.can_void if verb == "voided" else dtype.can_delete
    if not allowed or dtype.txn_del_type is None:
        raise UnsupportedError(f"{dtype.key} cannot be {verb}", path=dtype.key, version=version)
    return dtype, dtype.txn_del_type


def txn_delete(
    txn_del_type: str, txn_id: str, version: str, *, request_id: str | None = None
) -> etree._Element:
    return _by_type("TxnDel", txn_del_type, "TxnID", txn_id, version, request_id)


def list_delete(
    list_del_type: str, list_id: str, version: str, *, request_id: str | None = None
) -> etree._Element:
    return _by_type("ListDel", list_del_type, "ListID", list_id, version, request_id)


def _by_type(
    base: str,
    type_value: str,
    id_element: str,
    object_id: str,
    version: str,
    request_id: str | None,
) -> etree._Element:
    """``{base}Rq`` with ``{base}Type`` checked against the schema's enumeration first, so
    the refusal says that QuickBooks does not allow it (not just 'bad enum value')."""
    schema = Schema.for_version(version)
    rq = f"{base}Rq"
    type_element = f"{base}Type"
    leaf = schema.leaf(rq, type_element)
    if leaf is not None and leaf.enum is not None and type_value not in leaf.enum:
        raise UnsupportedError(
            f"QuickBooks does not allow {base} of {type_value} ({type_element} lacks it)",
            path=f"{rq}/{type_element}",
            version=version,
        )
    value = {type_element: type_value, id_element: object_id}
    return encode_element(schema, rq, value, attrs=_attrs(request_id, version, rq))


# -- documents ----------------------------------------------------------------------------
def request_document(
    version: str,
    requests: Sequence[etree._Element],
    *,
    on_error: OnError = OnError.STOP,
    new_message_set_id: str | None = None,
    old_message_set_id: str | None = None,
) -> str:
    """A qbXML request document (what sendRequestXML returns)."""
    return document_text(
        version,
        list(requests),
        response=False,
        on_error=on_error,
        new_message_set_id=new_message_set_id,
        old_message_set_id=old_message_set_id,
    )
