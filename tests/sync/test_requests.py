"""Every query the sync engine emits is valid for each qbXML version's schema."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from lxml import etree

from connector.qbxml.datatypes import BY_KEY
from connector.qbxml.schema import SUPPORTED_VERSIONS
from connector.sync.plan import (
    LIST_DEL_TYPES,
    QUERY_TYPES,
    TXN_DEL_TYPES,
    IteratorAction,
    QuerySpec,
)
from connector.sync.requests import render
from tests.refpaths import reference_path

WATERMARK = "2026-02-01T09:30:00-08:00"


@pytest.fixture(scope="module")
def validator() -> Callable[[str, str], None]:
    schemas: dict[str, etree.XMLSchema] = {}

    def validate(version: str, xml: str) -> None:
        if version not in schemas:
            nn = version.replace(".", "")
            path = reference_path("xsd", f"qbxml{version}", f"qbxmlops{nn}.xsd")
            schemas[version] = etree.XMLSchema(etree.parse(str(path)))
        doc = etree.fromstring(xml.encode("utf-8"))
        schemas[version].assertValid(doc)

    return validate


def _specs(key: str) -> list[QuerySpec]:
    dt = BY_KEY[key]
    if dt.key == "deleted_lists":
        return [QuerySpec(key, "1.d", del_types=tuple(LIST_DEL_TYPES))]
    if dt.key == "deleted_txns":
        return [QuerySpec(key, "1.d", del_types=tuple(TXN_DEL_TYPES))]
    if not dt.iterator:
        return [QuerySpec(key, "1.a"), QuerySpec(key, "2.a", from_modified=WATERMARK)]
    return [
        QuerySpec(key, "1.a", IteratorAction.START, None, 250),
        QuerySpec(key, "2.a", IteratorAction.START, None, 250, WATERMARK),
        QuerySpec(
            key, "3.a", IteratorAction.CONTINUE, "{0f3c1c88-aa2b-4a5c-9d3e-1b2c3d4e5f60}", 250
        ),
    ]


KEYS = [d.key for d in QUERY_TYPES] + ["deleted_lists", "deleted_txns"]


@pytest.mark.parametrize("version", SUPPORTED_VERSIONS)
@pytest.mark.parametrize("key", KEYS)
def test_sync_queries_validate(
    key: str, version: str, validator: Callable[[str, str], None]
) -> None:
    for spec in _specs(key):
        xml = render(spec, version)
        validator(version, xml)
        assert f'requestID="{spec.request_id}"' in xml


def test_list_queries_ask_for_inactive_records_too() -> None:
    xml = render(QuerySpec("customers", "1.c", IteratorAction.START, None, 10), "16.0")
    assert "<ActiveStatus>All</ActiveStatus>" in xml


def test_txn_queries_carry_line_items_and_a_modified_range() -> None:
    xml = render(QuerySpec("invoices", "1.i", IteratorAction.START, None, 10, WATERMARK), "16.0")
    assert "<IncludeLineItems>true</IncludeLineItems>" in xml
    assert f"<ModifiedDateRangeFilter><FromModifiedDate>{WATERMARK}</FromModifiedDate>" in xml


def test_deleted_sweep_sends_only_enumerated_types() -> None:
    xml = render(QuerySpec("deleted_txns", "1.d", del_types=("Invoice", "Transfer")), "16.0")
    assert "<TxnDelType>Invoice</TxnDelType>" in xml
    assert "Transfer" not in xml
