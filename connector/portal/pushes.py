"""Queueing a write for QuickBooks (issue 19, writes): the record checked against the qbXML
schema (``connector.sync.writes``: every field error at once) and its references against the
synced store, then kept in the outbox (``connector.store.outbox``) as ``pending`` until a Web
Connector session sends it (``connector.sync.pushing``).

Owns: which data types a reference may name (``REF_TYPES``, by the reference's element name;
every ``*AccountRef`` names an account; references to lists the connector does not sync,
such as ``ShipMethodRef``, cannot be checked and are left to QuickBooks, whose 3140 comes
back as the push's failure) and the reference check: a reference must name a live synced
record (by ``listId``, or ``fullName``), or an Add push of that type queued before it and
not yet done (by ``fullName``): the dependent push then waits for it, since a company's
pushes go out in the order received and a session stops pushing at the first one that must
wait (``connector.sync.pushing``).
Must not: send anything or write SQL itself.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import Connection

from connector.store import outbox, record_refs
from connector.store.db import Database
from connector.sync.normalise import camel
from connector.sync.writes import FieldError, PushRefused, Write, validate

ENTITIES = ("customers", "vendors", "employees", "other_names")
REF_TYPES: dict[str, tuple[str, ...]] = {
    "CustomerRef": ("customers",),
    "VendorRef": ("vendors",),
    "ItemRef": ("items",),
    "ClassRef": ("classes",),
    "TermsRef": ("terms",),
    "PaymentMethodRef": ("payment_methods",),
    "SalesTaxCodeRef": ("sales_tax_codes",),
    "CustomerSalesTaxCodeRef": ("sales_tax_codes",),
    "ItemSalesTaxRef": ("sales_tax_items", "items"),
    "CurrencyRef": ("currencies",),
    "EntityRef": ENTITIES,
    "PayeeEntityRef": ENTITIES,
    "ReceivedFromRef": ENTITIES,
}
"""What a reference element may name; ``*AccountRef`` -> accounts; ``ParentRef`` -> the
pushed record's own type."""


def ref_types(element: str, data_type: str) -> tuple[str, ...] | None:
    if element.endswith("AccountRef"):
        return ("accounts",)
    if element == "ParentRef":
        return (data_type,)
    return REF_TYPES.get(element)


def _refs(value: Any, path: str) -> Iterator[tuple[str, str, Mapping[str, Any]]]:
    """Every ``*Ref`` aggregate in a mapped record: (field path, element, its value)."""
    if isinstance(value, Mapping):
        for name, inner in value.items():
            where = f"{path}.{name}" if path else name
            if name.endswith("Ref") and isinstance(inner, Mapping):
                yield where, name, inner
            else:
                yield from _refs(inner, where)
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from _refs(item, f"{path}[{i}]")


def _camel_path(path: str) -> str:
    parts = path.split(".")
    return ".".join(camel(p.split("[")[0]) + (p[p.index("[") :] if "[" in p else "") for p in parts)


def ref_errors(conn: Connection, company_id: str, write: Write) -> list[FieldError]:
    """References that name nothing synced and nothing queued before."""
    errors = []
    for path, element, ref in _refs(write.value, ""):
        types = ref_types(element, write.data_type.key)
        if types is None:
            continue  # a list the connector does not sync: QuickBooks checks it (3140)
        list_id, full_name = ref.get("ListID"), ref.get("FullName")
        found = record_refs.ref_exists(
            conn, company_id, types,
            list_id=str(list_id) if list_id is not None else None,
            full_name=str(full_name) if full_name is not None else None,
        )  # fmt: skip
        if not found and list_id is None and full_name is not None:
            found = record_refs.queued_name(conn, company_id, types, str(full_name))
        if not found:
            what = f"listId {list_id!r}" if list_id is not None else f"fullName {full_name!r}"
            errors.append(
                FieldError(_camel_path(path), f"no {' or '.join(types)} record with {what}")
            )
    return errors


def queue_push(
    database: Database,
    company_id: str,
    data_type: str,
    record: Mapping[str, Any],
    *,
    operation: str = "add",
    idempotency_key: str | None,
    now: datetime,
) -> tuple[outbox.Push, bool]:
    """Check, then keep the push as ``pending`` (same idempotency key: the same push)."""
    write = validate(data_type, record, operation)
    with database.begin() as conn:
        if idempotency_key is not None:  # a retry of a queued push is answered as it was
            known = outbox.find_by_key(conn, company_id, idempotency_key)
            if known is not None:
                return outbox.same_push(known, data_type, operation, record, idempotency_key), False
        errors = ref_errors(conn, company_id, write)
        if errors:
            raise PushRefused(data_type, errors)
        return outbox.create_push(
            conn, company_id, data_type, operation, record,
            idempotency_key=idempotency_key, now=now,
        )  # fmt: skip
