"""The fake's answers read back through the connector's own parser
(``connector.qbxml.parse``) give exactly the records of the company file: every data type,
lines and links included, in qbXML 16.0 (the company file's version)."""

from __future__ import annotations

import pytest

from connector.qbxml.datatypes import DATA_TYPES, DataType, Kind
from connector.qbxml.parse import parse_response
from connector.qbxml.schema import Schema
from connector.qbxml.values import Record, ResponseStart
from tests.emulator.test_processor_support import company, rq, session

READ = [d for d in DATA_TYPES if d.kind in (Kind.LIST, Kind.TXN)]


def _request(dt: DataType) -> str:
    schema = Schema.for_version("16.0")
    if dt.kind is Kind.LIST:
        return f"<{dt.request}><ActiveStatus>All</ActiveStatus></{dt.request}>"
    options = "".join(
        f"<{name}>true</{name}>"
        for name in ("IncludeLineItems", "IncludeLinkedTxns")
        if schema.child(dt.request, name) is not None
    )
    return f"<{dt.request}>{options}</{dt.request}>"


@pytest.fixture(scope="module")
def fake():  # type: ignore[no-untyped-def]
    return session(company(2, "small"))


@pytest.mark.parametrize("dt", READ, ids=[d.key for d in READ])
def test_parsed_answer_equals_the_company_records(fake, dt: DataType) -> None:  # type: ignore[no-untyped-def]
    qb, ticket = fake
    events = parse_response(qb.process_request(ticket, rq(_request(dt))))
    starts = [e for e in events if isinstance(e, ResponseStart)]
    assert [s.status.code for s in starts] == [0]
    parsed = {str(e.data[dt.id_field]): (e.ret, e.data) for e in events if isinstance(e, Record)}
    stored = {
        str(r.data[dt.id_field]): (r.ret, {k: v for k, v in r.data.items() if k != "DataExtRet"})
        for r in qb.company.iter_records(dt.key)
    }
    assert parsed.keys() == stored.keys()
    for record_id, (ret, data) in stored.items():
        assert parsed[record_id] == (ret, data), record_id
