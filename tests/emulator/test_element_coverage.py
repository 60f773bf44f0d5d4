"""How much of what real QuickBooks answers the fake QuickBooks answers too (issue 10).

From every real qbXML response under ``../shared/reference/responses/`` (plain responses,
and the qbXML inside SOAP envelopes and log extracts) we collect the element paths below
each top-level ``*Ret`` (``CustomerRet/BillAddress/City``). Then the fake QuickBooks is asked,
over a generated ``small`` company, the query of each of those Ret types (line items, linked
transactions, every status, and ``OwnerID`` 0 so that data extensions come back) and we
collect its paths the same way. The figure is the share of real paths the fake emits.

Counted: Ret types the fake supports (``connector.qbxml.datatypes``), and paths the qbXML
16.0 schema knows: QuickBooks POS answers (``QBPOSXML``) are another product's dialect, and
a few references are hand-edited or redacted (SOURCES.md says which), so a path the schema
does not have is an artefact of the copy, not something QuickBooks sends.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Iterator
from pathlib import Path

from lxml import etree

from connector.qbxml.datatypes import DATA_TYPES, DataType, Kind
from connector.qbxml.errors import QbxmlSchemaError
from connector.qbxml.schema import ContentModel, Schema
from qbd_emulator.processor import FakeQuickBooks
from tests.emulator.test_processor_support import company, fixed_clock, responses, rq
from tests.refpaths import reference_path

VERSION = "16.0"
SEEDS = (1, 2)
TARGET = 1.0
"""Every path (issue 10 asks for at least 95%): a new reference response with paths the fake
never emits fails here until the generator fills them."""

QBXML = re.compile(r"<QBXML\b.*?</QBXML>", re.S)
DECLARATION = re.compile(r"<\?xml[^>]*\?>")

Paths = dict[str, set[str]]


def qbxml_documents(text: str) -> Iterator[etree._Element]:
    """Each ``<QBXML>`` document inside ``text`` (a response, an envelope, a log extract).

    Some references hold an XML declaration in mid-document or a redaction typo; lxml's
    recovering parser keeps what it can and the schema filter drops the rest."""
    parser = etree.XMLParser(recover=True, resolve_entities=False, no_network=True)
    for match in QBXML.finditer(text):
        doc = etree.fromstring(DECLARATION.sub("", match.group(0)).encode(), parser)
        if doc is not None:
            yield doc


def ret_paths(rets: Iterable[etree._Element], paths: Paths) -> None:
    """Add each Ret's element paths (``Ret/Child/...``) to ``paths[Ret]``."""

    def walk(element: etree._Element, prefix: str, into: set[str]) -> None:
        for child in element:
            if isinstance(child.tag, str):
                path = f"{prefix}/{child.tag}"
                into.add(path)
                walk(child, path, into)

    for ret in rets:
        if isinstance(ret.tag, str) and ret.tag.endswith("Ret"):
            walk(ret, ret.tag, paths[ret.tag])


def in_schema(schema: Schema, path: str) -> bool:
    ret, *steps = path.split("/")
    try:
        model = schema.content(ret)
    except QbxmlSchemaError:
        return False
    for i, step in enumerate(steps):
        spec = model.child(step)
        if spec is None:
            return False
        if i < len(steps) - 1:
            if not isinstance(spec.content, ContentModel):
                return False
            model = spec.content
    return True


def real_paths() -> Paths:
    root = reference_path("responses")
    paths: Paths = defaultdict(set)
    for file in sorted(p for p in root.rglob("*") if p.is_file()):
        for doc in qbxml_documents(file.read_text(encoding="utf-8", errors="replace")):
            for rs in doc.iter("*"):
                if isinstance(rs.tag, str) and rs.tag.endswith("Rs"):
                    ret_paths(rs, paths)
    schema = Schema.for_version(VERSION)
    supported = {ret for dt in DATA_TYPES for ret in dt.rets}
    return {
        ret: {p for p in found if in_schema(schema, p)}
        for ret, found in paths.items()
        if ret in supported
    }


APP_OWNER_ID = "{57F3B9B1-86F1-4fcc-B1EE-566DE1813D20}"
REGISTER = (
    f'<DataExtAddRq requestID="0"><DataExtAdd><OwnerID>{APP_OWNER_ID}</OwnerID>'
    "<DataExtName>FileID</DataExtName><OtherDataExtType>Company</OtherDataExtType>"
    "<DataExtValue>{e3a6f2b0-1c2d-4e5f-8a9b-0c1d2e3f4a5b}</DataExtValue></DataExtAdd>"
    "</DataExtAddRq>"
)
"""What a Web Connector writes into the company file when an application is first authorised
(its FileID under the application's OwnerID, PG p.36): the real CompanyRets were answered to
such an application, asking with its OwnerID."""


def query(dt: DataType, schema: Schema) -> str:
    """The fullest query of ``dt``: every status, lines, links and data extensions (the
    custom fields, OwnerID 0, and the application's own)."""
    if dt.kind is Kind.DELETED:
        return ""
    wanted = [
        ("ActiveStatus", "All"),
        ("IncludeLineItems", "true"),
        ("IncludeLinkedTxns", "true"),
        ("OwnerID", "0"),
        ("OwnerID", APP_OWNER_ID),
    ]
    return "".join(
        f"<{name}>{value}</{name}>"
        for name, value in wanted
        if schema.child(dt.request, name) is not None
    )


def fake_paths(rets: Iterable[str]) -> Paths:
    schema = Schema.for_version(VERSION)
    asked = {dt.request: dt for dt in DATA_TYPES for ret in rets if ret in dt.rets}
    paths: Paths = defaultdict(set)
    for seed in SEEDS:
        qb = FakeQuickBooks(company(seed, "small"), clock=fixed_clock())
        qb.open_connection("", "element coverage")
        ticket = qb.begin_session("")
        qb.process_request(ticket, rq(REGISTER, VERSION))
        for request, dt in sorted(asked.items()):
            body = query(dt, schema)
            answer = qb.process_request(
                ticket, rq(f'<{request} requestID="1">{body}</{request}>', VERSION)
            )
            for rs in responses(answer):
                ret_paths(rs, paths)
    return paths


def coverage_report(real: Paths, fake: Paths) -> tuple[float, list[str]]:
    lines = []
    total = covered = 0
    for ret in sorted(real):
        missing = sorted(real[ret] - fake.get(ret, set()))
        total += len(real[ret])
        covered += len(real[ret]) - len(missing)
        share = 1 - len(missing) / len(real[ret]) if real[ret] else 1.0
        lines.append(f"{ret}: {share:.0%} of {len(real[ret])}")
        lines.extend(f"    missing {path}" for path in missing)
    return (covered / total if total else 0.0), lines


def test_fake_emits_the_element_paths_real_quickbooks_returns() -> None:
    real = real_paths()
    assert len(real) >= 8, sorted(real)
    overall, lines = coverage_report(real, fake_paths(real))
    print(f"element path coverage: {overall:.1%}", *lines, sep="\n")
    assert overall >= TARGET, "\n".join([f"coverage {overall:.1%} < {TARGET:.0%}", *lines])


def test_recovering_reader_finds_qbxml_in_envelopes_and_skips_broken_parts(
    tmp_path: Path,
) -> None:
    text = (
        "<soap:Envelope><soap:Body><response><?xml version='1.0' ?>"
        "<QBXML><QBXMLMsgsRs><CustomerQueryRs><CustomerRet><Name>A</Name>"
        "<BillAddress><City>B</City></BillAddress></CustomerRet></CustomerQueryRs>"
        "</QBXMLMsgsRs></QBXML></response></soap:Body></soap:Envelope>"
    )
    paths: Paths = defaultdict(set)
    for doc in qbxml_documents(text):
        for rs in doc.iter("*"):
            if isinstance(rs.tag, str) and rs.tag.endswith("Rs"):
                ret_paths(rs, paths)
    assert paths == {
        "CustomerRet": {
            "CustomerRet/Name",
            "CustomerRet/BillAddress",
            "CustomerRet/BillAddress/City",
        }
    }
    schema = Schema.for_version(VERSION)
    assert in_schema(schema, "CustomerRet/BillAddress/City")
    assert not in_schema(schema, "CompanyRet/DataExtRet/DataExtType/yzer")


NOT_IN_THIS_KIND_OF_FILE = frozenset(
    {
        # multicurrency is off (PreferencesRet/MultiCurrencyPreferences)
        "ExchangeRate",
        "IsHomeCurrencyAdjustment",
        "IsAmountsEnteredInHomeCurrency",
        # UK, Canadian and Australian editions only
        "SalesTaxCountry",
        "TaxRegistrationNumber",
        "IsTaxIncluded",
        "PurchaseTaxCodeRef",
        "SalesTaxReturnRef",
        "SalesTaxReturnLineRef",
        "ReportingPeriod",
        "IsTaxTrackedOnPurchases",
        "TaxOnPurchasesAccountRef",
        "IsTaxTrackedOnSales",
        "TaxOnSalesAccountRef",
        "IsTaxOnTax",
        "ItemPurchaseTaxRef",
        # written only by an integrated application
        "ExternalGUID",
        # Enterprise (Advanced Inventory) and e-commerce channels
        "InventorySiteRef",
        "FulfillmentStatus",
        "ShippingDetails",
        "SOChannel",
        "StoreName",
        "StoreType",
        # personal data: the application is not allowed it (CurrentAppAccessRights)
        "SSN",
        "CreditCardInfo",
        "EmployeePayrollInfo",
    }
)
"""Children a single-currency US file answers without, whatever its records hold."""
PURCHASE_RETS = frozenset(
    {"BillRet", "CheckRet", "CreditCardChargeRet", "CreditCardCreditRet", "VendorCreditRet"}
    | {"PurchaseOrderRet", "VendorRet"}
)
"""Where ``SalesTaxCodeRef`` is a non-US (purchase tax) element."""
SCHEMA_TARGET = 0.87


def applicable(ret: str, name: str) -> bool:
    if name in NOT_IN_THIS_KIND_OF_FILE or name.endswith("InHomeCurrency"):
        return False
    if name == "CurrencyRef" and ret != "AccountRet":
        return False
    return not (name == "SalesTaxCodeRef" and ret in PURCHASE_RETS)


def generated_children(seeds: Iterable[int]) -> Paths:
    """The top-level children each Ret has in some record of the generated files."""
    found: Paths = defaultdict(set)
    for seed in seeds:
        comp = company(seed, "small")
        for table in comp.records.values():
            for record in table.values():
                found[record.ret].update(record.data)
        found["CompanyRet"].update(comp.company_info)
        found["PreferencesRet"].update(comp.preferences)
    return found


def test_generated_files_fill_the_optional_children_of_every_ret() -> None:
    """Issue 10: every optional element of every supported Ret in some share of records.
    Measured on the Rets' own children (16.0 schema), the ones this kind of file can have."""
    schema = Schema.for_version(VERSION)
    found = generated_children(SEEDS)
    rets = {r for dt in DATA_TYPES if dt.kind is not Kind.DELETED for r in dt.rets} - {"HostRet"}
    total = covered = 0
    lines = []
    for ret in sorted(rets):
        names = [c.name for c in schema.children(ret) if applicable(ret, c.name)]
        missing = [n for n in names if n not in found[ret]]
        total += len(names)
        covered += len(names) - len(missing)
        if missing:
            lines.append(
                f"{ret}: {len(names) - len(missing)}/{len(names)}, missing {' '.join(missing)}"
            )
    share = covered / total
    print(f"optional children filled: {share:.1%}", *lines, sep="\n")
    assert share >= SCHEMA_TARGET, "\n".join([f"{share:.1%} < {SCHEMA_TARGET:.0%}", *lines])
