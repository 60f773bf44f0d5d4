"""Queueing a write for QuickBooks (issue 19, writes; the first piece): a record in the API's
camelCase shape checked against the qbXML schema, every field error reported at once, then
kept in the outbox (``connector.store.outbox``) until a Web Connector session sends it.

Owns: ``PUSH_TYPES`` (the data types that may be pushed so far: customers, as CustomerAdd),
the camelCase -> qbXML element mapping (``to_qbxml``: the inverse of the data endpoints'
``camel``, driven by the schema's element names, nested aggregates included) and the checks
(``validate``): unknown fields, required ones, types, lengths (maxLength from the schema)
and ISO-8859-1 text, by building the Add request one field at a time so every error is named,
not only the first. References that must exist in the synced store are not checked yet.
Must not: send anything (the sync engine's session work does, once it takes pushes) or write
SQL itself.

Not done yet (issue 19): the route ``POST /companies/{companyId}/push/{dataType}``, sending
pushes in the next session before reads with message-set recovery, Mod/Del/Void, the other
write types, and ``push.*`` webhook events.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from connector.qbxml import build
from connector.qbxml.datatypes import BY_KEY
from connector.qbxml.errors import QbxmlBuildError
from connector.qbxml.schema import Schema
from connector.store import outbox
from connector.store.db import Database
from connector.store.errors import InvalidValue
from connector.sync.normalise import camel

PUSH_TYPES = frozenset({"customers"})
VERSION = "13.0"
"""The qbXML version records are checked against (every supported QuickBooks reads it)."""


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


def _names(schema: Schema, element: str) -> dict[str, str]:
    return {camel(child.name): child.name for child in schema.children(element)}


def to_qbxml(
    schema: Schema, element: str, record: Mapping[str, Any], path: str = ""
) -> tuple[dict[str, Any], list[FieldError]]:
    """``{"companyName": ...}`` -> ``{"CompanyName": ...}`` under ``element``; unknown
    camelCase names become errors (nested aggregates are mapped the same way)."""
    names = _names(schema, element)
    out: dict[str, Any] = {}
    errors: list[FieldError] = []
    for key, value in record.items():
        where = f"{path}{key}"
        name = names.get(key)
        if name is None:
            errors.append(FieldError(where, f"not a field of {element}"))
            continue
        if isinstance(value, Mapping) and schema.children(name):
            out[name], inner = to_qbxml(schema, name, value, f"{where}.")
            errors += inner
        else:
            out[name] = value
    return out, errors


def validate(data_type: str, record: Mapping[str, Any]) -> dict[str, Any]:
    """The record as qbXML elements of the type's Add request, or ``PushRefused`` with every
    field error."""
    if data_type not in PUSH_TYPES:
        known = ", ".join(sorted(PUSH_TYPES))
        raise InvalidValue(f"{data_type!r} cannot be pushed yet (pushable: {known})")
    add = BY_KEY[data_type].add
    assert add is not None  # every PUSH_TYPES entry has an Add request
    schema = Schema.for_version(VERSION)
    qbxml, errors = to_qbxml(schema, add, record)
    required = [c for c in schema.children(add) if c.min >= 1 and not c.choice]
    for child in required:
        if child.name not in qbxml:
            errors.append(FieldError(camel(child.name), "required"))
    names = {v: k for k, v in _names(schema, add).items()}
    # a missing required text field gets a stand-in while the others are checked alone
    base = {c.name: qbxml.get(c.name, "x") for c in required}
    for name, value in qbxml.items():
        try:  # one field at a time (beside the required ones): every error, not the first
            build.add(add, base | {name: value}, VERSION)
        except QbxmlBuildError as exc:
            errors.append(FieldError(names.get(name, name), exc.message))
    if errors:
        unique = list({(e.field, e.message): e for e in errors}.values())
        raise PushRefused(data_type, unique)
    return qbxml


def queue_push(
    database: Database,
    company_id: str,
    data_type: str,
    record: Mapping[str, Any],
    *,
    idempotency_key: str | None,
    now: datetime,
) -> tuple[outbox.Push, bool]:
    """Check, then keep the push as ``pending`` (same idempotency key: the same push)."""
    validate(data_type, record)
    return outbox.create_push(
        database, company_id, data_type, "add", record, idempotency_key=idempotency_key, now=now
    )
