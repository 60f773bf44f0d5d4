"""Every value of every real recorded response comes out of the parser as the file has it.

``test_parse_reference`` checks counts and spot-checks fields; here an independent oracle
(plain ``lxml.etree`` over the whole file, no streaming, no schema) walks each ``*Rs`` and
``*Ret`` and compares every attribute and every leaf with what ``parse_response`` handed
out: the same element names at every level, lists exactly where the file repeats an element
(or the schema says it repeats), and each leaf's value equal to its text read by its type
(Decimal with its scale, date-times with the offset as written, booleans, ints, text as sent).
A dropped, doubled, misplaced or mistyped value anywhere in the files fails here.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import pytest
from lxml import etree

from connector.qbxml.parse import parse_response
from connector.qbxml.values import Record, ResponseStart, Value
from tests.qbxml.test_parse_reference import NOT_WELL_FORMED
from tests.refpaths import reference_names, reference_path, require_reference

WELL_FORMED = [name for name in reference_names("responses") if name not in NOT_WELL_FORMED]


def local(tag: object) -> str:
    return etree.QName(tag).localname if isinstance(tag, str) else ""


def leaf_matches(text: str, value: Value) -> bool:
    """``value`` is what ``text`` says, read by the value's own type."""
    stripped = text.strip()
    if isinstance(value, bool):
        return stripped.lower() in (("true", "1") if value else ("false", "0"))
    if isinstance(value, Decimal):
        sent = Decimal(stripped)
        return value == sent and value.as_tuple().exponent == sent.as_tuple().exponent
    if isinstance(value, datetime):
        sent_dt = datetime.fromisoformat(stripped)
        return value == sent_dt and value.utcoffset() == sent_dt.utcoffset()
    if isinstance(value, date):
        return value.isoformat() == stripped
    if isinstance(value, int):
        return value == int(stripped)
    if isinstance(value, str):
        return value == text
    return value == {} and stripped == ""  # an empty aggregate


def compare(elem: etree._Element, data: Value, path: str) -> list[str]:
    """Differences between the file's element and the parsed value (empty: identical)."""
    if len(elem) == 0:
        return [] if leaf_matches(elem.text or "", data) else [f"{path}: {data!r} != {elem.text!r}"]
    if not isinstance(data, dict):
        return [f"{path}: an aggregate in the file, {type(data).__name__} parsed"]
    groups: dict[str, list[etree._Element]] = {}
    for child in elem:
        if isinstance(child.tag, str):
            groups.setdefault(local(child.tag), []).append(child)
    if list(groups) != list(data):
        return [f"{path}: children {list(groups)} in the file, {list(data)} parsed"]
    problems: list[str] = []
    for name, children in groups.items():
        value = data[name]
        items = value if isinstance(value, list) else [value]
        if len(items) != len(children):
            problems.append(f"{path}/{name}: {len(children)} in the file, {len(items)} parsed")
            continue
        for i, (child, item) in enumerate(zip(children, items, strict=True)):
            problems += compare(child, item, f"{path}/{name}[{i}]")
    return problems


def int_or_none(text: str | None) -> int | None:
    return None if text is None else int(text)


@pytest.mark.parametrize("name", WELL_FORMED)
def test_every_value_matches_the_file(name: str) -> None:
    raw = reference_path("responses", name).read_bytes()
    events = parse_response(raw)
    oracle = etree.fromstring(raw)  # the reference files are trusted: plain lxml is the oracle
    msgs = next(e for e in oracle.iter() if local(e.tag) in ("QBXMLMsgsRs", "QBPOSXMLMsgsRs"))
    expected_rs = [rs for rs in msgs if isinstance(rs.tag, str)]
    responses = [e for e in events if isinstance(e, ResponseStart)]
    assert [r.name for r in responses] == [local(rs.tag) for rs in expected_rs]
    for response, rs in zip(responses, expected_rs, strict=True):
        assert response.request_id == rs.get("requestID")
        assert response.status.code == int(rs.get("statusCode", ""))
        assert response.status.severity == rs.get("statusSeverity", "")
        assert response.status.message == rs.get("statusMessage", "")
        assert response.iterator_remaining == int_or_none(rs.get("iteratorRemainingCount"))
        assert response.iterator_id == rs.get("iteratorID")
        assert response.ret_count == int_or_none(rs.get("retCount"))
    records = [e for e in events if isinstance(e, Record)]
    expected_rets = [(rs, ret) for rs in expected_rs for ret in rs if isinstance(ret.tag, str)]
    assert len(records) == len(expected_rets)
    problems: list[str] = []
    for record, (rs, ret) in zip(records, expected_rets, strict=True):
        assert (record.ret, record.request_id) == (local(ret.tag), rs.get("requestID"))
        problems += compare(ret, record.data, f"{local(rs.tag)}/{record.ret}")
    assert problems == []


def test_the_oracle_sees_a_wrong_value() -> None:
    elem = etree.fromstring(
        b"<CustomerRet><Balance>1.50</Balance><IsActive>true</IsActive>"
        b"<TimeCreated>2009-01-23T03:00:02-05:00</TimeCreated><Ref><ID>1</ID></Ref>"
        b"<Line><A>1</A></Line><Line><A>2</A></Line></CustomerRet>"
    )
    good: dict[str, Value] = {
        "Balance": Decimal("1.50"),
        "IsActive": True,
        "TimeCreated": datetime.fromisoformat("2009-01-23T03:00:02-05:00"),
        "Ref": {"ID": "1"},
        "Line": [{"A": "1"}, {"A": "2"}],
    }
    assert compare(elem, good, "r") == []
    wrong: list[dict[str, Value]] = [
        {**good, "Balance": Decimal("1.5")},  # scale lost
        {**good, "IsActive": False},
        {**good, "TimeCreated": datetime.fromisoformat("2009-01-23T04:00:02-04:00")},  # offset
        {**good, "Ref": {"ID": "2"}},
        {**good, "Line": [{"A": "1"}]},  # a line dropped
        {k: v for k, v in good.items() if k != "Ref"},  # a field dropped
    ]
    for data in wrong:
        assert compare(elem, data, "r") != [], data


def test_reference_folder_is_there_or_skipped_with_a_reason() -> None:
    require_reference()
    assert len(WELL_FORMED) >= 25
