"""Structural comparison with real QuickBooks responses (../shared/reference/responses):
for each schema-valid recorded response, the fake's answer to a comparable request has the
same elements in the same order where the data allows, the same status attributes in the
same order, and the same prolog."""

from __future__ import annotations

from pathlib import Path

import pytest
from lxml import etree

from connector.qbxml.datatypes import BY_RET, Kind
from connector.qbxml.safexml import parse_document
from connector.qbxml.schema import Schema
from tests.emulator.test_processor_support import company, one, responses, rq, session, status, xsd
from tests.refpaths import ABSENT, REFERENCE, reference_path

RESPONSES = REFERENCE / "responses"
EXTRA_QUERIES = {"ItemInventoryRet": "ItemInventoryQueryRq"}


def _valid_files() -> list[Path]:
    if not RESPONSES.exists():
        return []
    out = []
    for path in sorted(RESPONSES.rglob("*.xml")):
        try:
            doc = parse_document(path.read_bytes())
        except Exception:
            continue
        if doc.tag == "QBXML" and xsd("16.0").validate(doc.getroottree()):
            out.append(path)
    return out


def _rets(path: Path) -> list[tuple[str, etree._Element]]:
    """Every recorded ``*Ret`` (each instance: they fill different optional fields)."""
    doc = parse_document(path.read_bytes())
    msgs = doc.find("QBXMLMsgsRs")
    return [
        (str(rs.tag), ret)
        for rs in (msgs if msgs is not None else [])
        for ret in rs
        if str(ret.tag).endswith("Ret")
    ]


CASES = [
    pytest.param(path, rs, ret, id=f"{path.parent.name}/{path.stem}/{ret.tag}")
    for path in _valid_files()
    for rs, ret in _rets(path)
] or [pytest.param(None, None, None, id=ABSENT)]  # the test says why there is none


def _request_for(ret: str) -> str:
    if ret in EXTRA_QUERIES:
        name = EXTRA_QUERIES[ret]
        return f"<{name}><ActiveStatus>All</ActiveStatus></{name}>"
    dt = BY_RET[ret]
    if dt.kind is Kind.LIST:
        return f"<{dt.request}><ActiveStatus>All</ActiveStatus></{dt.request}>"
    if dt.kind is Kind.TXN:
        schema = Schema.for_version("13.0")
        options = "".join(
            f"<{name}>true</{name}>"
            for name in ("IncludeLineItems", "IncludeLinkedTxns")
            if schema.child(dt.request, name) is not None
        )
        return f"<{dt.request}>{options}</{dt.request}>"
    if dt.request == "CompanyQueryRq":
        return "<CompanyQueryRq><OwnerID>0</OwnerID></CompanyQueryRq>"
    return f"<{dt.request}/>"


def _names(elem: etree._Element) -> list[str]:
    """Child names in order, consecutive repeats collapsed."""
    out: list[str] = []
    for child in elem:
        if not out or out[-1] != child.tag:
            out.append(str(child.tag))
    return out


def _order_mismatches(real: etree._Element, fake: etree._Element, path: str) -> list[str]:
    real_names, fake_names = _names(real), _names(fake)
    common = [n for n in real_names if n in fake_names]
    problems = []
    if common != [n for n in fake_names if n in real_names]:
        problems.append(
            f"{path}: real order {common} vs fake {[n for n in fake_names if n in real_names]}"
        )
    for name in common:
        r, f = real.find(name), fake.find(name)
        if r is not None and f is not None and len(r) and len(f):
            problems += _order_mismatches(r, f, f"{path}/{name}")
    return problems


def _best_match(real: etree._Element, candidates: list[etree._Element]) -> etree._Element:
    wanted = set(_names(real))
    return max(candidates, key=lambda c: len(wanted & set(_names(c))))


@pytest.fixture(scope="module")
def fake():  # type: ignore[no-untyped-def]
    return session(company(3, "small"))


@pytest.mark.parametrize(("path", "rs_name", "real"), CASES)
def test_same_elements_in_the_same_order(
    fake, path: Path, rs_name: str, real: etree._Element
) -> None:  # type: ignore[no-untyped-def]
    assert reference_path("responses") and real is not None, "no schema-valid response found"
    qb, ticket = fake
    answer = one(qb.process_request(ticket, rq(_request_for(str(real.tag)), "13.0")))
    candidates = [r for r in answer if r.tag == real.tag]
    assert candidates, f"the fake has no {real.tag} to compare"
    mine = _best_match(real, candidates)
    assert _order_mismatches(real, mine, str(real.tag)) == []
    real_top = set(_names(real))
    shared = real_top & set(_names(mine))
    # "where the data allows": the fake's file must fill most of what real QuickBooks sent
    assert len(shared) >= 0.6 * len(real_top), sorted(real_top - shared)


def test_status_attributes_and_prolog_as_quickbooks_emits() -> None:
    path = reference_path("responses", "qbwc-qbxml", "customer_query_iterator_rs.xml")
    real = parse_document(path.read_bytes()).find("QBXMLMsgsRs/CustomerQueryRs")
    assert real is not None
    qb, ticket = session()
    answer = qb.process_request(
        ticket,
        rq(
            '<CustomerQueryRq requestID="1" iterator="Start"><MaxReturned>1</MaxReturned></CustomerQueryRq>'
        ),
    )
    assert answer.startswith('<?xml version="1.0" ?><QBXML><QBXMLMsgsRs>')
    mine = responses(answer)[0]
    assert list(mine.attrib) == list(real.attrib)


def test_not_found_message_matches_the_recorded_one() -> None:
    path = reference_path("responses", "qbwc-qbwc", "CustomerQueryRs_statusCode3120_Error.xml")
    real = parse_document(path.read_bytes()).find("QBXMLMsgsRs/CustomerQueryRs")
    assert real is not None
    qb, ticket = session()
    mine = one(
        qb.process_request(
            ticket, rq("<CustomerQueryRq><ListID>8000001B-1405768916</ListID></CustomerQueryRq>")
        )
    )
    assert status(mine) == 3120
    assert dict(mine.attrib) == dict(real.attrib)
