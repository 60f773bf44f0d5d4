"""The generated schema tables and the ``Schema`` API over them."""

from __future__ import annotations

import gzip
import importlib.util
import json
from pathlib import Path
from types import ModuleType

import pytest

from connector.qbxml.datatypes import DATA_TYPES
from connector.qbxml.errors import QbxmlSchemaError
from connector.qbxml.schema import SUPPORTED_VERSIONS, ContentModel, Leaf, LeafType, Schema
from tests.refpaths import REPO, reference_path

DATA = REPO / "connector" / "qbxml" / "schema_data"


def _generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "gen_qbxml_tables", REPO / "ci" / "gen_qbxml_tables.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("version", SUPPORTED_VERSIONS)
def test_committed_tables_match_a_fresh_generation(version: str) -> None:
    xsd_dir = reference_path("xsd", f"qbxml{version}")
    gen = _generator()
    fresh = gen.generate(xsd_dir.parent, version)
    committed = json.loads(
        gzip.decompress((DATA / gen.table_path(DATA, version).name).read_bytes())
    )
    assert committed == fresh, "rerun: python ci/gen_qbxml_tables.py"


def test_tables_stay_small() -> None:
    total = sum(p.stat().st_size for p in DATA.glob("*.json.gz"))
    assert 0 < total < 1_000_000


def test_unsupported_version_is_refused() -> None:
    with pytest.raises(QbxmlSchemaError, match=r"'12\.0' is not supported"):
        Schema.for_version("12.0")


def test_for_version_is_cached() -> None:
    assert Schema.for_version("16.0") is Schema.for_version("16.0")


@pytest.fixture(scope="module")
def s16() -> Schema:
    return Schema.for_version("16.0")


def test_query_children_in_schema_order_with_choices(s16: Schema) -> None:
    children = s16.children("CustomerQueryRq")
    names = [c.name for c in children]
    assert names[:5] == ["ListID", "FullName", "MaxReturned", "ActiveStatus", "FromModifiedDate"]
    assert names[-2:] == ["IncludeRetElement", "OwnerID"]
    by = {c.name: c for c in children}
    # ListID, FullName and the filter group are the three branches of one optional choice.
    assert by["ListID"].choice == ((0, 0),)
    assert by["FullName"].choice == ((0, 1),)
    assert by["MaxReturned"].choice == ((0, 2),)
    # NameFilter and NameRangeFilter are alternatives of a nested choice inside branch 2.
    assert by["NameFilter"].choice[0] == (0, 2)
    assert by["NameFilter"].choice[1][0] == by["NameRangeFilter"].choice[1][0]
    assert by["NameFilter"].choice[1][1] != by["NameRangeFilter"].choice[1][1]
    assert by["ListID"].repeated and by["ListID"].max is None
    assert not by["MaxReturned"].repeated
    assert s16.content("CustomerQueryRq").choices[0].min == 0


@pytest.mark.parametrize(
    ("parent", "name", "expected"),
    [
        pytest.param("CustomerRet", "Balance", LeafType.AMT, id="amount"),
        pytest.param("CustomerRet", "TimeModified", LeafType.DATETIME, id="datetime"),
        pytest.param("CustomerRet", "IsActive", LeafType.BOOL, id="bool"),
        pytest.param("CustomerRet", "Sublevel", LeafType.INT, id="int"),
        pytest.param("CustomerRet", "ListID", LeafType.ID, id="id"),
        pytest.param("InvoiceRet", "TxnDate", LeafType.DATE, id="date"),
        pytest.param("InvoiceLineRet", "Quantity", LeafType.QUAN, id="quantity"),
        pytest.param("InvoiceLineRet", "Rate", LeafType.PRICE, id="price"),
        pytest.param("InvoiceLineRet", "RatePercent", LeafType.PERCENT, id="percent"),
        pytest.param("CustomerQueryRq", "ActiveStatus", LeafType.ENUM, id="enum"),
        pytest.param("CustomerRet", "ExternalGUID", LeafType.GUID, id="guid"),
    ],
)
def test_leaf_types(s16: Schema, parent: str, name: str, expected: LeafType) -> None:
    assert s16.leaf_type(parent, name) is expected


def test_enum_values_and_max_length(s16: Schema) -> None:
    leaf = s16.leaf("CustomerQueryRq", "ActiveStatus")
    assert leaf is not None and leaf.enum == ("ActiveOnly", "InactiveOnly", "All")
    assert s16.max_length("CustomerAdd", "Name") == 41
    assert s16.max_length("AccountAdd", "Name") == 31
    assert s16.max_length("CustomerRet", "ListID") == 36  # IDTYPE's own maxLength
    assert s16.max_length("InvoiceAdd", "Memo") == 4095


def test_same_local_name_keeps_its_own_restriction_per_parent(s16: Schema) -> None:
    # FullName of a ref (209 chars) vs of a class filter... read them through their parents.
    assert s16.max_length("CustomerRef", "FullName") == 209
    assert s16.max_length("CustomerAdd", "Name") != s16.max_length("AccountAdd", "Name")


def test_repeated_and_aggregates(s16: Schema) -> None:
    assert s16.is_repeated("InvoiceRet", "InvoiceLineRet")
    assert s16.is_repeated("CustomerQueryRs", "CustomerRet")
    assert not s16.is_repeated("InvoiceRet", "CustomerRef")
    assert s16.leaf("InvoiceRet", "CustomerRef") is None
    assert isinstance(s16.child("InvoiceRet", "CustomerRef").content, ContentModel)  # type: ignore[union-attr]
    # Journal lines are alternatives of an unbounded choice: both repeated, both optional.
    debit = s16.child("JournalEntryAdd", "JournalDebitLine")
    assert debit is not None and debit.repeated


def test_attributes_of_requests_and_responses(s16: Schema) -> None:
    names = [a.name for a in s16.attributes("CustomerQueryRq")]
    assert names == ["requestID", "metaData", "iterator", "iteratorID"]
    iterator = s16.content("CustomerQueryRq").attribute("iterator")
    assert iterator is not None and iterator.leaf.enum == ("Start", "Continue", "Stop")
    rs = [a.name for a in s16.attributes("CustomerQueryRs")]
    assert {"requestID", "statusCode", "iteratorRemainingCount", "iteratorID"} <= set(rs)
    on_error = s16.content("QBXMLMsgsRq").attribute("onError")
    assert on_error is not None and on_error.required


@pytest.mark.parametrize("version", SUPPORTED_VERSIONS)
def test_iterator_support_matches_the_data_type_registry(version: str) -> None:
    schema = Schema.for_version(version)
    for dtype in DATA_TYPES:
        assert schema.supports_iterator(dtype.request) == dtype.iterator, dtype.key
    assert "AccountQueryRq" not in schema.iterable_queries()
    assert "InvoiceQueryRq" in schema.iterable_queries()


@pytest.mark.parametrize("version", SUPPORTED_VERSIONS)
def test_registry_rets_are_every_record_kind_of_each_query(version: str) -> None:
    """ItemQuery covers every item kind, TermsQuery both kinds of terms (issue 2)."""
    schema = Schema.for_version(version)
    for dtype in DATA_TYPES:
        rets = [c.name for c in schema.children(dtype.response) if c.name.endswith("Ret")]
        assert sorted(rets) == sorted(dtype.rets), dtype.key


def test_versions_differ_where_the_xsds_do() -> None:
    assert Schema.for_version("13.0").child("BillAdd", "ClassRef") is None
    assert Schema.for_version("16.0").child("BillAdd", "ClassRef") is not None


def test_every_request_and_response_is_a_top_level_element(s16: Schema) -> None:
    assert len(s16.requests()) > 200
    for name in (*s16.requests(), *s16.responses()):
        assert s16.has_element(name)
    assert "InvoiceQueryRq" in s16.requests()
    assert "InvoiceQueryRs" in s16.responses()


def test_unknown_names_are_clear_errors(s16: Schema) -> None:
    with pytest.raises(QbxmlSchemaError, match=r"'NoSuchThing' is not in the qbXML 16\.0"):
        s16.children("NoSuchThing")
    with pytest.raises(QbxmlSchemaError, match="has no child 'Nope'"):
        s16.leaf_type("CustomerRet", "Nope")
    with pytest.raises(QbxmlSchemaError, match="aggregate"):
        s16.leaf_type("InvoiceRet", "CustomerRef")
    assert s16.child("NoSuchThing", "X") is None
    assert not s16.has_element("NoSuchThing")


def test_leaf_element_content(s16: Schema) -> None:
    content = s16.element("ListID")
    assert isinstance(content, Leaf) and content.type is LeafType.ID


@pytest.mark.parametrize(
    ("module", "expected"),
    [
        pytest.param(
            "schema", {"Schema", "SUPPORTED_VERSIONS", "LeafType", "ContentModel"}, id="schema"
        ),
        pytest.param(
            "encode", {"encode_element", "document", "document_text", "OnError"}, id="encode"
        ),
        pytest.param("build", {"query", "write", "delete", "void", "request_document"}, id="build"),
        pytest.param("filters", {"QueryFilter", "Iterator", "ModifiedDateRange"}, id="filters"),
        pytest.param("leaves", {"format_leaf", "check_text", "format_datetime"}, id="leaves"),
    ],
)
def test_public_surface(module: str, expected: set[str]) -> None:
    mod = importlib.import_module(f"connector.qbxml.{module}")
    assert expected <= set(mod.__all__)
    for name in mod.__all__:
        assert hasattr(mod, name), name


TINY_XSD = """<xsd:schema xmlns:xsd="http://www.w3.org/2001/XMLSchema">
<xsd:simpleType name="STRTYPE"><xsd:restriction base="xsd:string"/></xsd:simpleType>
<xsd:element name="Ok"><xsd:complexType><xsd:sequence>
  <xsd:choice minOccurs="0" maxOccurs="unbounded">
    <xsd:element name="A" type="STRTYPE"/><xsd:element name="B" type="STRTYPE"/>
  </xsd:choice>
  <xsd:element name="C" minOccurs="0"><xsd:simpleType><xsd:restriction base="STRTYPE">
    <xsd:maxLength value="5"/></xsd:restriction></xsd:simpleType></xsd:element>
</xsd:sequence></xsd:complexType></xsd:element>
<xsd:element name="Bad"><xsd:complexType>
  <xsd:sequence maxOccurs="unbounded">
    <xsd:element name="A" type="STRTYPE"/><xsd:element name="B" type="STRTYPE"/>
  </xsd:sequence>
</xsd:complexType></xsd:element>
</xsd:schema>"""


def test_generator_flattens_choices_and_refuses_what_it_cannot_represent(tmp_path: Path) -> None:
    path = tmp_path / "tiny.xsd"
    path.write_text(TINY_XSD)
    gen = _generator().Generator([path])
    kind, index = gen.element_ref(gen.elements["Ok"])
    children, _attrs, _text, choices = gen.types[index]
    assert kind == 1
    assert [c[:4] for c in children] == [
        ["A", 1, -1, [[0, 0]]],
        ["B", 1, -1, [[0, 1]]],
        ["C", 0, 1, []],
    ]
    assert choices == [[0, -1]]
    assert gen.leaves[children[2][5]][1] == 5  # C's maxLength
    with pytest.raises(ValueError, match="repeated sequence of several elements"):
        gen.element_ref(gen.elements["Bad"])
