"""Hypothesis against Intuit's XSDs: whatever the schema allows, the encoder emits valid qbXML.

Write requests (every Add/Mod of the write list) and ``*Ret`` records of every data type are
drawn from the schema tables (``test_roundtrip_strategies``), encoded in schema order and
validated by lxml against the real XSD of the version: a wrong order, a child of the wrong
choice branch or a badly formatted leaf fails here. Random query filters either build a
valid request or raise one of the builder's own errors, never anything else.
"""

from __future__ import annotations

from collections.abc import Set
from dataclasses import fields, replace

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree

from connector.qbxml import build
from connector.qbxml.datatypes import DATA_TYPES, DataType
from connector.qbxml.encode import document, encode_element
from connector.qbxml.errors import ChoiceConflictError, UnsupportedError
from connector.qbxml.filters import (
    ActiveStatus,
    EntityFilter,
    Iterator,
    ModifiedDateRange,
    PaidStatus,
    QueryFilter,
    TxnDateRange,
)
from connector.qbxml.schema import SUPPORTED_VERSIONS, ContentModel, Schema
from tests.qbxml.test_roundtrip_strategies import record
from tests.refpaths import reference_path

_XSD: dict[str, etree.XMLSchema] = {}
RS_STATUS = {"statusCode": 0, "statusSeverity": "Info"}


def xsd(version: str) -> etree.XMLSchema:
    """Each version's XSD, loaded once per test session."""
    if version not in _XSD:
        nn = version.replace(".", "")
        path = reference_path("xsd", f"qbxml{version}", f"qbxmlops{nn}.xsd")
        _XSD[version] = etree.XMLSchema(etree.parse(str(path)))
    return _XSD[version]


def assert_valid(version: str, raw: bytes) -> None:
    schema = xsd(version)
    tree = etree.fromstring(raw)
    assert schema.validate(tree), f"{schema.error_log}\n{raw.decode()[:3000]}"


SETTINGS = settings(
    max_examples=4,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
WRITES = sorted(build.ADDS | build.MODS)
RETS = sorted({(d.query, ret) for d in DATA_TYPES for ret in d.rets})


@pytest.mark.parametrize("name", WRITES)
@SETTINGS
@given(data=st.data(), version=st.sampled_from(SUPPORTED_VERSIONS))
def test_generated_writes_validate(name: str, data: st.DataObject, version: str) -> None:
    schema = Schema.for_version(version)
    model = schema.content(name)
    value = data.draw(record(model))
    rq = build.write(name, value, version, request_id="p")
    assert_valid(version, document(version, [rq], response=False))


@pytest.mark.parametrize(("query", "ret"), RETS, ids=[ret for _, ret in RETS])
@SETTINGS
@given(data=st.data(), version=st.sampled_from(SUPPORTED_VERSIONS))
def test_generated_records_validate(
    query: str, ret: str, data: st.DataObject, version: str
) -> None:
    schema = Schema.for_version(version)
    spec = schema.content(f"{query}Rs").child(ret)
    assert spec is not None and isinstance(spec.content, ContentModel)
    value = data.draw(record(spec.content))
    rs = encode_element(
        schema, f"{query}Rs", {ret: [value] if spec.repeated else value}, attrs=RS_STATUS
    )
    assert_valid(version, document(version, [rs], response=True))


def _filters() -> st.SearchStrategy[QueryFilter]:
    ids = st.lists(st.sampled_from(["80000001-1712345678", "1A2B-1712345678"]), max_size=2)
    return st.builds(
        QueryFilter,
        list_ids=ids.map(tuple),
        txn_ids=ids.map(tuple),
        full_names=st.lists(st.sampled_from(["Acme", "Brasserie Lefèvre"]), max_size=2).map(tuple),
        max_returned=st.none() | st.integers(1, 1000),
        active_status=st.none() | st.sampled_from(ActiveStatus),
        modified=st.none()
        | st.builds(ModifiedDateRange, st.dates().filter(lambda d: d.year > 1999)),
        txn_date=st.none()
        | st.builds(TxnDateRange, date_macro=st.sampled_from(["Today", "ThisMonth"])),
        entity=st.none() | st.builds(EntityFilter, full_names=st.just(("Acme",))),
        paid_status=st.none() | st.sampled_from(PaidStatus),
        include_line_items=st.none() | st.booleans(),
        include_linked_txns=st.none() | st.booleans(),
    )


@settings(SETTINGS, max_examples=25)
@given(
    dtype=st.sampled_from([d for d in DATA_TYPES if d.kind.value in ("list", "txn")]),
    filters=_filters(),
    version=st.sampled_from(SUPPORTED_VERSIONS),
    iterate=st.booleans(),
)
def test_random_filters_build_valid_requests_or_refuse_clearly(
    dtype: DataType, filters: QueryFilter, version: str, iterate: bool
) -> None:
    """What the query has builds into a request Intuit's schema accepts; each filter field it
    lacks, and an iterator where it has none, is refused by name. (Random filters alone were
    refused about 19 times in 20: a builder refusing everything passed.)"""
    supported = build.supported_filters(dtype, version)
    given_fields = {f.name for f in fields(QueryFilter) if getattr(filters, f.name) != f.default}
    for field_name in sorted(given_fields - supported):
        with pytest.raises(UnsupportedError, match=f"filter field '{field_name}'"):
            build.query(dtype, version, _only(filters, supported | {field_name}))
    iterator = Iterator.start() if iterate else None
    if iterator is not None and not Schema.for_version(version).supports_iterator(dtype.request):
        with pytest.raises(UnsupportedError, match="does not support iterators"):
            build.query(dtype, version, _only(filters, supported), iterator=iterator)
        iterator = None
    rq = _build_without_alternatives(dtype, version, _only(filters, supported), iterator)
    assert_valid(version, document(version, [rq], response=False))


def _only(filters: QueryFilter, names: Set[str]) -> QueryFilter:
    """``filters`` with every field not in ``names`` back at its default."""
    return replace(
        filters, **{f.name: f.default for f in fields(QueryFilter) if f.name not in names}
    )


def _build_without_alternatives(
    dtype: DataType, version: str, filters: QueryFilter, iterator: Iterator | None
) -> etree._Element:
    """The query, dropping given fields (last first) while the builder finds alternatives of
    one choice among them (ListID and MaxReturned, say); no filter at all must build."""
    order = [f.name for f in fields(QueryFilter) if getattr(filters, f.name) != f.default]
    while True:
        try:
            return build.query(dtype, version, filters, iterator=iterator)
        except ChoiceConflictError:
            if not order:
                raise
            filters = _only(filters, set(order[:-1]))
            order.pop()
