"""Checking and queueing a pushed record (issue 19, writes): camelCase in, qbXML elements of
the Add request out, every field error at once, nothing queued when any is wrong."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from connector.portal.pushes import queue_push
from connector.qbxml import build
from connector.store import outbox
from connector.store.companies import create_company
from connector.store.db import Database
from connector.store.errors import InvalidValue
from connector.sync.writes import PushRefused, validate

T0 = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)


def test_a_camel_case_record_becomes_the_add_requests_elements() -> None:
    record = {
        "name": "Acme Plumbing",
        "companyName": "Acme Plumbing LLC",
        "isActive": True,
        "billAddress": {"addr1": "1 Main St", "city": "Boston", "postalCode": "02101"},
        "email": "ap@acme.example",
    }
    qbxml = validate("customers", record).value
    assert qbxml == {
        "Name": "Acme Plumbing",
        "CompanyName": "Acme Plumbing LLC",
        "IsActive": True,
        "BillAddress": {"Addr1": "1 Main St", "City": "Boston", "PostalCode": "02101"},
        "Email": "ap@acme.example",
    }
    build.write("CustomerAdd", qbxml, "13.0")  # and the whole request builds


def test_every_field_error_is_named_at_once() -> None:
    with pytest.raises(PushRefused) as refused:
        validate(
            "customers",
            {
                "companyName": "x" * 100,
                "nope": 1,
                "billAddress": {"zzz": 1},
                "isActive": "maybe",
                "email": "caf\u00e9 \u20ac",
            },
        )
    fields = {e.field: e.message for e in refused.value.errors}
    assert set(fields) == {"name", "companyName", "nope", "billAddress.zzz", "isActive", "email"}
    assert fields["name"] == "required" and "41" in fields["companyName"]
    assert "ISO-8859-1" in fields["email"]


def test_writes_the_table_does_not_allow_are_refused_by_name() -> None:
    with pytest.raises(InvalidValue, match="cannot be pushed as 'add'"):
        validate("estimates", {"customerRef": {"fullName": "Acme"}})
    with pytest.raises(InvalidValue, match="'host' cannot be pushed"):
        validate("host", {})


def test_a_refused_record_queues_nothing_and_a_good_one_is_pending(db: Database) -> None:
    company = create_company(db, "Acme")
    with pytest.raises(PushRefused):
        queue_push(db, company.id, "customers", {"companyName": "No Name"},
                   idempotency_key="k", now=T0)  # fmt: skip
    assert outbox.list_pushes(db, company.id) == []
    push, new = queue_push(
        db, company.id, "customers", {"name": "Acme Plumbing"}, idempotency_key="k", now=T0
    )
    assert new and push.status == "pending" and push.operation == "add"


def test_deletes_and_voids_take_only_the_id_and_items_their_kind() -> None:
    assert validate("invoices", {"txnId": "1-2"}, "void").value == {"TxnID": "1-2"}
    removal = validate("items", {"listId": "8-1", "type": "ItemService"}, "delete")
    assert removal.value == {"ListID": "8-1", "ListDelType": "ItemService"}
    with pytest.raises(PushRefused) as refused:
        validate("items", {"listId": "8-1", "memo": "x"}, "delete")
    assert {e.field for e in refused.value.errors} == {"memo", "type"}
    with pytest.raises(PushRefused) as refused:
        validate("customers", {"listId": ""}, "delete")
    assert [e.field for e in refused.value.errors] == ["listId"]
